import { describe, expect, it } from 'vitest';

import { createSievePolicy } from './sieve.ts';
import { describePolicyContract } from './test-contract.ts';
import { TestCache } from './test-replay.ts';

describe('sieve', () => {
  it('spares visited entries once, clearing their bit, and keeps the hand where it stopped', () => {
    const cache = new TestCache(createSievePolicy({ capacity: 3 }), 3);
    for (const key of [1, 2, 3]) cache.get(key);
    cache.get(1); // visited
    cache.get(4); // the hand passes 1 (clearing it) and evicts 2
    expect(cache.keys().sort()).toEqual([1, 3, 4]);
    cache.get(5); // the hand is at 3, which is unvisited
    expect(cache.keys().sort()).toEqual([1, 4, 5]);
    cache.get(6); // the hand moves on to 4, which was never hit; 1 survives behind the hand
    expect(cache.keys().sort()).toEqual([1, 5, 6]);
  });

  it('evicts the oldest when every entry is visited', () => {
    const cache = new TestCache(createSievePolicy({ capacity: 3 }), 3);
    for (const key of [1, 2, 3, 1, 2, 3]) cache.get(key);
    cache.get(4);
    expect(cache.keys().sort()).toEqual([2, 3, 4]);
  });

  it('lists unvisited entries from the hand first, then visited ones', () => {
    const policy = createSievePolicy({ capacity: 4 });
    for (const slot of [0, 1, 2, 3]) policy.onInsert(slot, slot, 1);
    policy.onAccess(0);
    policy.onAccess(2);
    const out = new Int32Array(8);
    expect([...out.subarray(0, policy.candidates(out, 8))]).toEqual([1, 3, 0, 2]);
  });

  it('moves the hand off a slot removed under it', () => {
    const policy = createSievePolicy({ capacity: 3 });
    for (const slot of [0, 1, 2]) policy.onInsert(slot, slot, 1);
    policy.onAccess(0);
    expect(policy.evict()).toBe(1); // the hand now rests on slot 2
    policy.onRemove(2);
    policy.onInsert(1, 10, 1);
    expect(policy.evict()).toBe(0); // 2 was the newest: the hand wraps to 0, whose bit is clear
  });
});

describePolicyContract('sieve', createSievePolicy);
