import { describe, expect, it } from 'vitest';

import { createRandom } from '../util/random.ts';
import { describePolicyContract } from './test-contract.ts';
import { replay, TestCache } from './test-replay.ts';
import { createWTinyLfuFixedPolicy, createWTinyLfuPolicy } from './wtinylfu.ts';

describe('wtinylfu', () => {
  it('sizes the window like Caffeine (adaptive) and libCacheSim (fixed, at least 1)', () => {
    expect(createWTinyLfuPolicy({ capacity: 1000 }).windowMaximum).toBe(10);
    expect(createWTinyLfuPolicy({ capacity: 26 }).windowMaximum).toBe(1);
    expect(createWTinyLfuFixedPolicy({ capacity: 204 }).windowMaximum).toBe(2);
    expect(createWTinyLfuFixedPolicy({ capacity: 26 }).windowMaximum).toBe(1);
  });

  for (const [name, factory] of [
    ['fixed', createWTinyLfuFixedPolicy],
    ['adaptive', createWTinyLfuPolicy],
  ] as const) {
    it(`keeps frequent keys through a scan (${name})`, () => {
      const cache = new TestCache(factory({ capacity: 100 }), 100);
      for (let round = 0; round < 10; round++) for (let key = 0; key < 10; key++) cache.get(key);
      for (let key = 1000; key < 3000; key++) cache.get(key);
      for (let key = 0; key < 10; key++) expect(cache.has(key)).toBe(true);
    });
  }

  it('evicts a new key that loses its duel and keeps the more frequent main victim', () => {
    const cache = new TestCache(createWTinyLfuFixedPolicy({ capacity: 100 }), 100);
    for (let round = 0; round < 4; round++) for (let key = 0; key < 100; key++) cache.get(key);
    cache.get(1000); // the window's entry (99, seen 4 times) ties its victim, and ties lose
    cache.get(1001); // 1000, seen once, loses to the main space's LRU entry
    expect(cache.has(1000)).toBe(false);
    expect(cache.has(1001)).toBe(true);
    expect(cache.keys().filter((key) => key < 99)).toHaveLength(99);
  });

  it('grows the window when recency pays (a sliding working set), beating the fixed window', () => {
    const random = createRandom(7);
    const keys = Array.from({ length: 100_000 }, (_, i) => Math.floor(i / 20) + random.int(800));
    const adaptive = createWTinyLfuPolicy({ capacity: 1000 });
    const fixed = createWTinyLfuFixedPolicy({ capacity: 1000 });
    const adaptiveResult = replay(keys, 6000, adaptive, { capacity: 1000 });
    const fixedResult = replay(keys, 6000, fixed, { capacity: 1000 });
    expect(adaptive.windowMaximum).toBeGreaterThan(100);
    expect(fixed.windowMaximum).toBe(10);
    expect(adaptiveResult.missRatio).toBeLessThan(fixedResult.missRatio - 0.05);
  });

  it('is reproducible for a seed', () => {
    const random = createRandom(3);
    const keys = Array.from({ length: 20_000 }, () => Math.floor(random.next() ** 3 * 5000));
    const run = (seed: number): number =>
      replay(keys, 5000, createWTinyLfuPolicy({ capacity: 200, seed }), { capacity: 200 }).misses;
    expect(run(5)).toBe(run(5));
  });
});

describePolicyContract('wtinylfu', createWTinyLfuPolicy);
describePolicyContract('wtinylfu-fixed', createWTinyLfuFixedPolicy);
