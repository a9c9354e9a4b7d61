import { describe, expect, it } from 'vitest';

import { createFifoPolicy } from './fifo.ts';
import { describePolicyContract } from './test-contract.ts';
import { TestCache } from './test-replay.ts';

describe('fifo', () => {
  it('evicts in insertion order, whatever was hit', () => {
    const cache = new TestCache(createFifoPolicy({ capacity: 3 }), 3);
    for (const key of [1, 2, 3, 1, 1, 2]) cache.get(key);
    cache.get(4); // evicts 1 although it was hit twice
    expect(cache.keys().sort()).toEqual([2, 3, 4]);
    cache.get(5);
    expect(cache.keys().sort()).toEqual([3, 4, 5]);
  });

  it('lists its candidates oldest first', () => {
    const policy = createFifoPolicy({ capacity: 3 });
    policy.onInsert(7, 70, 1);
    policy.onInsert(2, 20, 1);
    policy.onInsert(5, 50, 1);
    policy.onAccess(7);
    const out = new Int32Array(8);
    expect([...out.subarray(0, policy.candidates(out, 8))]).toEqual([7, 2, 5]);
    expect(policy.candidates(out, 2)).toBe(2);
  });
});

describePolicyContract('fifo', createFifoPolicy);
