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
});
