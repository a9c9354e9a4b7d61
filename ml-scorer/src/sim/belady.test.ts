import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPolicy, policyNames } from '../../../node/src/policy/registry.ts';
import { createBeladySizePolicy } from './belady-size.ts';
import { createBeladyPolicy } from './belady.ts';
import { simulate, simulateMany } from './simulator.ts';
import { referenceFifo } from './testing.ts';

/**
 * MIN the slow, obvious way: on a miss with a full cache, scan the resident keys for the one used
 * farthest ahead (O(capacity) per miss, from a precomputed next-use table).
 */
function naiveMinHits(trace: readonly number[], capacity: number): number {
  const nextUse = new Array<number>(trace.length);
  const last = new Map<number, number>();
  for (let t = trace.length - 1; t >= 0; t--) {
    nextUse[t] = last.get(trace[t]!) ?? Infinity;
    last.set(trace[t]!, t);
  }
  const resident = new Map<number, number>(); // key -> its next use
  let hits = 0;
  trace.forEach((key, t) => {
    if (resident.has(key)) {
      hits++;
    } else if (resident.size === capacity) {
      let victim = -1;
      let farthest = -1;
      for (const [candidate, next] of resident) {
        if (next > farthest) {
          farthest = next;
          victim = candidate;
        }
      }
      resident.delete(victim);
    }
    resident.set(key, nextUse[t]!);
  });
  return hits;
}

const smallTrace = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 400 });

describe('Belady (object budget)', () => {
  it('matches a naive MIN exactly', async () => {
    await fc.assert(
      fc.asyncProperty(smallTrace, fc.integer({ min: 1, max: 30 }), async (trace, capacity) => {
        const result = await simulate(trace, createBeladyPolicy, { capacity, ignoreSize: true });
        expect(result.hits).toBe(naiveMinHits(trace, capacity));
      }),
      { numRuns: 150 },
    );
  });

  it('misses no more than any online policy of the registry', async () => {
    const online = policyNames()
      .filter((name) => name !== 'noeviction')
      .map((name) => findPolicy(name)!);
    const factories = [...online, referenceFifo];
    await fc.assert(
      fc.asyncProperty(smallTrace, fc.integer({ min: 1, max: 30 }), async (trace, capacity) => {
        const specs = [createBeladyPolicy, ...factories].map((factory) => ({
          factory,
          capacity,
          ignoreSize: true,
        }));
        const [belady, ...others] = await simulateMany(trace, specs);
        for (const other of others) expect(belady!.misses).toBeLessThanOrEqual(other.misses);
      }),
      { numRuns: 150 },
    );
  });

  it('stays exact across heap rebuilds on a long trace with many re-accesses', async () => {
    // Hits push heap entries without removing old ones; the heap is rebuilt many times here.
    const trace = Array.from({ length: 60_000 }, (_, i) => ((i * 7919) % 89) + (i % 3) * 40);
    const result = await simulate(trace, createBeladyPolicy, { capacity: 50, ignoreSize: true });
    expect(result.hits).toBe(naiveMinHits(trace, 50));
  });

  it('lists candidates farthest first without removing them', () => {
    const policy = createBeladyPolicy({ capacity: 4 });
    [
      [0, 9],
      [1, 4],
      [2, Infinity],
    ].forEach(([slot, next]) => {
      policy.observe(slot!, next!);
      policy.onInsert(slot!, slot!, 1);
    });
    const out = new Int32Array(3);
    expect(policy.candidates(out, 3)).toBe(3);
    expect([...out]).toEqual([2, 0, 1]);
    expect(policy.evict()).toBe(2);
    expect(policy.evict()).toBe(0);
    policy.onRemove(1);
    expect(policy.evict()).toBe(-1);
  });
});

describe('Belady, size-aware (byte budget)', () => {
  it('evicts the largest size x distance and never admits an object without a future', async () => {
    // t0 a(5, next t3), t1 b(5, next t4) fill 10; t2 c(5): scores a 5x1, b 5x2: evicts b.
    // t3 a hits (no future: first out); t4 b misses and, with no future, is not admitted; t5 c hits.
    const trace = [1, 2, 3, 1, 2, 3].map((key) => ({ key, size: 5 }));
    expect(await simulate(trace, createBeladySizePolicy, { capacity: 10 })).toMatchObject({
      hits: 2,
      misses: 4,
    });
  });

  it('prefers evicting one large object over several small ones', async () => {
    // big(8) and s1..s2 (1 each) fill 10; s3 needs 1: big (8 x 4) outscores s1 (1 x 3).
    const trace = [
      { key: 9, size: 8 },
      { key: 1, size: 1 },
      { key: 2, size: 1 },
      { key: 3, size: 1 },
      { key: 1, size: 1 },
      { key: 2, size: 1 },
      { key: 3, size: 1 },
      { key: 9, size: 8 },
    ];
    expect((await simulate(trace, createBeladySizePolicy, { capacity: 10 })).hits).toBe(3);
  });

  it('is reproducible for a seed when it samples', async () => {
    const trace = Array.from({ length: 20_000 }, (_, i) => ({
      key: (i * 7919) % 1013,
      size: 1 + (i % 7),
    }));
    const run = () => simulate(trace, createBeladySizePolicy, { capacity: 600, seed: 3 });
    expect((await run()).hits).toBe((await run()).hits);
  });
});
