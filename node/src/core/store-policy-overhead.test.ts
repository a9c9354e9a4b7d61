import { describe, expect, it } from 'vitest';

import type { PolicyFactory } from '../policy/eviction-policy.ts';
import { createLruPolicy } from '../policy/lru.ts';
import { createMlHybridPolicy, ML_ENTRY_STATE_BYTES, ML_GHOST_BYTES } from '../policy/ml-hybrid.ts';
import { ManualClock } from '../util/clock.ts';
import { entryCharge } from './entry-size.ts';
import { Store } from './store.ts';

const value = Buffer.alloc(100, 0x61);

/** Fills a 1 MB store with 5-byte keys and 100-byte values; its resident count and bytes. */
function fill(policy: PolicyFactory): {
  items: number;
  bytesUsed: number;
} {
  const store = new Store({ clock: new ManualClock(1_000_000), maxMemory: 1 << 20, policy });
  for (let i = 0; i < 20_000; i++) store.set(String(i).padStart(5, '0'), value);
  const { items, bytesUsed } = store.stats();
  return { items, bytesUsed };
}

describe("Store: a policy's own bytes per entry count against the budget", () => {
  it('charges entryOverhead with every entry, so a policy that keeps more holds fewer', () => {
    const plain = fill((o) => createLruPolicy(o));
    const heavy = fill((o) => Object.assign(createLruPolicy(o), { entryOverhead: 116 }));
    expect(plain.bytesUsed).toBe(plain.items * entryCharge(5, 100));
    expect(heavy.bytesUsed).toBe(heavy.items * (entryCharge(5, 100) + 116));
    // 217 + 116 bytes per entry against 217 (5 + 100 + 112): about two thirds as many.
    expect(heavy.items).toBe(Math.floor((1 << 20) / (entryCharge(5, 100) + 116)));
    expect(plain.items).toBe(Math.floor((1 << 20) / entryCharge(5, 100)));
  });

  it('the learned policies declare their feature state and remembered evicted keys', () => {
    const ml = createMlHybridPolicy({ capacity: 1 << 20, base: 'lfu' });
    expect(ml.entryOverhead).toBe(ML_ENTRY_STATE_BYTES + 2 * ML_GHOST_BYTES);
    const none = createMlHybridPolicy({
      capacity: 1 << 20,
      base: 'lfu',
      params: { ghostMaxCapacity: 0 },
    });
    expect(none.entryOverhead).toBe(ML_ENTRY_STATE_BYTES);
    const learned = fill((o) => createMlHybridPolicy({ ...o, base: 'lru' }));
    expect(learned.bytesUsed).toBe(learned.items * (entryCharge(5, 100) + ml.entryOverhead));
  });
});
