import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VictimBuffer } from './victim-buffer.ts';

describe('VictimBuffer', () => {
  it('hands out the highest score first', () => {
    const versions = new Uint32Array(10);
    const pool = new VictimBuffer(8);
    pool.add(1, 2.0, versions);
    pool.add(2, 6.0, versions);
    pool.add(3, 5.0, versions);
    pool.add(4, 1.0, versions);
    expect([
      pool.pop(versions),
      pool.pop(versions),
      pool.pop(versions),
      pool.pop(versions),
    ]).toEqual([2, 3, 1, 4]);
    expect(pool.pop(versions)).toBe(-1);
  });

  it('gives its best only if it beats the floor (the challenged base victim)', () => {
    const versions = new Uint32Array(10);
    const pool = new VictimBuffer(4);
    pool.add(1, 3, versions);
    pool.add(2, 4, versions);
    expect(pool.takeAbove(4, versions)).toBe(-1);
    expect(pool.size).toBe(2);
    expect(pool.takeAbove(3.5, versions)).toBe(2);
    expect(pool.takeAbove(3.5, versions)).toBe(-1);
  });

  it('remembers the best valid entry it compared with the floor, taken or not', () => {
    const versions = new Uint32Array(10);
    const pool = new VictimBuffer(4);
    expect(pool.takeAbove(0, versions)).toBe(-1);
    expect(pool.lastBest).toBe(-1);
    pool.add(1, 3, versions);
    pool.add(2, 7, versions);
    pool.add(3, 5, versions);
    versions[2]!++; // slot 2 was hit: not the best any more
    expect(pool.takeAbove(6, versions)).toBe(-1);
    expect([pool.lastBest, pool.lastBestScore]).toEqual([3, 5]);
    expect(pool.takeAbove(4, versions)).toBe(3);
    expect([pool.lastBest, pool.lastBestScore]).toEqual([3, 5]);
  });

  it('drops an entry whose slot was touched after it was scored', () => {
    const versions = new Uint32Array(10);
    const pool = new VictimBuffer(4);
    pool.add(1, 9, versions);
    pool.add(2, 5, versions);
    versions[1]!++; // slot 1 was hit: its score is stale
    expect(pool.has(1, versions)).toBe(false);
    expect(pool.has(2, versions)).toBe(true);
    expect(pool.pop(versions)).toBe(2);
    expect(pool.pop(versions)).toBe(-1);
    expect(pool.size).toBe(0);
  });

  it('keeps the highest scores when full; a stale entry is displaced first', () => {
    const versions = new Uint32Array(10);
    const pool = new VictimBuffer(2);
    pool.add(1, 3, versions);
    pool.add(2, 4, versions);
    expect(pool.add(3, 1, versions)).toBe(3); // lower than everything held: not kept
    expect(pool.add(4, 3.5, versions)).toBe(1); // displaces slot 1 (score 3)
    versions[2]!++;
    expect(pool.add(5, 0.5, versions)).toBe(-1); // takes stale slot 2's place
    expect([pool.pop(versions), pool.pop(versions), pool.pop(versions)]).toEqual([4, 5, -1]);
  });

  it('addBatch does what add does for each candidate, with versions in a strided array', () => {
    // Batches of distinct slots (some already held), touches between batches, equal scores.
    const batch = fc.record({
      slots: fc.uniqueArray(fc.nat(23), { minLength: 1, maxLength: 6 }),
      scores: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }),
      touched: fc.array(fc.nat(23), { maxLength: 4 }),
      take: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(batch, { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (batches, size) => {
          const one = new VictimBuffer(size);
          const many = new VictimBuffer(size, 3, 1);
          const versions = new Uint32Array(24);
          const words = new Uint32Array(3 * 24);
          for (const b of batches) {
            for (const slot of b.touched) {
              versions[slot]!++;
              words[3 * slot + 1]!++;
            }
            const slots = Int32Array.from(b.slots);
            const scores = Float64Array.from(b.scores);
            const except = slots[0]!;
            const expected = [...slots].map((slot, i) =>
              slot === except ? -9 : one.add(slot, scores[i]!, versions),
            );
            const out = new Int32Array(slots.length).fill(-9);
            many.addBatch(slots, scores, slots.length, except, words, out);
            expect([...out]).toEqual(expected);
            expect(many.size).toBe(one.size);
            if (b.take) expect(many.takeAbove(2, words)).toBe(one.takeAbove(2, versions));
          }
          const drained = (pool: VictimBuffer, v: Uint32Array): number[] => {
            const order: number[] = [];
            for (let s = pool.pop(v); s >= 0; s = pool.pop(v)) order.push(s);
            return order;
          };
          expect(drained(many, words)).toEqual(drained(one, versions));
        },
      ),
    );
  });

  it('empties on clear()', () => {
    const versions = new Uint32Array(4);
    const pool = new VictimBuffer(4);
    pool.add(0, 1, versions);
    pool.clear();
    expect(pool.pop(versions)).toBe(-1);
  });
});
