import { describe, expect, it } from 'vitest';

import type { PolicyFactory, ResidentView } from '../policy/eviction-policy.ts';
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

  it('keeps the entries within the budget less what the policy reserves, as that grows, a few entries per write', () => {
    let reserved = 0;
    const store = new Store({
      clock: new ManualClock(1_000_000),
      maxMemory: 10 * entryCharge(5, 100),
      policy: (o) => Object.assign(createLruPolicy(o), { reservedBytes: () => reserved }),
    });
    for (let i = 0; i < 20; i++) store.set(String(i).padStart(5, '0'), value);
    expect(store.stats().items).toBe(10);
    reserved = 3 * entryCharge(5, 100);
    // Owed, not evicted at once: the write evicts what it needs, the next ones up to 8 more.
    store.set('fresh', value);
    expect(store.stats().items).toBe(10);
    store.set('fres2', value);
    expect(store.stats().items).toBe(7);
    expect(store.get('00019')).toBeDefined();
    expect(store.get('00012')).toBeUndefined();
    // CONFIG SET maxmemory honours it too.
    expect(store.setMaxMemory(8 * entryCharge(5, 100))).toBe(2);
    expect(store.stats().items).toBe(5);
  });

  it('gives the policy a view of its residents: the key id and the charge it was given', () => {
    const given = new Map<number, [number, number]>();
    let view: ResidentView | undefined;
    const store = new Store({
      clock: new ManualClock(1_000_000),
      maxMemory: 1 << 20,
      policy: (o) => {
        const lru = createLruPolicy(o);
        const onInsert = lru.onInsert.bind(lru);
        return Object.assign(lru, {
          attachResidents: (v: ResidentView) => (view = v),
          onInsert: (slot: number, keyId: number, size: number) => {
            given.set(slot, [keyId, size]);
            onInsert(slot, keyId, size);
          },
        });
      },
    });
    expect(view).toBeDefined();
    for (let i = 0; i < 500; i++) store.set(`key:${i}`, Buffer.alloc(i % 50, 1));
    expect(given.size).toBe(500);
    for (const [slot, [keyId, size]] of given) {
      expect(view!.keyIdOf(slot)).toBe(keyId);
      expect(view!.sizeOf(slot)).toBe(size);
    }
  });

  it('re-charges every entry when the policy changes its charge: a drop frees room, a rise is evicted a few per write', () => {
    let overhead = 100;
    const charge = (): number => entryCharge(5, 100) + overhead;
    const store = new Store({
      clock: new ManualClock(1_000_000),
      maxMemory: 100 * entryCharge(5, 200),
      policy: (o) =>
        Object.defineProperty(createLruPolicy(o), 'entryOverhead', { get: () => overhead }),
    });
    let next = 0;
    const write = (): void => {
      store.set(String(next++).padStart(5, '0'), value);
    };
    for (let i = 0; i < 300; i++) write();
    const full = store.stats().items;
    expect(full).toBe(Math.floor((100 * entryCharge(5, 200)) / charge()));
    expect(store.stats().bytesUsed).toBe(full * charge());

    overhead = 10; // the policy went plain: every entry is charged 90 bytes less from now on
    for (let i = 0; i < 300; i++) write();
    const roomy = store.stats().items;
    expect(roomy).toBe(Math.floor((100 * entryCharge(5, 200)) / charge()));
    expect(roomy).toBeGreaterThan(full);
    expect(store.stats().bytesUsed).toBe(roomy * charge());

    overhead = 100; // and back: the excess goes at most 8 entries per write beyond the write's own
    write();
    let items = store.stats().items;
    expect(items).toBeGreaterThanOrEqual(roomy - 9);
    expect(store.stats().bytesUsed).toBe(items * charge());
    let writes = 1;
    while (store.stats().bytesUsed > 100 * entryCharge(5, 200)) {
      const before = store.stats().items;
      write();
      writes++;
      items = store.stats().items;
      expect(before - items).toBeLessThanOrEqual(8);
      expect(writes).toBeLessThan(100);
    }
    expect(items).toBe(full);
    // Paid off: from here on each write evicts what it needs only.
    write();
    expect(store.stats().items).toBe(full);
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
