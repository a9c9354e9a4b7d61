import { describe, expect, it } from 'vitest';
import { createMlHybridPolicy } from './ml-hybrid.ts';
import type { MlHybridParams } from './ml-hybrid-params.ts';
import { OverruleAudit } from './overrule-audit.ts';
import { CacheDriver, drive } from './test-ml-drive.ts';
import type { Op } from './test-ml-drive.ts';

/** `keys` distinct keys of size 1 through a cache of `capacity`: evictions oldest first. */
function evictedKeysRemembered(
  params: Partial<MlHybridParams>,
  capacity: number,
  keys: number,
): { ghostKeys: number; ghostCapacity: number } {
  const policy = createMlHybridPolicy({ capacity, base: 'lfu', params });
  const ops: Op[] = Array.from({ length: keys }, (_, key) => ({ kind: 'get', key, size: 1 }));
  drive(policy, ops, capacity);
  const { ghostKeys, ghostCapacity } = policy.stats();
  return { ghostKeys, ghostCapacity };
}

describe('ML hybrid: the evicted-keys table follows the residents', () => {
  it('grows past its first size (2^17) to twice the residents, so more evicted keys are remembered', () => {
    // A node's capacity is bytes, so its first size is the cap. 70K residents want 140K, and
    // 140K evictions fill them: a table stuck at 2^17 would keep 131,072.
    const grown = evictedKeysRemembered({}, 70_000, 210_000);
    expect(grown.ghostCapacity).toBeGreaterThanOrEqual(140_000);
    expect(grown.ghostKeys).toBe(140_000);
  });

  it('stops at ghostMaxCapacity (0: none), and a fixed ghostCapacity never grows', () => {
    // 1,000 residents want 2,000 remembered keys.
    expect(evictedKeysRemembered({ ghostMaxCapacity: 1_500 }, 1_000, 5_000)).toEqual({
      ghostKeys: 1_500,
      ghostCapacity: 1_500,
    });
    expect(evictedKeysRemembered({ ghostCapacity: 1_200 }, 1_000, 5_000)).toEqual({
      ghostKeys: 1_200,
      ghostCapacity: 1_200,
    });
    expect(evictedKeysRemembered({ ghostMaxCapacity: 0 }, 1_000, 5_000).ghostKeys).toBe(0);
    expect(evictedKeysRemembered({}, 1_000, 5_000).ghostKeys).toBe(2_000);
  });

  it('holds at most 5% of a memory budget, and more after the budget grows', () => {
    // 1 MiB of 1,000-byte entries: about 1,000 residents want 2,000 remembered keys, but 5%
    // of the budget holds 655 of 80 bytes.
    const policy = createMlHybridPolicy({ capacity: 1 << 20, base: 'lfu', memoryBudget: true });
    const driver = new CacheDriver(policy, 1 << 20);
    for (let key = 0; key < 3_000; key++) driver.step({ kind: 'get', key, size: 1_000 });
    expect(policy.stats().ghostCapacity).toBe(655);
    // And the audit of ML+LFU's challenges: one pair per 16 keys, at least 64 (overrule-audit.ts).
    expect(policy.reservedBytes()).toBe(655 * 80 + OverruleAudit.bytesFor(64));
    policy.resize(4 << 20); // 2,621 now
    for (let key = 3_000; key < 6_000; key++) driver.step({ kind: 'get', key, size: 1_000 });
    expect(policy.stats().ghostCapacity).toBeGreaterThanOrEqual(2_000);
    expect(policy.stats().ghostCapacity).toBeLessThanOrEqual(2_621);
  });
});
