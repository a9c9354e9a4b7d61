/**
 * What the gRPC service asks the node's cluster layer, when the node runs in a cluster (--ring).
 * Structural, so that the cluster runtime implements it without this folder importing it; a
 * standalone node passes none and every call is served as before.
 *
 * Two kinds of calls meet it: client calls (Get, Set, Delete, MultiGet, MultiSet), which may touch
 * only keys whose shard this node serves, and migration calls (Scan with ring_epoch, FetchKeys),
 * which another node makes to pull a shard from this one and which are exempt from ownership.
 */

/** Why the cluster layer refuses a call; status-map.ts turns it into a gRPC status. */
export interface ClusterRefusal {
  readonly reason: 'MOVED' | 'TRYAGAIN' | 'CLUSTERDOWN' | 'RING_BEHIND' | 'BAD_REQUEST';
  readonly message: string;
  /** MOVED only: `<shard> <owner's gRPC host:port>`, sent as the `mlcache-moved` trailer. */
  readonly moved?: string;
}

/**
 * How a call uses a key: `read` needs its current value (reads, conditional writes, deletes that
 * count), `blind` overwrites it without looking (a plain Set).
 */
export type KeyUse = 'read' | 'blind';

/**
 * The answer for a call's keys: go on (undefined), a refusal, or a promise that settles once the
 * keys can be served here (a migrating shard fetching them from their old owner); after it, the
 * service asks again, since the ring may have changed meanwhile.
 */
export type Admission = ClusterRefusal | undefined | Promise<ClusterRefusal | undefined>;

/** How this node answers migration calls for one shard. */
export type SourceView =
  /** Every key of the shard that exists is here: older sources need not be read. */
  | 'complete'
  /** Some keys may be only on older sources (this node was still receiving the shard). */
  | 'partial'
  /** What is here is stale leftovers: send nothing, and let older sources answer. */
  | 'empty';

export interface GrpcClusterPort {
  /** Client calls: may `keys`, used as `use`, be served here now? */
  admit(keys: readonly string[], use: KeyUse): Admission;
  /** Migration calls: refuses while this node's ring is older or its shard count differs. */
  checkMigration(ringEpoch: number, shardCount: number): ClusterRefusal | undefined;
  sourceView(shard: number): SourceView;
  /** True when the key was deleted here while this node was receiving its shard. */
  isTombstoned(key: string): boolean;
  /** The tombstones kept for a shard (empty unless its view is `partial`). */
  tombstonesOf(shard: number): Iterable<string>;
}

/** The shard of a key among `shardCount` shards (cluster/shard-of.ts, injected by main.ts). */
export type KeyShard = (key: string, shardCount: number) => number;
