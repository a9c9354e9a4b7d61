import type { Ring } from './ring.ts';
import { ownerTable } from './ring-owners.ts';

/**
 * Node load from shard load: the sum of the rates of the shards each node owns in a ring. A
 * gateway that counts per shard gets per-node rates this way for free; a simulation uses it to
 * see what a plan would do.
 */
export function nodeRatesOf(ring: Ring, shardRates: ArrayLike<number>): Map<string, number> {
  const { nodes, owners } = ownerTable(ring);
  const sums = new Float64Array(nodes.length);
  for (let shard = 0; shard < owners.length; shard++)
    sums[owners[shard]!]! += shardRates[shard] ?? 0;
  return new Map(nodes.map((node, i) => [node.id, sums[i]!]));
}

/** The busiest node's rate over the mean rate of the nodes listed (1 when all is idle). */
export function maxOverMean(rates: Iterable<number>): number {
  let max = 0;
  let sum = 0;
  let count = 0;
  for (const rate of rates) {
    max = Math.max(max, rate);
    sum += rate;
    count++;
  }
  return sum > 0 ? max / (sum / count) : 1;
}
