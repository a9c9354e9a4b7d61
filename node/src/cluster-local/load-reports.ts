import type { Ring } from '../cluster/ring.ts';
import { nodeRatesOf } from '../cluster/node-load.ts';

/**
 * What nodes say about their load (`GET /v1/load`), turned into the rebalancer's input.
 *
 * The shard rates of all nodes are summed: right after a move, the old owner's window still
 * counts the shard's past requests and the new owner's counts its recent ones, and the sum is the
 * shard's rate whoever served it. Node rates are then derived from the ring being planned on
 * (node-load.ts) rather than taken from the nodes, whose windows lag behind the last move.
 */

/** One node's report, reduced to what planning needs. */
export interface NodeLoad {
  /** Requests per second the node reports for itself over its window. */
  readonly rate: number | undefined;
  /** Requests per second per shard (only shards with requests). */
  readonly shardRates: ReadonlyMap<number, number>;
}

/**
 * Reads a /v1/load body (`{node, ringEpoch, requestRate, shards: [{shard, rate, role}], ...}`,
 * the shards listed being those with requests in the window); undefined when it is not one.
 */
export function parseNodeLoad(body: unknown): NodeLoad | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { requestRate, shards } = body as { requestRate?: unknown; shards?: unknown };
  if (!Array.isArray(shards)) return undefined;
  const shardRates = new Map<number, number>();
  for (const item of shards as unknown[]) {
    const { shard, rate } = (item ?? {}) as { shard?: unknown; rate?: unknown };
    if (typeof shard !== 'number' || typeof rate !== 'number') return undefined;
    shardRates.set(shard, (shardRates.get(shard) ?? 0) + rate);
  }
  return { rate: typeof requestRate === 'number' ? requestRate : undefined, shardRates };
}

/** The rebalancer's rates: summed shard rates, and node rates under `ring`. */
export function mergeLoads(
  ring: Ring,
  loads: Iterable<NodeLoad>,
): { shardRates: Float64Array; nodeRates: Map<string, number> } {
  const shardRates = new Float64Array(ring.shardCount);
  for (const load of loads) {
    for (const [shard, rate] of load.shardRates) {
      if (shard >= 0 && shard < ring.shardCount) shardRates[shard]! += rate;
    }
  }
  return { shardRates, nodeRates: nodeRatesOf(ring, shardRates) };
}
