import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.ts';
import { CandidateSampler } from './candidate-sampler.ts';
import { createLruPolicy } from './lru.ts';

const shares = (tail: number, recent: number, random: number, recentWindow = 1000) => ({
  tail,
  recent,
  random,
  recentWindow,
  tailScan: tail,
});
const sweeping = (random: number) => ({ ...shares(0, 0, random), sweep: true });

/** An LRU and a sampler fed the same inserts, slots 0 … n-1 in order. */
function setup(n: number) {
  const lru = createLruPolicy({ capacity: n });
  const sampler = new CandidateSampler(createRandom(7));
  for (let slot = 0; slot < n; slot++) {
    lru.onInsert(slot, 1000 + slot, 1);
    sampler.onInsert(slot);
  }
  return { lru, sampler };
}

describe('CandidateSampler', () => {
  it('lists the base policy’s preferred victims first, in its order', () => {
    const { lru, sampler } = setup(50);
    const out = new Int32Array(16);
    const n = sampler.sample(lru, out, shares(4, 0, 0));
    expect(Array.from(out.subarray(0, n))).toEqual([0, 1, 2, 3]);
  });

  it('never lists a slot twice, even when every source proposes the same few', () => {
    const { lru, sampler } = setup(5);
    const out = new Int32Array(30);
    for (let round = 0; round < 200; round++) {
      const n = sampler.sample(lru, out, shares(5, 10, 15));
      const listed = Array.from(out.subarray(0, n));
      expect(new Set(listed).size).toBe(n);
      expect(n).toBeLessThanOrEqual(5);
    }
  });

  it('takes recent candidates only among recent inserts that were not hit since', () => {
    const { lru, sampler } = setup(100);
    // The newest 10 inserts are slots 90..99; 95..99 get hit.
    for (let slot = 95; slot < 100; slot++) sampler.onHit(slot);
    const out = new Int32Array(8);
    for (let round = 0; round < 100; round++) {
      const n = sampler.sample(lru, out, shares(0, 4, 0, 10));
      for (const slot of out.subarray(0, n)) {
        expect(slot).toBeGreaterThanOrEqual(90);
        expect(slot).toBeLessThan(95);
      }
    }
  });

  it('samples only residents: removed slots and stale ring entries are never listed', () => {
    const { lru, sampler } = setup(64);
    for (let slot = 0; slot < 64; slot += 2) {
      lru.onRemove(slot);
      sampler.onRemove(slot);
    }
    const out = new Int32Array(12);
    for (let round = 0; round < 300; round++) {
      const n = sampler.sample(lru, out, shares(4, 4, 4, 64));
      for (const slot of out.subarray(0, n)) {
        expect(slot % 2).toBe(1);
        expect(sampler.isResident(slot)).toBe(true);
      }
    }
    expect(sampler.residentCount).toBe(32);
  });

  it('draws random residents from the whole cache', () => {
    const { lru, sampler } = setup(40);
    const seen = new Set<number>();
    const out = new Int32Array(4);
    for (let round = 0; round < 400; round++) {
      const n = sampler.sample(lru, out, shares(0, 0, 4));
      for (const slot of out.subarray(0, n)) seen.add(slot);
    }
    expect(seen.size).toBe(40);
  });

  it('skips what the caller excludes, walking deeper into the base’s tail', () => {
    const { lru, sampler } = setup(30);
    const out = new Int32Array(4);
    const n = sampler.sample(lru, out, { ...shares(2, 0, 0), tailScan: 10 }, (s) => s < 3);
    expect(Array.from(out.subarray(0, n))).toEqual([3, 4]);
  });

  it('takes the newest inserts not hit since first, newest first, skipping the excluded', () => {
    const { lru, sampler } = setup(100);
    sampler.onHit(99); // hit since its insert: not a newest candidate
    const out = new Int32Array(8);
    const newest = (k: number) => ({ ...shares(0, 0, 0, 10), newest: k });
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, newest(2))))).toEqual([98, 97]);
    // Every draw is the same: the newest are taken in order, not sampled.
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, newest(2))))).toEqual([98, 97]);
    // 97 excluded (pooled, say): the walk goes on to 96, but no further than 2 × newest back.
    const skip97 = (s: number) => s === 97;
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, newest(2), skip97)))).toEqual([
      98, 96,
    ]);
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, newest(1), skip97)))).toEqual([98]);
    // 98 removed, its ring entry stale: a walk of two (99 hit, 98 gone) finds nothing.
    lru.onRemove(98);
    sampler.onRemove(98);
    expect(sampler.sample(lru, out, newest(1))).toBe(0);
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, newest(2))))).toEqual([97, 96]);
    // Recent ones from the same four inserts: the newest come first and none is listed twice.
    for (let round = 0; round < 50; round++) {
      const n = sampler.sample(lru, out, { ...shares(0, 3, 0, 4), newest: 2 });
      expect(Array.from(out.subarray(0, n))).toEqual([97, 96]);
    }
  });

  it('takes the insertion made exitAge insertions ago, unless it was hit since or left', () => {
    const { lru, sampler } = setup(100);
    const out = new Int32Array(8);
    const exit = (exitAge: number) => ({ ...shares(0, 0, 0, 10), exitAge });
    // Slots 0 … 99 were inserted in order: 10 insertions before the newest (99) is slot 89.
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, exit(10))))).toEqual([89]);
    expect(sampler.sample(lru, out, exit(10), (s) => s === 89)).toBe(0);
    // Older than every insertion, or off: nothing.
    expect(sampler.sample(lru, out, exit(100))).toBe(0);
    expect(sampler.sample(lru, out, exit(0))).toBe(0);
    sampler.onHit(89);
    expect(sampler.sample(lru, out, exit(10))).toBe(0);
    lru.onRemove(88);
    sampler.onRemove(88);
    expect(sampler.sample(lru, out, exit(11))).toBe(0);
    expect(Array.from(out.subarray(0, sampler.sample(lru, out, exit(12))))).toEqual([87]);
  });

  it('grows its ring of insertions on demand, keeping the insertions it held', () => {
    const lru = createLruPolicy({ capacity: 200 });
    const sampler = new CandidateSampler(createRandom(3), 16);
    const insert = (from: number, to: number) => {
      for (let slot = from; slot < to; slot++) {
        lru.onInsert(slot, 1000 + slot, 1);
        sampler.onInsert(slot);
      }
    };
    const recentSeen = (window: number) => {
      const seen = new Set<number>();
      const out = new Int32Array(4);
      for (let round = 0; round < 2000; round++) {
        const n = sampler.sample(lru, out, shares(0, 4, 0, window));
        for (const slot of out.subarray(0, n)) seen.add(slot);
      }
      return seen;
    };
    insert(0, 40);
    // A ring of 16: a window of 40 reaches back to slot 24 only.
    expect(Math.min(...recentSeen(40))).toBe(24);
    sampler.reserveInsertions(64);
    expect(Math.min(...recentSeen(40))).toBe(24); // what was never kept is not made up
    insert(40, 70);
    // Room for 64 now: the newest 64 insertions are 6 … 69, of which 24 … 69 were kept.
    const seen = recentSeen(64);
    expect(Math.min(...seen)).toBe(24);
    expect(seen.size).toBe(46);
    expect(Array.from(seen).every((s) => s >= 24 && s < 70)).toBe(true);
  });

  it('forgets everything on clear()', () => {
    const { lru, sampler } = setup(10);
    sampler.clear();
    lru.clear();
    expect(sampler.residentCount).toBe(0);
    expect(sampler.randomResident()).toBe(-1);
    expect(sampler.sample(lru, new Int32Array(8), shares(2, 2, 2))).toBe(0);
  });

  it('sweeps the residents in slot order from where it stopped, wrapping at the highest slot', () => {
    const { lru, sampler } = setup(10);
    sampler.onRemove(3);
    const out = new Int32Array(4);
    const taken: number[] = [];
    for (let round = 0; round < 6; round++) {
      const n = sampler.sample(lru, out, sweeping(2));
      taken.push(...out.subarray(0, n));
    }
    // Slot 3 left; the hand wraps after slot 9 (the highest ever inserted).
    expect(taken).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 0, 1, 2]);
  });

  it('passes over what the caller excludes and what this batch already listed', () => {
    const { lru, sampler } = setup(8);
    const out = new Int32Array(8);
    const odd = (slot: number) => slot % 2 === 1;
    const n = sampler.sample(lru, out, sweeping(3), odd);
    expect(Array.from(out.subarray(0, n))).toEqual([0, 2, 4]);
    // The base's victim (slot 0 for this LRU) is listed first; the hand, on from slot 5, wraps
    // and does not list it again.
    const m = sampler.sample(lru, out, { ...sweeping(4), tail: 1, tailScan: 1 });
    expect(Array.from(out.subarray(0, m))).toEqual([0, 5, 6, 7, 1]);
  });

  it('makes up with random residents what a sparse sweep does not find', () => {
    const { lru, sampler } = setup(400);
    // 4 residents left of 400 slots: 16 slots a sweep looks at for 2 hold none of them.
    for (let slot = 0; slot < 400; slot++) if (slot % 100 !== 99) sampler.onRemove(slot);
    const out = new Int32Array(4);
    const n = sampler.sample(lru, out, sweeping(2));
    expect(n).toBe(2);
    for (const slot of out.subarray(0, n)) expect(slot % 100).toBe(99);
  });

  it('starts over after clear(): the hand and the highest slot follow the new inserts', () => {
    const { lru, sampler } = setup(100);
    sampler.clear();
    for (let slot = 0; slot < 3; slot++) sampler.onInsert(slot);
    const out = new Int32Array(4);
    const taken: number[] = [];
    for (let round = 0; round < 3; round++) {
      const n = sampler.sample(lru, out, sweeping(2));
      taken.push(...out.subarray(0, n));
    }
    expect(taken).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('sweeping, looks at every resident once per turn of the hand, whatever came and went', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(63)), { maxLength: 300 }),
        fc.integer({ min: 1, max: 3 }),
        (ops, random) => {
          const { lru, sampler } = setup(64);
          const resident = new Set(Array.from({ length: 64 }, (_, slot) => slot));
          const out = new Int32Array(4);
          for (const [insert, slot] of ops) {
            if (insert) {
              sampler.onInsert(slot);
              resident.add(slot);
            } else {
              sampler.onRemove(slot);
              resident.delete(slot);
            }
            sampler.sample(lru, out, sweeping(random));
          }
          // With no change, as many draws as residents list each resident exactly once.
          const seen: number[] = [];
          while (seen.length < resident.size) {
            const n = sampler.sample(lru, out, sweeping(1));
            if (n === 0) break;
            seen.push(out[0]!);
          }
          expect(new Set(seen)).toEqual(resident);
          expect(seen.length).toBe(resident.size);
        },
      ),
    );
  });
});
