import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { EvictionPolicy } from './eviction-policy.ts';
import { createLfuPolicy } from './lfu.ts';
import { checkAgainstModel, policyOps, type PolicyModel } from './model-check.ts';

interface ModelEntry {
  slot: number;
  freq: number;
  stamp: number;
}

/** LFU with aging as an array: sort by (frequency, last touch), halve all after W increments. */
function lfuModel(agingFactor: number, minAgingPeriod: number): PolicyModel {
  let entries: ModelEntry[] = [];
  let clock = 0;
  let increments = 0;
  const find = (slot: number): ModelEntry => entries.find((e) => e.slot === slot)!;
  const counted = (): void => {
    increments++;
    if (increments >= minAgingPeriod && increments >= agingFactor * entries.length) {
      increments = 0;
      for (const entry of entries) entry.freq = Math.max(1, Math.floor(entry.freq / 2));
    }
  };
  const hit = (slot: number): void => {
    const entry = find(slot);
    entry.freq++;
    entry.stamp = ++clock;
    counted();
  };
  const sorted = (): ModelEntry[] =>
    [...entries].sort((a, b) => a.freq - b.freq || a.stamp - b.stamp);
  return {
    insert: (slot) => {
      entries.push({ slot, freq: 1, stamp: ++clock });
      counted();
    },
    access: hit,
    update: hit,
    remove: (slot) => {
      entries = entries.filter((e) => e.slot !== slot);
    },
    evict: () => {
      const victim = sorted()[0];
      if (victim === undefined) return -1;
      entries = entries.filter((e) => e !== victim);
      return victim.slot;
    },
    order: () => sorted().map((e) => e.slot),
    clear: () => {
      entries = [];
      increments = 0;
    },
  };
}

function candidatesOf(policy: EvictionPolicy, max = 100): number[] {
  const out: number[] = [];
  policy.candidates(out, max);
  return out;
}

describe('LFU policy', () => {
  it('evicts the lowest frequency first, least recently used within a frequency', () => {
    const lfu = createLfuPolicy({ capacity: 100 });
    for (let slot = 0; slot < 4; slot++) lfu.onInsert(slot, slot, 1);
    lfu.onAccess(2); // 2: f2
    lfu.onAccess(0); // 0: f2, touched after 2
    lfu.onAccess(2); // 2: f3
    lfu.onUpdate(3, 9); // 3: f2, newest at f2
    expect(candidatesOf(lfu)).toEqual([1, 0, 3, 2]);
    expect(lfu.evict()).toBe(1);
    lfu.onInsert(1, 99, 1); // a new entry starts at frequency 1: the next victim
    expect(lfu.evict()).toBe(1);
    expect(lfu.evict()).toBe(0);
    lfu.onRemove(3);
    expect(lfu.evict()).toBe(2);
    expect(lfu.evict()).toBe(-1);
  });

  it("reports a resident's count (OBJECT FREQ), -1 for a slot it does not hold", () => {
    const lfu = createLfuPolicy({ capacity: 100 });
    lfu.onInsert(0, 0, 1);
    lfu.onInsert(1, 1, 1);
    lfu.onAccess(0);
    lfu.onUpdate(0, 1);
    expect([lfu.frequencyOf?.(0), lfu.frequencyOf?.(1), lfu.frequencyOf?.(2)]).toEqual([3, 1, -1]);
    lfu.onRemove(0);
    expect(lfu.frequencyOf?.(0)).toBe(-1);
  });

  it('ages: halving lets a new working set displace keys popular long ago', () => {
    // W = max(4, 2 x resident) increments.
    const lfu = createLfuPolicy({ capacity: 100, agingFactor: 2, minAgingPeriod: 4 });
    lfu.onInsert(0, 0, 1); // increment 1
    lfu.onInsert(1, 1, 1); // 2
    lfu.onAccess(0); // 3: slot 0 at f2
    lfu.onAccess(0); // 4 >= max(4, 2x2): halve, 0: f3 -> f1, 1: f1 -> f1, merged by recency
    expect(candidatesOf(lfu)).toEqual([1, 0]);
    lfu.onAccess(1); // 1: f2
    expect(candidatesOf(lfu)).toEqual([0, 1]);

    // Without aging slot 0 (10 hits long ago) would outrank slot 1 forever.
    const old = createLfuPolicy({ capacity: 100, agingFactor: 10, minAgingPeriod: 20 });
    old.onInsert(0, 0, 1);
    for (let i = 0; i < 10; i++) old.onAccess(0); // 0: f11, 11 increments
    old.onInsert(1, 1, 1); // 12
    for (let i = 0; i < 7; i++) old.onAccess(1); // 1: f8, 19 increments
    expect(candidatesOf(old)).toEqual([1, 0]);
    old.onAccess(1); // 20 increments: halve, 0: f11 -> 5, 1: f9 -> 4
    expect(candidatesOf(old)).toEqual([1, 0]);
    for (let i = 0; i < 2; i++) old.onAccess(1); // 1: f6 > 0: f5
    expect(candidatesOf(old)).toEqual([0, 1]);
  });

  it('merges buckets 1, 2 and 3 into frequency 1 in recency order', () => {
    const lfu = createLfuPolicy({ capacity: 100, agingFactor: 1, minAgingPeriod: 8 });
    for (let slot = 0; slot < 3; slot++) lfu.onInsert(slot, slot, 1); // 3 increments
    lfu.onAccess(0); // 0: f2 (4)
    lfu.onAccess(0); // 0: f3 (5)
    lfu.onAccess(1); // 1: f2 (6)
    lfu.onInsert(3, 3, 1); // 3: f1 (7)
    expect(candidatesOf(lfu)).toEqual([2, 3, 1, 0]);
    lfu.onAccess(2); // 2: f2 (8): halve, all at f1, by last touch: 0, 1, 3, 2
    expect(candidatesOf(lfu)).toEqual([0, 1, 3, 2]);
  });

  it('rejects nonsensical aging options', () => {
    expect(() => createLfuPolicy({ capacity: 1, agingFactor: 0 })).toThrow(RangeError);
    expect(() => createLfuPolicy({ capacity: 1, minAgingPeriod: Number.NaN })).toThrow(RangeError);
  });

  it('matches the array model on random operation sequences, with frequent aging', () => {
    fc.assert(
      fc.property(
        policyOps(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        (ops, agingFactor, minAgingPeriod) => {
          const lfu = createLfuPolicy({ capacity: 100, agingFactor, minAgingPeriod });
          checkAgainstModel(lfu, lfuModel(agingFactor, minAgingPeriod), ops);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches the array model with the default aging', () => {
    fc.assert(
      fc.property(policyOps(), (ops) => {
        checkAgainstModel(createLfuPolicy({ capacity: 100 }), lfuModel(10, 1024), ops);
      }),
      { numRuns: 100 },
    );
  });
});
