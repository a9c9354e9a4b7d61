import type { Ring, RingNode } from '../../cluster/ring.ts';
import { ownerTable } from '../../cluster/ring-owners.ts';
import type { Logger } from '../../util/logger.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { MovedReply } from '../upstream/reply-sink.ts';

export interface RouterOptions {
  /** Opens the connections to a node that joins the ring. */
  readonly openPool: (node: RingNode) => NodePool;
  /** How long a node that left the ring may finish its outstanding requests. */
  readonly closeGraceMs: number;
  readonly logger: Logger;
}

/**
 * Key → node: the current ring's owner table, and the connection pool of each of its nodes
 * (pools[i] is ring.nodes[i]). A new ring keeps the pools of nodes that stay (same id and
 * address), opens the new ones and lets the leaving ones drain.
 *
 * MOVED hints: a node that answers MOVED knows a newer ring than ours. Until our ring changes,
 * the shard is sent where the node said, as Redis Cluster clients do; a ConfigMap mount can lag
 * the operator's change by a minute, and the hint keeps the shard reachable meanwhile.
 */
export class Router {
  #ring: Ring | undefined;
  #pools: NodePool[] = [];
  #owners: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #mask = 0;
  readonly #redirects = new Map<number, number>();
  readonly #options: RouterOptions;

  constructor(options: RouterOptions) {
    this.#options = options;
  }

  get ring(): Ring | undefined {
    return this.#ring;
  }

  /** The pools, in ring.nodes order. */
  get pools(): readonly NodePool[] {
    return this.#pools;
  }

  /** shardCount - 1 of the current ring (0 with no ring). */
  get shardMask(): number {
    return this.#mask;
  }

  /** The pool of the node owning `shard`; undefined while there is no ring. */
  poolOf(shard: number): NodePool | undefined {
    let index = this.#owners[shard];
    if (this.#redirects.size !== 0) index = this.#redirects.get(shard) ?? index;
    return index === undefined ? undefined : this.#pools[index];
  }

  /** The index in `pools` of the node owning `shard`, or -1 without a ring. */
  ownerIndexOf(shard: number): number {
    let index = this.#owners[shard];
    if (this.#redirects.size !== 0) index = this.#redirects.get(shard) ?? index;
    return index ?? -1;
  }

  /** Switches to `ring` (already accepted: a newer epoch). */
  apply(ring: Ring): void {
    const previous = new Map(this.#pools.map((pool) => [pool.nodeId, pool]));
    const pools = ring.nodes.map((node) => {
      const kept = previous.get(node.id);
      if (kept !== undefined && kept.address === node.address) {
        previous.delete(node.id);
        return kept;
      }
      return this.#options.openPool(node);
    });
    this.#ring = ring;
    this.#pools = pools;
    this.#owners = ownerTable(ring).owners;
    this.#mask = ring.shardCount - 1;
    this.#redirects.clear();
    for (const pool of previous.values()) {
      this.#options.logger.info('node left the ring', {
        nodeId: pool.nodeId,
        address: pool.address,
      });
      void pool.close(this.#options.closeGraceMs);
    }
  }

  /**
   * Records a MOVED reply as a hint when it names a node of our ring other than the owner we
   * used. Returns true when the shard will now be sent elsewhere.
   */
  noteMoved(moved: MovedReply): boolean {
    if (moved.shard > this.#mask || this.#ring === undefined) return false;
    const target = this.#pools.findIndex((pool) => pool.address === moved.address);
    if (target < 0 || target === this.ownerIndexOf(moved.shard)) return false;
    this.#redirects.set(moved.shard, target);
    return true;
  }

  /** Closes every pool (shutdown). */
  async close(): Promise<void> {
    const pools = this.#pools;
    this.#pools = [];
    this.#owners = new Int32Array(0);
    this.#ring = undefined;
    await Promise.all(pools.map((pool) => pool.close(this.#options.closeGraceMs)));
  }
}
