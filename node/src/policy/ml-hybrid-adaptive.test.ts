import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.ts';
import type { MlBase } from './ml-hybrid.ts';
import { createBasePolicy, createMlHybridPolicy } from './ml-hybrid.ts';
import { resolveMlHybridParams } from './ml-hybrid-params.ts';
import type { Op } from './test-ml-drive.ts';
import { CacheDriver, drive } from './test-ml-drive.ts';

/** A hot set of 50 keys requested all along, and a stream of keys each requested twice in a row. */
function frequencyWins(n: number, seed: number): Op[] {
  const random = createRandom(seed);
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    ops.push({ kind: 'get', key: random.next() < 0.5 ? random.int(50) : 1000 + (i >> 1), size: 1 });
  }
  return ops;
}

/** Phases of 90 keys requested in random order: LFU holds on to the previous phases' keys. */
function recencyWins(n: number, seed: number): Op[] {
  const random = createRandom(seed);
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    ops.push({ kind: 'get', key: 10_000 + Math.floor(i / 3000) * 1000 + random.int(90), size: 1 });
  }
  return ops;
}

const CAPACITY = 100;

function hits(base: MlBase, ops: readonly Op[], adaptiveBase: boolean) {
  const policy = createMlHybridPolicy({ base, capacity: CAPACITY, params: { adaptiveBase } });
  const result = drive(policy, ops, CAPACITY);
  return { hits: result.hits, victims: result.victims, stats: policy.stats() };
}

describe('ML hybrid: adaptiveBase (the better of LRU and LFU proposes victims)', () => {
  it('ML+LFU takes LRU order where recency wins (no model: the base alone decides)', () => {
    const ops = recencyWins(60_000, 3);
    const lru = drive(createBasePolicy('lru', CAPACITY), ops, CAPACITY).hits;
    const lfu = drive(createBasePolicy('lfu', CAPACITY), ops, CAPACITY).hits;
    expect(lru).toBeGreaterThan(lfu * 1.05);
    const fixed = hits('lfu', ops, false);
    expect(fixed.hits).toBe(lfu);
    const adaptive = hits('lfu', ops, true);
    expect(adaptive.stats.baseSwitches).toBeGreaterThanOrEqual(1);
    expect(adaptive.stats.otherBaseActive).toBe(1);
    expect(adaptive.hits).toBeGreaterThan(lfu + 0.8 * (lru - lfu));
  }, 30_000);

  it('ML+LRU takes LFU order where frequency wins', () => {
    const ops = frequencyWins(40_000, 7);
    const lru = drive(createBasePolicy('lru', CAPACITY), ops, CAPACITY).hits;
    const lfu = drive(createBasePolicy('lfu', CAPACITY), ops, CAPACITY).hits;
    expect(lfu).toBeGreaterThan(lru * 1.05);
    expect(hits('lru', ops, false).hits).toBe(lru);
    const adaptive = hits('lru', ops, true);
    expect(adaptive.stats.otherBaseActive).toBe(1);
    expect(adaptive.hits).toBeGreaterThan(lru + 0.8 * (lfu - lru));
  }, 30_000);

  it('with shadowFollowsOrder, its shadow judges against the order it switched to', () => {
    // No model: the live cache is the active order alone. Once ML+LFU runs on LRU's order, a
    // shadow of LFU hits less than it; a shadow that follows the order hits about as much.
    const ops = recencyWins(60_000, 3);
    const run = (shadowFollowsOrder: boolean) => {
      const policy = createMlHybridPolicy({
        base: 'lfu',
        capacity: CAPACITY,
        params: { adaptiveBase: true, shadowFollowsOrder },
      });
      drive(policy, ops, CAPACITY);
      return policy.stats();
    };
    const own = run(false);
    const follows = run(true);
    expect([own.otherBaseActive, follows.otherBaseActive]).toEqual([1, 1]);
    expect(own.shadowLiveHitRatio).toBeCloseTo(follows.shadowLiveHitRatio, 10);
    // Live 0.95 of the sampled requests; LFU's shadow 0.45, LRU's 0.97.
    expect(own.shadowLiveHitRatio).toBeGreaterThan(0.9);
    expect(own.shadowBaseHitRatio).toBeLessThan(0.6);
    expect(follows.shadowBaseHitRatio).toBeGreaterThan(0.9);
  }, 30_000);

  it('keeps its own order, victim for victim, where the two do the same', () => {
    // A loop of 150 keys over a cache of 100: every request misses in both LRU and LFU.
    const ops: Op[] = [];
    for (let i = 0; i < 6000; i++) ops.push({ kind: 'get', key: i % 150, size: 1 });
    for (const base of ['lru', 'lfu'] as const) {
      const plain = drive(createBasePolicy(base, CAPACITY), ops, CAPACITY);
      const adaptive = hits(base, ops, true);
      expect(adaptive.stats.baseSwitches).toBe(0);
      expect(adaptive.victims).toEqual(plain.victims);
    }
  }, 30_000);

  it('ML+LFU evicts in LRU order when it switches to it: victim for victim an LRU list', () => {
    // Recency, then frequency, then recency again wins: the selector switches there and back.
    const ops = [
      ...recencyWins(30_000, 3),
      ...frequencyWins(60_000, 7),
      ...recencyWins(30_000, 11).map((op) => ({ ...op, key: op.key + 1_000_000 })),
    ];
    const policy = createMlHybridPolicy({ base: 'lfu', capacity: CAPACITY, params: {} });
    const driver = new CacheDriver(policy, CAPACITY);
    // The policy's residents in LRU order (a Map iterates in insertion order).
    const recency = new Map<number, true>();
    let checked = 0;
    let switches = 0;
    for (const op of ops) {
      if (op.kind !== 'get') continue;
      const active = policy.stats().otherBaseActive === 1;
      const evicted = driver.victims.length;
      driver.step(op);
      for (const victim of driver.victims.slice(evicted)) {
        if (active) {
          // No model: the order proposing victims evicts alone.
          expect(victim).toBe(recency.keys().next().value);
          checked++;
        }
        recency.delete(victim);
      }
      recency.delete(op.key);
      recency.set(op.key, true);
      switches = policy.stats().baseSwitches;
    }
    expect(switches).toBeGreaterThanOrEqual(3);
    expect(checked).toBeGreaterThan(2_000);
  }, 30_000);

  it('validates its knobs', () => {
    expect(() => resolveMlHybridParams({ adaptiveBase: 1 as unknown as boolean })).toThrow(
      /adaptiveBase/,
    );
    expect(() => resolveMlHybridParams({ baseSwitchDecay: 1 })).toThrow(/baseSwitchDecay/);
    expect(() => resolveMlHybridParams({ baseSwitchMargin: -0.1 })).toThrow(/baseSwitchMargin/);
  });
});
