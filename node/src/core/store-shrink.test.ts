import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { entryCharge } from './entry-size.ts';
import { Store } from './store.ts';
import type { RemovalReason } from './store-types.ts';

const keyOf = (i: number): string => `key:${String(i).padStart(8, '0')}`;
const valueOf = (i: number): Buffer => Buffer.from(`value-${i}-${'v'.repeat(i % 40)}`);

/** A permutation of 0..n-1 from a fixed seed. */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Runs the store's background upkeep until nothing is left. */
function settle(store: Store): void {
  while (store.memory().rehashing) store.expireStep(100);
  for (let i = 0; i < 100; i++) store.expireStep(100);
}

describe('Store memory after mass deletes', () => {
  const n = 60_000;

  it('shrinks its index and accounting, and keeps every remaining value, TTL and LRU order', () => {
    const clock = new ManualClock();
    const evicted: string[] = [];
    const store = new Store({
      clock,
      policy: 'lru',
      onRemove: (key: string, reason: RemovalReason) => {
        if (reason === 'capacity') evicted.push(key);
      },
    });
    const now = clock.now();
    const ttlOf = (i: number): number => (i % 3 === 0 ? now + 3_600_000 + i : -1);
    for (let i = 0; i < n; i++) {
      const ttl = ttlOf(i);
      store.set(keyOf(i), valueOf(i), ttl === -1 ? undefined : { expireAt: ttl });
    }
    settle(store);
    const before = store.memory();
    const usedBefore = store.stats().bytesUsed;
    const order = shuffled(n, 11);
    const kept = order.slice(0, n / 10).sort((a, b) => a - b);
    for (const i of order.slice(n / 10)) expect(store.delete(keyOf(i))).toBe(true);
    settle(store);
    const after = store.memory();
    expect(after.indexCells).toBeLessThanOrEqual(before.indexCells / 4);
    // The arena moved the survivors' chunks out of its sparsest pages and freed those.
    expect(after.arenaBytes).toBeLessThan(before.arenaBytes / 3);
    expect(after.reservedBytes).toBeLessThan(before.reservedBytes / 2);
    expect(store.stats().bytesUsed).toBeLessThan(usedBefore / 9);
    expect(store.size()).toBe(n / 10);
    for (const i of kept) {
      expect(store.peek(keyOf(i))?.equals(valueOf(i))).toBe(true);
      expect(store.expireAtOf(keyOf(i))).toBe(ttlOf(i));
    }
    // Touch the kept keys in a known order, then shrink the budget: LRU evicts the least
    // recently touched first, so the policy's state survived the rehash.
    const touch = shuffled(kept.length, 5).map((at) => kept[at]!);
    for (const i of touch) store.get(keyOf(i));
    const half = touch.slice(touch.length / 2);
    const budget = half.reduce(
      (sum, i) => sum + entryCharge(keyOf(i).length, valueOf(i).length),
      0,
    );
    store.setMaxMemory(budget);
    expect(evicted).toEqual(touch.slice(0, touch.length / 2).map(keyOf));
    for (const i of half) expect(store.get(keyOf(i))?.equals(valueOf(i))).toBe(true);
  });

  it('gives slot records back as the top of the slot range empties', () => {
    const store = new Store({ clock: new ManualClock(), policy: 'lru' });
    for (let i = 0; i < n; i++) store.set(keyOf(i), valueOf(i));
    settle(store);
    const before = store.memory();
    // Random deletes leave survivors all over the slot range: the records cannot shrink yet.
    const order = shuffled(n, 3);
    for (const i of order.slice(n / 10)) store.delete(keyOf(i));
    settle(store);
    const sparse = store.memory();
    expect(sparse.slotCapacity).toBe(before.slotCapacity);
    // New keys fill the lowest free slots; as the old survivors leave (here deleted, under a
    // budget evicted or expired), the top of the range empties and the records shrink.
    for (let i = 0; i < n / 10; i++) store.set(`new:${i}`, valueOf(i));
    expect(store.memory().slotEnd).toBe(sparse.slotEnd);
    for (const i of order.slice(0, n / 10)) store.delete(keyOf(i));
    settle(store);
    const after = store.memory();
    // The new keys took the lowest 6000 free slots, which reach a little above 6000.
    expect(after.slotEnd).toBeLessThan(n / 8);
    expect(after.slotCapacity).toBeLessThanOrEqual(before.slotCapacity / 4);
    expect(after.reservedBytes).toBeLessThan(sparse.reservedBytes);
    for (let i = 0; i < n / 10; i++) expect(store.get(`new:${i}`)?.equals(valueOf(i))).toBe(true);
  });

  it('evicts correctly through the policy while the index shrinks under a budget', () => {
    const clock = new ManualClock();
    const store = new Store({ clock, policy: 'lfu', maxMemory: 0 });
    for (let i = 0; i < n; i++) store.set(keyOf(i), valueOf(i));
    for (const i of shuffled(n, 9).slice(0, n - 2000)) store.delete(keyOf(i));
    expect(store.memory().rehashing || store.memory().indexCells < 131_072).toBe(true);
    // A budget that holds about 1000 entries: every eviction must name a live slot (the store
    // throws otherwise) and the survivors must read back.
    const survivors: string[] = [];
    store.setMaxMemory(1000 * entryCharge(12, 60));
    for (let i = 0; i < 5000; i++) store.set(`late:${i}`, valueOf(i));
    for (let i = 0; i < 5000; i++) if (store.has(`late:${i}`)) survivors.push(`late:${i}`);
    expect(store.stats().bytesUsed).toBeLessThanOrEqual(1000 * entryCharge(12, 60));
    expect(survivors.length).toBeGreaterThan(100);
  });
});

