import { describe, expect, it } from 'vitest';

import { createS3FifoPolicy } from './s3fifo.ts';
import { describePolicyContract } from './test-contract.ts';
import { TestCache } from './test-replay.ts';

describe('s3fifo', () => {
  // Capacity 10: S's share is 1, M's 9, G remembers 9 key ids.
  it('drops one-hit wonders from S into G, and a key found in G goes straight to M', () => {
    const cache = new TestCache(createS3FifoPolicy({ capacity: 10 }), 10);
    for (let key = 1; key <= 10; key++) cache.get(key);
    cache.get(11); // S's oldest (1) was never hit: evicted, remembered in G
    expect(cache.has(1)).toBe(false);
    expect(cache.get(1)).toBe(false); // a G hit: inserted into M
    for (let key = 100; key < 130; key++) cache.get(key); // new keys churn through S only
    expect(cache.has(1)).toBe(true);
  });

  it('moves an entry hit twice while in S to M, and evicts the once-hit one', () => {
    const cache = new TestCache(createS3FifoPolicy({ capacity: 10 }), 10);
    for (let key = 1; key <= 10; key++) cache.get(key);
    cache.get(1); // once: not enough (libCacheSim's threshold is 2)
    cache.get(2);
    cache.get(2);
    cache.get(11); // 1 is evicted despite its hit
    cache.get(12); // 2 moves to M; 3 is evicted
    expect(cache.has(1)).toBe(false);
    expect(cache.has(2)).toBe(true);
    expect(cache.has(3)).toBe(false);
  });

  it('re-inserts hit entries of M with their counter decremented (2-bit CLOCK)', () => {
    const cache = new TestCache(createS3FifoPolicy({ capacity: 10 }), 10);
    for (let key = 1; key <= 10; key++) cache.get(key);
    for (let hit = 0; hit < 2; hit++) for (let key = 1; key <= 9; key++) cache.get(key);
    cache.get(11); // S's 1..9 move to M (counters reset), 10 goes to G
    cache.get(1); // 1's counter in M becomes 1
    cache.get(10); // a G hit: 11 leaves S for room, 10 joins M, which is now over its share
    cache.get(12); // M evicts: 1 is re-inserted (counter 0), 2 is the victim
    expect(cache.has(1)).toBe(true);
    expect(cache.has(2)).toBe(false);
    expect(cache.has(10)).toBe(true);
  });
});

describePolicyContract('s3fifo', createS3FifoPolicy);
