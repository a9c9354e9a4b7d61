import type { Random } from '../util/random.ts';
import { keyHash } from './shard-of.ts';

/**
 * Synthetic skewed loads for tests and benchmarks: `keyCount` keys named `${prefix}${i}`, key i
 * requested with probability ∝ 1/(i+1)^exponent (Zipf), hashed into `shardCount` shards.
 */
export interface ZipfOptions {
  readonly keyCount: number;
  readonly exponent: number;
  readonly shardCount: number;
  readonly prefix: string;
}

/** The expected requests per second of each shard when the keys get `totalRate` in all. */
export function zipfShardRates(
  options: ZipfOptions & { readonly totalRate: number },
): Float64Array {
  const weights = zipfWeights(options.keyCount, options.exponent);
  const shards = keyShards(options);
  const total = weights.reduce((a, b) => a + b, 0);
  const rates = new Float64Array(options.shardCount);
  for (let i = 0; i < weights.length; i++)
    rates[shards[i]!]! += (options.totalRate * weights[i]!) / total;
  return rates;
}

/** A sampler of shards: each call draws a key from the Zipf law and returns its shard. */
export function zipfShardSampler(options: ZipfOptions, random: Random): () => number {
  const weights = zipfWeights(options.keyCount, options.exponent);
  const shards = keyShards(options);
  const cumulative = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) cumulative[i] = sum += weights[i]!;
  return () => {
    // Inverse CDF by binary search: the first key whose cumulative weight exceeds the draw.
    const target = random.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return shards[lo]!;
  };
}

function zipfWeights(keyCount: number, exponent: number): Float64Array {
  return Float64Array.from({ length: keyCount }, (_, i) => (i + 1) ** -exponent);
}

function keyShards({ keyCount, shardCount, prefix }: ZipfOptions): Int32Array {
  return Int32Array.from(
    { length: keyCount },
    (_, i) => keyHash(`${prefix}${i}`) & (shardCount - 1),
  );
}
