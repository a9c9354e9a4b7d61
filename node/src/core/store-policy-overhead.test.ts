import { describe, expect, it } from 'vitest';

import type { PolicyFactory } from '../policy/eviction-policy.ts';
import { createLruPolicy } from '../policy/lru.ts';
import { OverruleAudit } from '../policy/overrule-audit.ts';
import {
  createMlHybridPolicy,
  ghostLimitForBudget,
  ML_ENTRY_STATE_BYTES,
  ML_GHOST_BYTES,
} from '../policy/ml-hybrid.ts';
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

  it('keeps the entries within the budget less what the policy reserves, as that grows', () => {
    let reserved = 0;
    const store = new Store({
      clock: new ManualClock(1_000_000),
      maxMemory: 10 * entryCharge(5, 100),
      policy: (o) => Object.assign(createLruPolicy(o), { reservedBytes: () => reserved }),
    });
    for (let i = 0; i < 20; i++) store.set(String(i).padStart(5, '0'), value);
    expect(store.stats().items).toBe(10);
    reserved = 3 * entryCharge(5, 100);
    store.set('fresh', value);
    expect(store.stats().items).toBe(7);
    expect(store.get('00019')).toBeDefined();
    expect(store.get('00012')).toBeUndefined();
    // CONFIG SET maxmemory honours it too.
    expect(store.setMaxMemory(8 * entryCharge(5, 100))).toBe(2);
    expect(store.stats().items).toBe(5);
  });

  it('the learned policies charge their state per entry and reserve their evicted-keys table', () => {
    const ml = createMlHybridPolicy({ capacity: 1 << 20, base: 'lfu' });
    expect(ml.entryOverhead).toBe(ML_ENTRY_STATE_BYTES);
    // The table, and the audit of the challenges: one pair per 16 of its keys.
    const ghosts = ml.stats().ghostCapacity;
    expect(ml.reservedBytes()).toBe(ghosts * ML_GHOST_BYTES + OverruleAudit.bytesFor(ghosts / 16));
    // A node gives it a share of the budget (5%: 655 keys of 80 bytes in 1 MiB).
    expect(ghostLimitForBudget(1 << 20)).toBe(655);
    // The store tells it the budget is memory, so it caps the table itself; its audit holds the
    // fewest pairs, 64 (655 / 16 is fewer).
    const learned = fill((o) => createMlHybridPolicy({ ...o, base: 'lru' }));
    const reserved = 655 * ML_GHOST_BYTES + OverruleAudit.bytesFor(64);
    expect(learned.bytesUsed).toBe(learned.items * (entryCharge(5, 100) + ML_ENTRY_STATE_BYTES));
    expect(learned.bytesUsed).toBeLessThanOrEqual((1 << 20) - reserved);
    expect(learned.bytesUsed).toBeGreaterThan((1 << 20) - reserved - 1_000);
  });

  it('CONFIG SET maxmemory moves the evicted-keys limit both ways; a lower budget shrinks the table at once', () => {
    const store = new Store({
      clock: new ManualClock(1_000_000),
      maxMemory: 8 << 20,
      policy: (o) => createMlHybridPolicy({ ...o, base: 'lfu' }),
    });
    const ml = store.policy as ReturnType<typeof createMlHybridPolicy>;
    for (let i = 0; i < 200_000; i++) store.set(String(i).padStart(6, '0'), value);
    // Twice the residents (about 26K in 8 MiB), capped at 5%: 5,242 keys.
    expect(ml.stats().ghostCapacity).toBe(ghostLimitForBudget(8 << 20));
    store.setMaxMemory(1 << 20);
    expect(ml.stats().ghostCapacity).toBe(ghostLimitForBudget(1 << 20));
    // 5% for the table, and the audit follows it down (at least 64 pairs).
    expect(ml.reservedBytes()).toBe(
      ghostLimitForBudget(1 << 20) * ML_GHOST_BYTES + OverruleAudit.bytesFor(64),
    );
    // Full after the shrink: it kept the newest rows (growing-ghosts.test.ts checks which).
    expect(ml.stats().ghostKeys).toBe(ghostLimitForBudget(1 << 20));
    // The entries use the budget less the (smaller) table.
    expect(store.stats().bytesUsed).toBeGreaterThan((1 << 20) - ml.reservedBytes() - 1_000);
    // A larger budget lets it grow again as keys are evicted.
    store.setMaxMemory(8 << 20);
    for (let i = 0; i < 200_000; i++) store.set(`again:${i}`, value);
    expect(ml.stats().ghostCapacity).toBe(ghostLimitForBudget(8 << 20));
  });
});
