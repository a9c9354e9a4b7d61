import { describe, expect, it } from 'vitest';

import { createArcPolicy } from './arc.ts';
import { describePolicyContract } from './test-contract.ts';
import { TestCache } from './test-replay.ts';

describe('arc', () => {
  it('keeps entries hit twice (T2) through a scan of one-time keys', () => {
    const cache = new TestCache(createArcPolicy({ capacity: 4 }), 4);
    for (const key of [1, 1, 2, 2]) cache.get(key);
    for (let key = 100; key < 140; key++) cache.get(key);
    expect(cache.has(1)).toBe(true);
    expect(cache.has(2)).toBe(true);
  });

  it('re-admits a B1 ghost into T2 and grows T1 target so T1 gives up the next victim', () => {
    const cache = new TestCache(createArcPolicy({ capacity: 4 }), 4);
    for (const key of [1, 1, 2, 3, 4]) cache.get(key); // T2 = [1], T1 = [2, 3, 4]
    cache.get(5); // case IV: REPLACE moves T1's LRU (2) to B1
    expect(cache.keys().sort()).toEqual([1, 3, 4, 5]);
    expect(cache.get(2)).toBe(false); // a B1 hit: p = 1, T1 (3 entries) > p gives up 3
    expect(cache.keys().sort()).toEqual([1, 2, 3, 4, 5].filter((key) => key !== 3));
    cache.get(6); // 2 went to T2 with 1, so T1's LRU (4) goes again
    expect(cache.keys().sort()).toEqual([1, 2, 5, 6]);
  });

  it('shrinks T1 target on a B2 hit, so T2 keeps its share', () => {
    const cache = new TestCache(createArcPolicy({ capacity: 2 }), 2);
    for (const key of [1, 1, 2, 2, 3]) cache.get(key); // T2 = [1, 2] → 1 moves to B2
    expect(cache.keys().sort()).toEqual([2, 3]);
    expect(cache.get(1)).toBe(false); // a B2 hit goes back to T2
    expect(cache.keys().sort()).toEqual([1, 2]);
  });

  it('lists the LRU end of the list REPLACE would take first', () => {
    const policy = createArcPolicy({ capacity: 4 });
    policy.onInsert(0, 10, 1);
    policy.onInsert(1, 11, 1);
    policy.onAccess(1); // T1 = [0], T2 = [1]; p = 0 < |T1| so T1 goes first
    policy.onInsert(2, 12, 1);
    const out: number[] = [];
    expect(policy.candidates(out, 8)).toBe(3);
    expect(out).toEqual([0, 2, 1]);
    expect(policy.evict()).toBe(0);
  });
});

describePolicyContract('arc', createArcPolicy);
