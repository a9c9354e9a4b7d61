/**
 * A small seeded workload on which recency alone does badly, for tests and benchmarks of the
 * learned policies: a Zipf-like core of popular keys, a loop over more keys than a small cache
 * holds (LRU's worst case), and one-hit wonders that are never requested again.
 */
import { createRandom } from '../../../node/src/util/random.ts';
import type { RequestBatch } from '../data/request-batch.ts';

export interface MixedWorkloadOptions {
  readonly requests: number;
  readonly seed: number;
  /** Keys of the Zipf-like core. @default 20_000 */
  readonly coreKeys?: number;
  /** Keys of the loop. @default 6_000 */
  readonly loopKeys?: number;
  /** Shares of the requests that go to the loop and to one-hit wonders. @default 0.2, 0.25 */
  readonly loopShare?: number;
  readonly oneHitShare?: number;
}

/** The requests as one batch (object sizes 1, no TTLs). */
export function mixedWorkload(options: MixedWorkloadOptions): RequestBatch {
  const n = options.requests;
  const random = createRandom(options.seed);
  const coreKeys = options.coreKeys ?? 20_000;
  const loopKeys = options.loopKeys ?? 6_000;
  const loopShare = options.loopShare ?? 0.2;
  const oneHitShare = options.oneHitShare ?? 0.25;
  const keys = new Float64Array(n);
  let loop = 0;
  let fresh = 0;
  for (let i = 0; i < n; i++) {
    const u = random.next();
    if (u < loopShare) keys[i] = coreKeys + (loop++ % loopKeys);
    else if (u < loopShare + oneHitShare) keys[i] = coreKeys + loopKeys + fresh++;
    // u^3 concentrates on small ranks: a skewed core, about like Zipf(0.7–0.8).
    else keys[i] = Math.floor(coreKeys * random.next() ** 3);
  }
  const timestamps = Float64Array.from({ length: n }, (_, i) => i);
  return {
    length: n,
    keys,
    sizes: new Float64Array(n).fill(1),
    timestamps,
    ttls: null,
    nextAccess: null,
  };
}
