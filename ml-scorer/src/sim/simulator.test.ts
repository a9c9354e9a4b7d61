import { describe, expect, it } from 'vitest';
import { findPolicy } from '../../../node/src/policy/registry.ts';
import type { RequestBatch } from '../data/request-batch.ts';
import { batchFromRequests } from '../data/request-batch.ts';
import { createBeladyPolicy } from './belady.ts';
import { simulate, simulateMany } from './simulator.ts';
import { referenceFifo } from './testing.ts';

const lru = findPolicy('lru')!;
const fifo = findPolicy('fifo');
const noeviction = findPolicy('noeviction');

/** The trace of Belady's anomaly: FIFO misses more with 4 slots than with 3. */
const ANOMALY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

describe('simulate: exact counts on hand traces (object budget)', () => {
  // Counted by hand, request by request; see the comments for the cache contents.
  it.each([
    // LRU, 3 slots: misses 1 2 3 4(-1) 1(-2) 2(-3) 5(-4), hits 1 2, misses 3(-5) 4(-1) 5(-2).
    ['lru', lru, 3, 2],
    // LRU, 4 slots: misses 1-4, hits 1 2, miss 5(-3), hits 1 2, misses 3(-4) 4(-5) 5(-1).
    ['lru', lru, 4, 4],
    // FIFO, 3 slots: misses 1-4, 1(-2) 2(-3) 5(-4), hits 1 2, misses 3(-1) 4(-2), hit 5.
    ['test-fifo', referenceFifo, 3, 3],
    // FIFO, 4 slots: misses 1-4, hits 1 2, misses 5(-1) 1(-2) 2(-3) 3(-4) 4(-5) 5(-1).
    ['test-fifo', referenceFifo, 4, 2],
    // Belady, 3 slots: misses 1-4 (-3), hits 1 2, miss 5 (-4), hits 1 2, misses 3 4, hit 5.
    ['belady', createBeladyPolicy, 3, 5],
  ])('%s with %i slots: %i hits', async (_name, factory, capacity, hits) => {
    const result = await simulate(ANOMALY, factory, { capacity, ignoreSize: true });
    expect(result).toMatchObject({
      requests: 12,
      hits,
      misses: 12 - hits,
      missRatio: (12 - hits) / 12,
    });
    expect(result.byteMissRatio).toBe(result.missRatio);
  });

  it.skipIf(fifo === undefined)('the registry FIFO shows the anomaly too', async () => {
    expect((await simulate(ANOMALY, fifo!, { capacity: 3, ignoreSize: true })).hits).toBe(3);
    expect((await simulate(ANOMALY, fifo!, { capacity: 4, ignoreSize: true })).hits).toBe(2);
  });
});

describe('simulate: sizes', () => {
  it('evicts until a larger object fits and counts bytes', async () => {
    // capacity 10: a(4) b(4) | c(6) evicts a and b (LRU) | a(4) fits next to c | c hit.
    const trace = [
      { key: 1, size: 4 },
      { key: 2, size: 4 },
      { key: 3, size: 6 },
      { key: 1, size: 4 },
      { key: 3, size: 6 },
    ];
    const result = await simulate(trace, lru, { capacity: 10 });
    expect(result).toMatchObject({ hits: 1, misses: 4, byteRequests: 24, byteMisses: 18 });
    expect(result.byteMissRatio).toBeCloseTo(18 / 24);
  });

  it('does not admit an object larger than the cache, and evicts nothing for it', async () => {
    const trace = [
      { key: 1, size: 5 },
      { key: 2, size: 50 },
      { key: 1, size: 5 },
      { key: 2, size: 50 },
    ];
    expect(await simulate(trace, lru, { capacity: 10 })).toMatchObject({ hits: 1, misses: 3 });
  });

  it('treats a new size for a resident key as a hit and an overwrite, evicting to fit', async () => {
    // 1(3) 2(3) resident (6 of 8); 1 grows to 6: hit, then 2 is evicted to fit; 2 misses again.
    const trace = [
      { key: 1, size: 3 },
      { key: 2, size: 3 },
      { key: 1, size: 6 },
      { key: 2, size: 3 },
    ];
    const [result] = await simulateMany(trace, [{ factory: lru, capacity: 8 }]);
    expect(result).toMatchObject({ hits: 1, misses: 3 });
  });

  it("with entryOverhead, charges each object that plus the policy's own bytes, and counts bytes by size", async () => {
    // Three objects of 4 bytes, requested twice, in 18 bytes: at 4 or 6 bytes each all three
    // stay and the second pass hits; at 8 (2 + the policy's 2) two stay and LRU misses them all.
    const trace = [1, 2, 3, 1, 2, 3].map((key) => ({ key, size: 4 }));
    const heavy: typeof lru = (o) => Object.assign(lru(o), { entryOverhead: 2 });
    const [free, plain, charged] = await simulateMany(trace, [
      { factory: heavy, capacity: 18 },
      { factory: lru, capacity: 18, entryOverhead: 2 },
      { factory: heavy, capacity: 18, entryOverhead: 2 },
    ]);
    expect(free).toMatchObject({ hits: 3, byteRequests: 24, byteMisses: 12 });
    expect(plain).toMatchObject({ hits: 3, byteRequests: 24, byteMisses: 12 });
    expect(charged).toMatchObject({ hits: 0, byteRequests: 24, byteMisses: 24 });
    // An object budget counts objects, whatever the overheads.
    const [objects] = await simulateMany(trace, [
      { factory: heavy, capacity: 3, ignoreSize: true, entryOverhead: 2 },
    ]);
    expect(objects).toMatchObject({ hits: 3 });
  });

  it("with entryOverhead, re-charges the residents when the policy's own bytes change", async () => {
    // 18 bytes, objects of 4 charged 2 by the policy (6 each: three fit), 4 from the fourth to
    // the sixth request (8 each: two fit), then 2 again. LRU:
    // 1 2 3 miss, 1 hits (now 8 each); 4 misses and evicts 2 and 3; 3 misses and evicts 1;
    // 4 hits (now 6 each); 1 misses and fits beside 4 and 3; 3, 4, 1 hit: 5 hits. Charged 2
    // throughout it would hit 7 times (4 evicts only 2), and 4 throughout from the fourth, twice.
    let own = 2;
    let requests = 0;
    const changing: typeof lru = (o) => {
      const policy = lru(o);
      const onMiss = policy.onMiss.bind(policy);
      const onAccess = policy.onAccess.bind(policy);
      const tick = (): void => {
        requests++;
        own = requests >= 4 && requests < 7 ? 4 : 2;
      };
      return Object.defineProperties(policy, {
        entryOverhead: { get: () => own },
        onMiss: { value: (key: number) => (onMiss(key), tick()) },
        onAccess: { value: (slot: number) => (onAccess(slot), tick()) },
      });
    };
    const trace = [1, 2, 3, 1, 4, 3, 4, 1, 3, 4, 1].map((key) => ({ key, size: 4 }));
    const [charged] = await simulateMany(trace, [
      { factory: changing, capacity: 18, entryOverhead: 0 },
    ]);
    expect(charged).toMatchObject({ hits: 5 });
  });

  it("with entryOverhead, keeps the objects within the budget less the policy's reservedBytes", async () => {
    // 18 bytes, 6 reserved: two objects of 4 (+2) fit, not three, and LRU misses the cycle.
    const trace = [1, 2, 3, 1, 2, 3].map((key) => ({ key, size: 4 }));
    const reserving: typeof lru = (o) => Object.assign(lru(o), { reservedBytes: () => 6 });
    const [ignored, reserved] = await simulateMany(trace, [
      { factory: reserving, capacity: 18 },
      { factory: reserving, capacity: 18, entryOverhead: 2 },
    ]);
    expect(ignored).toMatchObject({ hits: 3 });
    expect(reserved).toMatchObject({ hits: 0 });
  });

  it('counts every object as 1 with ignoreSize', async () => {
    const trace = [
      { key: 1, size: 400 },
      { key: 2, size: 400 },
      { key: 1, size: 400 },
    ];
    expect(await simulate(trace, lru, { capacity: 2, ignoreSize: true })).toMatchObject({
      hits: 1,
      byteRequests: 3,
    });
  });
});

