import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { EntryTable, hashBytes } from './entry-table.ts';
import { hashKey } from './key-hash.ts';
import { MAX_CHUNK } from './slab-arena.ts';

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('hashBytes', () => {
  it('gives the key ids hashKey gives the latin1 string of the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(8), (bytes, pad) => {
        const buffer = Buffer.concat([Buffer.alloc(pad, 7), bytes, Buffer.alloc(3, 9)]);
        const text = Buffer.from(bytes).toString('latin1');
        expect(hashBytes(buffer, pad, pad + bytes.length)).toBe(hashKey(text));
      }),
    );
  });
});

/** Paths the property must reach, or it proves nothing about them. */
const coverage = { shrinks: 0, rehashing: 0 };

describe('EntryTable', () => {
  it('finds, replaces and removes exactly like a Map, across index and arena growth', () => {
    // Up to 4000 distinct keys (the index grows from 2048 cells several times) with values up to
    // beyond MAX_CHUNK (pages of their own), so that lookups cross clusters left by deletions.
    const valueSize = fc.oneof(
      { weight: 8, arbitrary: fc.nat(140) },
      { weight: 1, arbitrary: fc.integer({ min: MAX_CHUNK - 40, max: MAX_CHUNK + 200 }) },
    );
    const step = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('put' as const),
          key: fc.nat(4000),
          size: valueSize,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('remove' as const), key: fc.nat(4000) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('bulk' as const),
          from: fc.nat(4000),
          n: fc.nat(1500),
          size: fc.nat(60),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('bulkRemove' as const),
          from: fc.nat(4000),
          n: fc.nat(1500),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('maintain' as const), cells: fc.nat(3000) }),
      },
      // Growth then a mass deletion of all but every `keep`-th resident key: the index grows
      // past its initial size, then shrinks.
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('cycle' as const),
          from: fc.nat(4000),
          n: fc.integer({ min: 2000, max: 3500 }),
          keep: fc.integer({ min: 6, max: 12 }),
        }),
      },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const table = new EntryTable();
        const model = new Map<string, { slot: number; value: Buffer }>();
        let version = 0;
        let previousCapacity = table.indexCapacity;
        const keyOf = (n: number): Buffer =>
          bytesOf(n % 3 === 0 ? `k${n}` : `key:${n}:${'x'.repeat(n % 70)}`);
        const put = (n: number, size: number): void => {
          const key = keyOf(n);
          const value = Buffer.alloc(size, ++version & 0xff);
          const hash = hashBytes(key, 0, key.length);
          const text = key.toString('latin1');
          if (table.rehashing) coverage.rehashing++;
          const slot = table.find(key, 0, key.length, hash);
          const known = model.get(text);
          expect(slot).toBe(known === undefined ? -1 : known.slot);
          if (known === undefined) {
            // The key is given within a larger buffer, as request bytes are.
            const framed = Buffer.concat([Buffer.from('$$'), key, value, Buffer.from('\r\n')]);
            const inserted = table.insert(
              framed,
              2,
              2 + key.length,
              hash,
              framed,
              2 + key.length,
              2 + key.length + size,
            );
            model.set(text, { slot: inserted, value });
          } else {
            table.replaceValue(slot, value, 0, size);
            known.value = value;
          }
        };
        const remove = (n: number): void => {
          const key = keyOf(n);
          const text = key.toString('latin1');
          const known = model.get(text);
          if (known === undefined) return;
          table.remove(known.slot);
          model.delete(text);
          if (table.indexCapacity < previousCapacity) coverage.shrinks++;
          previousCapacity = table.indexCapacity;
        };
        for (const s of steps) {
          if (s.kind === 'put') put(s.key, s.size);
          else if (s.kind === 'remove') remove(s.key);
          else if (s.kind === 'bulk') for (let i = 0; i < s.n; i++) put(s.from + i, s.size);
          else if (s.kind === 'bulkRemove') for (let i = 0; i < s.n; i++) remove(s.from + i);
          else if (s.kind === 'cycle') {
            for (let i = 0; i < s.n; i++) put(s.from + i, 10);
            let i = 0;
            for (const text of [...model.keys()]) {
              if (i++ % s.keep !== 0) remove(Number(/\d+/.exec(text)![0]));
            }
          } else table.maintain(s.cells);
          // Load stays within bounds: at most 3/4, and at least 1/8 above the initial size.
          expect(table.size).toBeLessThanOrEqual((table.indexCapacity * 3) / 4);
          if (!table.rehashing && table.indexCapacity > 2048) {
            expect(table.size).toBeGreaterThanOrEqual(table.indexCapacity / 8);
          }
        }
        expect(table.size).toBe(model.size);
        const slots = new Set<number>();
        for (const [text, { slot, value }] of model) {
          const key = bytesOf(text);
          expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(slot);
          expect(table.isLive(slot)).toBe(true);
          expect(table.keyString(slot)).toBe(text);
          expect(table.keyLength(slot)).toBe(key.length);
          expect(table.valueLength(slot)).toBe(value.length);
          const page = table.page(slot);
          if (!page.subarray(table.valueStart(slot), table.valueEnd(slot)).equals(value)) {
            expect.fail(`value of ${text} differs`);
          }
          expect(table.valueCopy(slot).equals(value)).toBe(true);
          slots.add(slot);
        }
        expect(slots.size).toBe(model.size);
        let live = 0;
        for (let slot = 0; slot < table.end; slot++) if (table.isLive(slot)) live++;
        expect(live).toBe(model.size);
        // Once upkeep is done, the top slot of the range is live and the records fit the range.
        while (table.maintain(1000));
        expect(table.rehashing).toBe(false);
        if (table.end > 0) expect(table.isLive(table.end - 1)).toBe(true);
        if (table.slotCapacity > 1024) expect(table.end).toBeGreaterThan(table.slotCapacity / 4);
        for (const [text, { slot }] of model) {
          const key = bytesOf(text);
          expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(slot);
        }
        for (let n = 10_000; n < 10_100; n++) {
          const key = keyOf(n);
          expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(-1);
        }
        table.clear();
        expect(table.size).toBe(0);
        expect(table.arenaBytes).toBe(0);
        const key = keyOf(1);
        expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(-1);
      }),
      { numRuns: 60 },
    );
    // The runs must have exercised shrinking and lookups in the middle of a rehash.
    expect(coverage.shrinks).toBeGreaterThan(0);
    expect(coverage.rehashing).toBeGreaterThan(0);
  });

  it('gives index cells and slot records back after mass deletes', () => {
    const table = new EntryTable();
    const n = 100_000;
    const keyOf = (i: number): Buffer => bytesOf(`key:${String(i).padStart(8, '0')}`);
    const value = (i: number): Buffer => Buffer.alloc(20 + (i % 50), i & 0xff);
    for (let i = 0; i < n; i++) {
      const key = keyOf(i);
      const v = value(i);
      expect(table.insert(key, 0, key.length, hashBytes(key, 0, key.length), v, 0, v.length)).toBe(
        i,
      );
      table.setExpireAt(i, 1000 + i);
    }
    while (table.maintain(1000));
    const cells = table.indexCapacity;
    const records = table.slotCapacity;
    const bytes = table.reservedBytes;
    // Delete the newest 90% (the top of the slot range) in random order.
    const doomed = Array.from({ length: n - n / 10 }, (_, i) => n / 10 + i);
    let seed = 3;
    for (let i = doomed.length - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const j = seed % (i + 1);
      [doomed[i], doomed[j]] = [doomed[j]!, doomed[i]!];
    }
    for (const i of doomed) table.remove(i);
    while (table.maintain(1000));
    expect(table.indexCapacity).toBeLessThanOrEqual(cells / 4);
    expect(table.end).toBe(n / 10);
    expect(table.slotCapacity).toBeLessThanOrEqual(records / 4);
    expect(table.reservedBytes).toBeLessThan(bytes * 0.25);
    for (let i = 0; i < n / 10; i++) {
      const key = keyOf(i);
      expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(i);
      expect(table.valueCopy(i).equals(value(i))).toBe(true);
      expect(table.expireAt(i)).toBe(1000 + i);
    }
    // New entries take the lowest free slots.
    table.remove(5);
    table.remove(7);
    const key = keyOf(n + 1);
    expect(table.insert(key, 0, key.length, hashBytes(key, 0, key.length), key, 0, 1)).toBe(5);
  });

  it('keeps a key and its expiry through a value change of size class', () => {
    const table = new EntryTable();
    const key = bytesOf('session:1');
    const hash = hashBytes(key, 0, key.length);
    const slot = table.insert(key, 0, key.length, hash, Buffer.alloc(10, 1), 0, 10);
    table.setExpireAt(slot, 1234);
    table.replaceValue(slot, Buffer.alloc(3000, 2), 0, 3000);
    table.replaceValue(slot, Buffer.alloc(MAX_CHUNK * 2, 3), 0, MAX_CHUNK * 2);
    expect(table.find(key, 0, key.length, hash)).toBe(slot);
    expect(table.keyString(slot)).toBe('session:1');
    expect(table.expireAt(slot)).toBe(1234);
    expect(table.valueCopy(slot).equals(Buffer.alloc(MAX_CHUNK * 2, 3))).toBe(true);
    table.replaceValue(slot, Buffer.alloc(0), 0, 0);
    expect(table.valueLength(slot)).toBe(0);
    expect(table.find(key, 0, key.length, hash)).toBe(slot);
  });
});
