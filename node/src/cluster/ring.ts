/**
 * The ring: which nodes exist and which shards each owns, at one epoch. It is the one document
 * that nodes, gateways and the operator share (a ConfigMap file, or the admin API), and it is
 * immutable: every change is a new ring with a higher epoch.
 *
 * The JSON form (schemaVersion 1), field by field:
 *
 * - `schemaVersion` — 1. A reader refuses any other version: a version change means the
 *   assignment below may differ, so mixing versions would route keys to different nodes.
 * - `epoch` — a non-negative integer, incremented by every change. Nodes and gateways never go
 *   back to a lower epoch, and two different documents must never share one (see accept-ring.ts).
 * - `shardCount` — a power of two (≤ 65536): a key's shard is the low bits of XXH64 of its hash
 *   tag or bytes (shard-of.ts). Fixed for the life of a cluster.
 * - `loadFactor` — ≥ 1: no node owns more than ⌊loadFactor × its fair share⌋ of the hashed
 *   shards (assign.ts). 1.1 by default.
 * - `nodes[]` — every node the ring knows, each with:
 *   - `id` — unique, 1–253 chars of `[A-Za-z0-9._-]`, starting with a letter or digit (a pod name);
 *   - `address` — `host:port` of its RESP port, where gateways send commands;
 *   - `grpcAddress` — `host:port` of its gRPC port (shard scans for migration);
 *   - `adminAddress` — `host:port` of its admin HTTP port (health, metrics, ring reload);
 *   - `weight` — a number > 0, its relative capacity: weight 2 takes twice the shards;
 *   - `state` — `active` (owns shards), `joining` (owns its target shards while their data is
 *     copied in; the operator marks it active once its migrations are done) or `draining` (owns
 *     nothing; its shards are being copied out, after which it is removed).
 * - `overrides` — `{ "<shard>": "<node id>" }`: shards pinned to a node other than the hashed
 *   owner, written by the hot-shard rebalancer. Only active or joining nodes can be named.
 * - `migrations[]` — the copies still to do: `{ shard, from, to, startedEpoch }` says that keys of
 *   `shard` may still be on `from` and must be copied to `to`, which is always the shard's
 *   current owner. `startedEpoch` is the epoch at which `from` stopped owning the shard; when a
 *   shard has several sources (its owner changed again mid-copy), the source with the highest
 *   `startedEpoch` holds the newest values. A shard lists each source at most once.
 *
 * In memory, a Ring is normalised: nodes sorted by id, overrides as a Map sorted by shard,
 * migrations sorted by (shard, from). Two rings are the same iff their serialisations are equal.
 */

export const RING_SCHEMA_VERSION = 1;

/** The largest shard count a ring may have (owner tables are one Int32Array of this length). */
export const MAX_SHARD_COUNT = 65536;

export const NODE_STATES = ['active', 'joining', 'draining'] as const;

/** What a node is doing with respect to shard ownership (see the module comment). */
export type NodeState = (typeof NODE_STATES)[number];

/** One node of the ring. */
export interface RingNode {
  readonly id: string;
  /** `host:port` of the RESP port. */
  readonly address: string;
  /** `host:port` of the gRPC port. */
  readonly grpcAddress: string;
  /** `host:port` of the admin HTTP port. */
  readonly adminAddress: string;
  /** Relative capacity, > 0. */
  readonly weight: number;
  readonly state: NodeState;
}

/** A copy still to do: keys of `shard` may be on `from` and belong on `to` (the owner). */
export interface ShardMigration {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  /** The epoch from which `from` no longer owned the shard. */
  readonly startedEpoch: number;
}

/** A validated, normalised ring (build one with parseRingDocument or validateRing). */
export interface Ring {
  readonly schemaVersion: typeof RING_SCHEMA_VERSION;
  readonly epoch: number;
  readonly shardCount: number;
  readonly loadFactor: number;
  /** Sorted by id. */
  readonly nodes: readonly RingNode[];
  /** Shard → node id, in ascending shard order. */
  readonly overrides: ReadonlyMap<number, string>;
  /** Sorted by shard, then by `from`. */
  readonly migrations: readonly ShardMigration[];
}

/** True for the states that own shards in the hashed assignment. */
export function ownsShards(state: NodeState): boolean {
  return state !== 'draining';
}