describe('simulate: TTL', () => {
  it('makes a request after expiry a miss and re-inserts the object', async () => {
    const trace = [
      { key: 1, timestamp: 0, ttl: 10 },
      { key: 1, timestamp: 5, ttl: 10 }, // hit
      { key: 1, timestamp: 10, ttl: 10 }, // expired at 10: miss, re-inserted until 20
      { key: 1, timestamp: 19, ttl: 10 }, // hit
      { key: 2, timestamp: 19 }, // no ttl: never expires
      { key: 2, timestamp: 1e9 }, // hit
    ];
    expect(await simulate(trace, lru, { capacity: 10 })).toMatchObject({ hits: 3, misses: 3 });
  });
});

describe('simulate: policies that refuse to evict', () => {
  it.skipIf(noeviction === undefined)(
    'noeviction admits until full, then refuses new objects',
    async () => {
      const result = await simulate([1, 2, 3, 1, 2, 3], noeviction!, {
        capacity: 2,
        ignoreSize: true,
      });
      expect(result).toMatchObject({ hits: 2, misses: 4 });
    },
  );

  it('rejects a policy that names an empty slot as victim', async () => {
    const broken = () => ({ ...referenceFifo({ capacity: 1 }), name: 'broken', evict: () => 7 });
    await expect(simulate([1, 2], broken, { capacity: 1, ignoreSize: true })).rejects.toThrow(
      /policy broken returned slot 7/,
    );
  });
});

describe('simulateMany', () => {
  it('gives each cache the same result it gets alone, reading the source once', async () => {
    const trace = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 301) + (i % 13));
    const specs = [
      { factory: lru, capacity: 20, ignoreSize: true },
      { factory: createBeladyPolicy, capacity: 20, ignoreSize: true },
      { factory: referenceFifo, capacity: 50, ignoreSize: true },
    ];
    const together = await simulateMany(trace, specs);
    for (const [i, spec] of specs.entries()) {
      const alone = await simulate(trace, spec.factory, spec);
      expect({ ...together[i]!, seconds: 0 }).toEqual({ ...alone, seconds: 0 });
    }
    let passes = 0;
    const batch = batchFromRequests(trace);
    const source: Iterable<RequestBatch> = {
      [Symbol.iterator]: () => {
        passes++;
        return [batch][Symbol.iterator]();
      },
    };
    const streamed = await simulateMany(source, specs);
    expect(passes).toBe(1);
    expect(streamed.map((r) => r.hits)).toEqual(together.map((r) => r.hits));
  });

  it('reports progress after each batch', async () => {
    const seen: number[] = [];
    await simulateMany([1, 2, 3], [{ factory: lru, capacity: 1 }], (n) => seen.push(n));
    expect(seen).toEqual([3]);
  });
});
