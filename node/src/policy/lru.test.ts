import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createLruPolicy } from './lru.ts';
import { checkAgainstModel, policyOps, type PolicyModel } from './model-check.ts';

/** LRU as an array, oldest first. */
function lruModel(): PolicyModel {
  let order: number[] = [];
  const touch = (slot: number): void => {
    order = order.filter((s) => s !== slot);
    order.push(slot);
  };
  return {
    insert: touch,
    access: touch,
    update: touch,
    remove: (slot) => {
      order = order.filter((s) => s !== slot);
    },
    evict: () => order.shift() ?? -1,
    order: () => [...order],
    clear: () => {
      order = [];
    },
  };
}

function candidatesOf(policy: ReturnType<typeof createLruPolicy>, max = 100): number[] {
  const out: number[] = [];
  policy.candidates(out, max);
  return out;
}

describe('LRU policy', () => {
  it('evicts in least-recently-used order', () => {
    const lru = createLruPolicy({ capacity: 100 });
    lru.onInsert(0, 10, 1);
    lru.onInsert(1, 11, 1);
    lru.onInsert(2, 12, 1);
    lru.onAccess(0); // order: 1 2 0
    lru.onUpdate(1, 5); // order: 2 0 1
    expect(candidatesOf(lru)).toEqual([2, 0, 1]);
    expect(lru.evict()).toBe(2);
    expect(lru.evict()).toBe(0);
    lru.onInsert(2, 13, 1); // slot reused by a new key: newest
    expect(lru.evict()).toBe(1);
    expect(lru.evict()).toBe(2);
    expect(lru.evict()).toBe(-1);
  });

  it('forgets removed slots and respects max', () => {
    const lru = createLruPolicy({ capacity: 100 });
    for (let slot = 0; slot < 5; slot++) lru.onInsert(slot, slot, 1);
    lru.onRemove(1);
    lru.onRemove(3);
    const out = new Int32Array(2);
    expect(lru.candidates(out, 10)).toBe(2);
    expect(Array.from(out)).toEqual([0, 2]);
    expect(candidatesOf(lru, 2)).toEqual([0, 2]);
    expect(candidatesOf(lru)).toEqual([0, 2, 4]);
    lru.clear();
    expect(lru.evict()).toBe(-1);
    expect(candidatesOf(lru)).toEqual([]);
  });

  it('matches the array model on random operation sequences', () => {
    fc.assert(
      fc.property(policyOps(), (ops) => {
        checkAgainstModel(createLruPolicy({ capacity: 100 }), lruModel(), ops);
      }),
      { numRuns: 300 },
    );
  });
});
