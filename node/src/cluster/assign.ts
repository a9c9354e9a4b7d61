import { xxh64Into, xxh64OfUint32Into } from './key-hash.ts';

/**
 * Shard → node assignment: weighted rendezvous hashing (HRW) with bounded loads.
 *
 * Why rendezvous hashing rather than a ring of virtual nodes: each shard ranks every node by a
 * score hash(node, shard), and goes to the top one. When a node joins, a shard moves only if the
 * newcomer outranks its owner, and then it moves *to the newcomer*; when a node leaves, only its
 * shards move. That is the minimal-disruption property, exact and with no virtual-node count to
 * tune; its cost, O(shards × nodes) = 4096 × 32 hashes, is paid once per ring (the owner table is
 * memoised), never per request.
 *
 * Weights use the logarithmic method (Schindelhauer & Schomaker, "Weighted distributed hash
 * tables", 2005): score = weight / −ln(u), with u ∈ (0, 1) uniform from the hash. A node then wins
 * a shard with probability weight / Σ weights, exactly, and the properties above still hold.
 *
 * Why bounded loads: plain HRW over 4096 shards leaves the busiest node about
 * 1 + 2.5·√(N/4096) above the mean (≈1.22× at 32 nodes). Following consistent hashing with bounded
 * loads (Mirrokni, Thorup & Zadimoghaddam, 2018), shards are placed in index order and a node whose
 * load has reached its capacity ⌊loadFactor × its fair share⌋ is skipped: the shard goes to its
 * best-ranked node with room. The busiest node is then at most loadFactor × its share. The price
 * is that the minimal-disruption property becomes approximate: a shard that overflowed to its
 * second choice may return to its first when capacities change. `assign.test.ts` states and checks
 * the bounds measured for the default factor 1.1.
 *
 * The result depends only on the set of (id, weight) pairs, the shard count and the factor: nodes
 * are ranked by id before anything else, so input order does not matter. The score of (node,
 * shard) is XXH64 of the shard number as 4 little-endian bytes, seeded with XXH64 of the node id
 * (ASCII), so another implementation can reproduce it; note that ranking uses Math.log, which V8
 * computes with fdlibm on every platform.
 */

/** A node as the assignment sees it. */
export interface AssignNode {
  readonly id: string;
  /** Relative capacity, > 0: a node of weight 2 gets twice the shards of a node of weight 1. */
  readonly weight: number;
}

/** The bound used when a ring does not say otherwise: no node above 1.1 × its fair share. */
export const DEFAULT_LOAD_FACTOR = 1.1;

/**
 * The owner of every shard, as indices into `nodes`. `loadFactor` ≥ 1 bounds the busiest node's
 * shards to ⌊loadFactor × shardCount × weight / Σ weights⌋ (Infinity gives plain HRW).
 */
export function assignShards(
  nodes: readonly AssignNode[],
  shardCount: number,
  loadFactor: number = DEFAULT_LOAD_FACTOR,
): Int32Array {
  if (nodes.length === 0) throw new RangeError('cannot assign shards to no nodes');
  if (!(loadFactor >= 1)) throw new RangeError(`loadFactor must be >= 1, got ${loadFactor}`);
  const order = nodes.map((_, i) => i).sort((a, b) => compareIds(nodes[a]!.id, nodes[b]!.id));
  const count = nodes.length;
  const weights = new Float64Array(count);
  const seeds = new Uint32Array(2 * count);
  const out = new Uint32Array(2);
  for (let rank = 0; rank < count; rank++) {
    const node = nodes[order[rank]!]!;
    weights[rank] = node.weight;
    xxh64Into(out, node.id);
    seeds[2 * rank] = out[1]!;
    seeds[2 * rank + 1] = out[0]!;
  }
  const capacity = capacities(weights, shardCount, loadFactor);
  const load = new Int32Array(count);
  const owners = new Int32Array(shardCount);
  for (let shard = 0; shard < shardCount; shard++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let rank = 0; rank < count; rank++) {
      if (load[rank]! >= capacity[rank]!) continue;
      xxh64OfUint32Into(out, shard, seeds[2 * rank]!, seeds[2 * rank + 1]!);
      const score = weights[rank]! / -Math.log(unitInterval(out[1]!, out[0]!));
      if (score > bestScore) {
        bestScore = score;
        best = rank;
      }
    }
    load[best]!++;
    owners[shard] = order[best]!;
  }
  return owners;
}

/**
 * How many shards each node may own: ⌊factor × fair share⌋, or ⌈…⌉ when the floors together
 * cannot hold every shard (tiny shard counts), which always suffices since factor ≥ 1.
 */
export function capacities(
  weights: ArrayLike<number>,
  shardCount: number,
  loadFactor: number,
): Float64Array {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  const floors = new Float64Array(weights.length);
  let room = 0;
  for (let i = 0; i < weights.length; i++) {
    floors[i] = Math.floor((loadFactor * shardCount * weights[i]!) / total);
    room += floors[i]!;
  }
  if (room >= shardCount) return floors;
  return floors.map((_, i) => Math.ceil((loadFactor * shardCount * weights[i]!) / total));
}

/** A 64-bit hash as a uniform number in the open interval (0, 1), from its top 53 bits. */
function unitInterval(high: number, low: number): number {
  return (high * 2097152 + (low >>> 11) + 0.5) / 9007199254740992;
}

/** Code-unit order, the same in every locale (localeCompare is not). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