type Op =
  | { readonly kind: 'set'; readonly key: number; readonly size: number; readonly ttl: number }
  | { readonly kind: 'delete'; readonly key: number }
  | { readonly kind: 'fill'; readonly from: number; readonly n: number }
  | { readonly kind: 'thin'; readonly keep: number }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'expireStep'; readonly max: number };

/** Paths the property must reach, or it proves nothing about them. */
const coverage = { shrinks: 0, recordShrinks: 0 };

describe('Store against a Map model, with shrinks', () => {
  it('answers like the model under random inserts, overwrites, deletes and mass deletes', () => {
    const KEYS = 8000;
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('set'),
          key: fc.nat(KEYS),
          size: fc.nat(300),
          ttl: fc.integer({ min: -1, max: 50 }),
        }),
      },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete'), key: fc.nat(KEYS) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('fill'),
          from: fc.nat(KEYS),
          n: fc.integer({ min: 500, max: 5000 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('thin'), keep: fc.integer({ min: 2, max: 20 }) }),
      },
      // Deletes all but the `keep` oldest keys: the top of the slot range empties.
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('truncate'),
          keep: fc.oneof(fc.constant(0), fc.nat(300)),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance'), ms: fc.nat(30) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('expireStep'), max: fc.nat(50) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops) => {
        const clock = new ManualClock();
        const store = new Store({ clock, policy: 'lru' });
        const model = new Map<string, { value: Buffer; expireAt: number }>();
        let version = 0;
        let cells = store.memory().indexCells;
        let records = store.memory().slotCapacity;
        const live = (key: string): { value: Buffer; expireAt: number } | undefined => {
          const entry = model.get(key);
          if (entry !== undefined && entry.expireAt !== 0 && entry.expireAt <= clock.now()) {
            model.delete(key);
            return undefined;
          }
          return entry;
        };
        const set = (key: string, size: number, ttl: number): void => {
          const value = Buffer.alloc(size, ++version & 0xff);
          const expireAt = ttl === -1 ? 0 : clock.now() + ttl + 1;
          store.set(key, value, expireAt === 0 ? undefined : { expireAt });
          model.set(key, { value, expireAt });
        };
        const remove = (key: string): void => {
          expect(store.delete(key)).toBe(live(key) !== undefined);
          model.delete(key);
        };
        for (const o of ops) {
          if (o.kind === 'set') set(`k${o.key}`, o.size, o.ttl);
          else if (o.kind === 'delete') remove(`k${o.key}`);
          else if (o.kind === 'fill') for (let i = 0; i < o.n; i++) set(`k${o.from + i}`, 20, -1);
          else if (o.kind === 'thin') {
            let i = 0;
            for (const key of [...model.keys()]) if (i++ % o.keep !== 0) remove(key);
          } else if (o.kind === 'truncate') {
            for (const key of [...model.keys()].slice(o.keep)) remove(key);
          } else if (o.kind === 'advance') clock.advance(o.ms);
          else store.expireStep(o.max);
          const memory = store.memory();
          if (memory.indexCells < cells) coverage.shrinks++;
          if (memory.slotCapacity < records) coverage.recordShrinks++;
          cells = memory.indexCells;
          records = memory.slotCapacity;
        }
        // The background upkeep finishes what the removes left (trimming, rehash, evacuation).
        for (let i = 0; i < 20; i++) store.expireStep(100);
        if (store.memory().slotCapacity < records) coverage.recordShrinks++;
        // Every key ever named, resident or not, answers as the model says.
        const wrong: string[] = [];
        for (let k = 0; k <= 2 * KEYS + 5000; k++) {
          const key = `k${k}`;
          const entry = live(key);
          const ttl = entry === undefined ? -2 : entry.expireAt === 0 ? -1 : entry.expireAt;
          const value = store.get(key);
          const same =
            entry === undefined ? value === undefined : value?.equals(entry.value) === true;
          if (!same || store.expireAtOf(key) !== ttl) wrong.push(key);
        }
        expect(wrong).toEqual([]);
        const items = store.stats().items;
        expect(items).toBeGreaterThanOrEqual(model.size);
      }),
      {
        numRuns: 30,
        // A fill emptied again: both shrinks are reached whatever the random runs draw (they
        // reached neither of the record shrinks once in a loaded full run).
        examples: [
          [
            [
              { kind: 'fill', from: 0, n: 5000 },
              { kind: 'truncate', keep: 0 },
              { kind: 'expireStep', max: 50 },
              { kind: 'fill', from: 0, n: 500 },
              { kind: 'thin', keep: 20 },
            ],
          ],
        ],
      },
    );
    expect(coverage.shrinks).toBeGreaterThan(0);
    expect(coverage.recordShrinks).toBeGreaterThan(0);
  }, 60_000);
});
