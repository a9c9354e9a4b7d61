import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createLfuPolicy } from '../policy/lfu.ts';
import { createLruPolicy } from '../policy/lru.ts';
import { createMlHybridPolicy } from '../policy/ml-hybrid.ts';
import { createNoEvictionPolicy } from '../policy/noeviction.ts';
import { ManualClock } from '../util/clock.ts';
import { entryCharge } from './entry-size.ts';
import { Store } from './store.ts';
import type { StoreOptions } from './store.ts';

const value = Buffer.alloc(100, 0x61);
/** What one entry of a 5-byte key and `value` is charged. */
const CHARGE = entryCharge(5, 100);
const key = (i: number): string => String(i).padStart(5, '0');

/** A store of `entries` entries' budget with a 10% headroom that counts its `onEvictionDue` calls. */
function headroomStore(entries: number, options: Partial<StoreOptions> = {}) {
  const calls = { due: 0 };
  const store = new Store({
    clock: new ManualClock(1_000_000),
    maxMemory: entries * CHARGE,
    evictionHeadroom: 0.1,
    onEvictionDue: () => calls.due++,
    ...options,
  });
  return { store, calls };
}

describe('Store: eviction ahead of need (evictionHeadroom)', () => {
  it('lets writes use the headroom without evicting, asks once, and evictAhead frees it', () => {
    const { store, calls } = headroomStore(100);
    for (let i = 0; i < 90; i++) store.set(key(i), value);
    expect(calls.due).toBe(0);
    // The 91st entry leaves less than 10% free: one call, however many writes follow.
    for (let i = 90; i < 100; i++) store.set(key(i), value);
    expect(calls.due).toBe(1);
    expect(store.stats()).toMatchObject({ items: 100, evictedCapacity: 0, evictedAhead: 0 });
    // In batches of 4: true while more is due.
    expect(store.evictAhead(4)).toBe(true);
    expect(store.evictAhead(4)).toBe(true);
    expect(store.evictAhead(4)).toBe(false);
    expect(store.stats()).toMatchObject({ items: 90, evictedCapacity: 10, evictedAhead: 10 });
    // The LRU order decided which: the oldest.
    expect(store.get(key(9))).toBeUndefined();
    expect(store.get(key(10))).toBeDefined();
    // Caught up, the next write into the headroom asks again.
    store.set('fresh', value);
    expect(calls.due).toBe(2);
  });

  it('asks again after a run that threw (a policy bug), instead of never again', () => {
    let failures = 1;
    const { store, calls } = headroomStore(100, {
      policy: (options) => {
        const lru = createLruPolicy(options);
        const evict = lru.evict.bind(lru);
        lru.evict = () => {
          if (failures-- > 0) throw new Error('policy bug');
          return evict();
        };
        return lru;
      },
    });
    for (let i = 0; i < 95; i++) store.set(key(i), value);
    expect(calls.due).toBe(1);
    expect(() => store.evictAhead(4)).toThrow('policy bug');
    store.set(key(95), value);
    expect(calls.due).toBe(2);
    expect(store.evictAhead(100)).toBe(false);
    expect(store.stats()).toMatchObject({ items: 90, evictedAhead: 6 });
  });

  it('never lets a write exceed the budget: without evictAhead, writes evict inline', () => {
    const { store, calls } = headroomStore(100);
    for (let i = 0; i < 250; i++) store.set(key(i), value);
    expect(calls.due).toBe(1);
    expect(store.stats()).toMatchObject({ items: 100, evictedCapacity: 150, evictedAhead: 0 });
    expect(store.stats().bytesUsed).toBe(100 * CHARGE);
  });

  it('follows CONFIG SET maxmemory: the headroom is a share of the new budget', () => {
    const { store, calls } = headroomStore(100);
    for (let i = 0; i < 80; i++) store.set(key(i), value);
    expect(calls.due).toBe(0);
    // 80 entries in a budget of 85 with 8 of headroom: due at once.
    expect(store.setMaxMemory(85 * CHARGE)).toBe(0);
    expect(calls.due).toBe(1);
    while (store.evictAhead(1));
    expect(store.stats().items).toBe(Math.floor((85 * CHARGE * 0.9) / CHARGE));
  });

  it('is off without onEvictionDue, at 0, and with no budget; refuses a share above 0.5', () => {
    const clock = new ManualClock(1_000_000);
    const plain = new Store({ clock, maxMemory: 10 * CHARGE, evictionHeadroom: 0.5 });
    for (let i = 0; i < 10; i++) plain.set(key(i), value);
    expect(plain.evictAhead(100)).toBe(false);
    expect(plain.stats().items).toBe(10);
    const { store: unlimited } = headroomStore(0);
    unlimited.set('a', value);
    expect(unlimited.evictAhead(100)).toBe(false);
    expect(() => headroomStore(10, { evictionHeadroom: 0.6 })).toThrow(/evictionHeadroom/);
    expect(() => headroomStore(10, { evictionHeadroom: Number.NaN })).toThrow(/evictionHeadroom/);
  });

  it('stops asking under noeviction, where nothing can be evicted, until a flush', () => {
    const { store, calls } = headroomStore(10, { policy: (o) => createNoEvictionPolicy(o) });
    for (let i = 0; i < 10; i++) store.set(key(i), value);
    expect(calls.due).toBe(1);
    expect(store.evictAhead(100)).toBe(false);
    expect(store.stats().items).toBe(10);
    store.delete(key(0));
    store.set(key(0), value);
    expect(calls.due).toBe(1);
    store.clear();
    for (let i = 0; i < 10; i++) store.set(key(i), value);
    expect(calls.due).toBe(2);
  });

  it('works with a learned policy, whose reserved table lowers the floor', () => {
    const { store } = headroomStore(2_000, {
      policy: (o) => createMlHybridPolicy({ ...o, base: 'lfu' }),
    });
    for (let i = 0; i < 10_000; i++) store.set(key(i), value);
    while (store.evictAhead(64));
    const { bytesUsed, evictedAhead, evictedCapacity } = store.stats();
    expect(evictedAhead).toBeGreaterThan(0);
    expect(evictedAhead).toBeLessThanOrEqual(evictedCapacity);
    expect(bytesUsed).toBeLessThanOrEqual(2_000 * CHARGE * 0.9 - store.policy.reservedBytes!());
  });

  it('property: the budget always holds, and after evictAhead catches up the headroom is free', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(300), size: fc.nat(400) }),
      fc.record({ kind: fc.constant('del' as const), key: fc.nat(300) }),
      fc.record({ kind: fc.constant('ahead' as const), batch: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('budget' as const), entries: fc.integer({ min: 5, max: 80 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 300 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (ops, share) => {
          let due = 0;
          const store = new Store({
            clock: new ManualClock(1_000_000),
            maxMemory: 40 * CHARGE,
            policy: (o) => createLfuPolicy(o),
            evictionHeadroom: share,
            onEvictionDue: () => due++,
          });
          let budget = 40 * CHARGE;
          for (const o of ops) {
            if (o.kind === 'set') store.set(key(o.key), Buffer.alloc(o.size));
            else if (o.kind === 'del') store.delete(key(o.key));
            else if (o.kind === 'budget') store.setMaxMemory((budget = o.entries * CHARGE));
            else if (!store.evictAhead(o.batch) && share > 0) {
              expect(store.stats().bytesUsed).toBeLessThanOrEqual(
                budget - Math.floor(budget * share),
              );
            }
            expect(store.stats().bytesUsed).toBeLessThanOrEqual(budget);
          }
          if (share === 0) expect(due).toBe(0);
        },
      ),
    );
  });
});
