import { expect } from 'vitest';

import { createRandom } from '../util/random.ts';
import type { EvictionPolicy } from './eviction-policy.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './features.ts';
import type { Scorer } from './scorer-port.ts';
import type { TreeEnsemble } from './tree-model.ts';

/**
 * Test helpers of the learned policy (ml-hybrid*.test.ts): toy models, workloads, and a cache
 * driver that can pause between requests (remote scoring answers asynchronously).
 */

/** A model of any ranking: `score(row)` is its prediction for one feature row. */
export function scorer(
  score: (row: Float32Array, at: number) => number,
  version = FEATURE_SCHEMA_VERSION,
): Scorer {
  return {
    featureSchemaVersion: version,
    nFeatures: FEATURE_COUNT,
    treeCount: 1,
    predict(rows, out, n) {
      for (let i = 0; i < n; i++) out[i] = score(rows, i * FEATURE_COUNT);
    },
  };
}

/** Ranks like a good model would on a skewed workload: rarely used and long idle first. */
export const sensible = scorer((r, at) => Math.log1p(r[at]!) - Math.log1p(r[at + 1]!));
/** The opposite: evicts the most recently used, most used entries first. */
export const inverted = scorer((r, at) => -Math.log1p(r[at]!) + Math.log1p(r[at + 1]!));

/** A one-leaf model of a given base score, as a trainer would return it. */
export function constantModel(value: number, version = FEATURE_SCHEMA_VERSION): TreeEnsemble {
  return { featureSchemaVersion: version, nFeatures: FEATURE_COUNT, baseScore: value, trees: [] };
}

export type Op = { kind: 'get'; key: number; size: number } | { kind: 'del'; key: number };

/**
 * Drives a policy like a cache (GET that inserts on a miss, DEL), one op at a time, and keeps
 * the key ids it evicted, in order, and its hit count.
 */
export class CacheDriver {
  readonly victims: number[] = [];
  hits = 0;
  readonly #slotOf = new Map<number, number>();
  readonly #keyOf: number[] = [];
  readonly #sizeOf: number[] = [];
  readonly #free: number[] = [];
  #used = 0;

  readonly policy: EvictionPolicy;
  readonly capacity: number;

  constructor(policy: EvictionPolicy, capacity: number) {
    this.policy = policy;
    this.capacity = capacity;
  }

  /** The slot holding `key`, if resident. */
  slotOf(key: number): number | undefined {
    return this.#slotOf.get(key);
  }

  step(op: Op): void {
    const policy = this.policy;
    const slot = this.#slotOf.get(op.key);
    if (op.kind === 'del') {
      if (slot === undefined) return;
      policy.onRemove(slot);
      this.#slotOf.delete(op.key);
      this.#used -= this.#sizeOf[slot]!;
      this.#free.push(slot);
      return;
    }
    if (slot !== undefined) {
      this.hits++;
      policy.onAccess(slot);
      return;
    }
    policy.onMiss(op.key);
    if (op.size > this.capacity) return;
    while (this.#used + op.size > this.capacity) {
      const victim = policy.evict();
      expect(victim).toBeGreaterThanOrEqual(0);
      this.victims.push(this.#keyOf[victim]!);
      this.#slotOf.delete(this.#keyOf[victim]!);
      this.#used -= this.#sizeOf[victim]!;
      this.#free.push(victim);
    }
    const at = this.#free.pop() ?? this.#keyOf.length;
    this.#keyOf[at] = op.key;
    this.#sizeOf[at] = op.size;
    this.#slotOf.set(op.key, at);
    this.#used += op.size;
    policy.onInsert(at, op.key, op.size);
  }
}

/** Replays `ops` synchronously; returns the evicted key ids and the hit count. */
export function drive(
  policy: EvictionPolicy,
  ops: readonly Op[],
  capacity: number,
): { victims: number[]; hits: number } {
  const driver = new CacheDriver(policy, capacity);
  for (const op of ops) driver.step(op);
  return { victims: driver.victims, hits: driver.hits };
}

/** Replays `ops`, awaiting `pause` after every `every` ops (answers and timers run there). */
export async function driveAsync(
  policy: EvictionPolicy,
  ops: readonly Op[],
  capacity: number,
  pause: () => Promise<void>,
  every = 10,
): Promise<{ victims: number[]; hits: number }> {
  const driver = new CacheDriver(policy, capacity);
  for (let i = 0; i < ops.length; i++) {
    driver.step(ops[i]!);
    if (i % every === every - 1) await pause();
  }
  return { victims: driver.victims, hits: driver.hits };
}

/** A skewed workload: a Zipf-like hot set, a scan larger than the cache, one-hit wonders. */
export function skewed(n: number, seed: number): Op[] {
  const random = createRandom(seed);
  const ops: Op[] = [];
  let scan = 0;
  let fresh = 1_000_000;
  for (let i = 0; i < n; i++) {
    const u = random.next();
    if (u < 0.6) ops.push({ kind: 'get', key: Math.floor(400 * random.next() ** 3), size: 1 });
    else if (u < 0.8) ops.push({ kind: 'get', key: 10_000 + (scan++ % 600), size: 1 });
    else ops.push({ kind: 'get', key: fresh++, size: 1 });
  }
  return ops;
}

/** A Zipf-like workload over 2000 keys. */
export function zipf(n: number, seed: number): Op[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => ({
    kind: 'get' as const,
    key: Math.floor(2000 * random.next() ** 4),
    size: 1,
  }));
}
