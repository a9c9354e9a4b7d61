import type { Registry } from 'prom-client';
import { registerCollected } from './collected-metric.ts';
import type { Labels, MetricKind, Sample } from './collected-metric.ts';
import { METRIC_PREFIX } from './create-node-metrics.ts';

/**
 * What a cluster node's metrics read at scrape time (the cluster runtime implements it; this
 * folder does not import it). Plain numbers and small maps, nothing computed per request.
 */
export interface ClusterStatsSource {
  /** The ring's epoch, or undefined before the first ring. */
  readonly ringEpoch: number | undefined;
  /** Refused ring documents by reason (malformed, stale-epoch, conflict-same-epoch, ...). */
  readonly ringRejections: ReadonlyMap<string, number>;
  /** Entries imported by migrations and their bytes, by source node. */
  readonly migrationKeys: ReadonlyMap<string, number>;
  readonly migrationBytes: ReadonlyMap<string, number>;
  /** Incoming (shard, source) migrations not finished yet. */
  readonly migrationsActive: number;
  /** Fault-ins by result (found, deleted, absent, failed). */
  readonly faultIns: ReadonlyMap<string, number>;
  readonly movedReplies: number;
  readonly droppedKeys: number;
  readonly tombstones: number;
  /** Shards by role: owned, receiving, preparing. */
  readonly shardsByRole: ReadonlyMap<string, number>;
  /** Requests per second, estimated from the sampled load, for the node and its hottest shards. */
  readonly requestRate: number;
  hottestShards(n: number): readonly { readonly shard: number; readonly rate: number }[];
}

/** Shards exported with their own series: all 4096 would be too many. */
export const HOT_SHARD_SERIES = 20;

type Row = readonly [what: string, type: MetricKind, help: string, read: (l: Labels) => Sample[]];

/** Registers a cluster node's metrics (besides createNodeMetrics'), with the same base labels. */
export function createClusterMetrics(options: {
  readonly registry: Registry;
  readonly node: string;
  readonly policy: string;
  readonly source: ClusterStatsSource;
}): void {
  const source = options.source;
  const base: Labels = { node: options.node, policy: options.policy };
  const byLabel = (l: Labels, label: string, map: ReadonlyMap<string, number>): Sample[] =>
    [...map].map(([name, value]) => ({ labels: { ...l, [label]: name }, value }));
  const rows: Row[] = [
    [
      'ring_epoch',
      'gauge',
      "The epoch of the node's ring; -1 before the first ring.",
      (l) => [{ labels: l, value: source.ringEpoch ?? -1 }],
    ],
    [
      'ring_rejected_total',
      'counter',
      'Ring documents refused (the last good ring was kept), by reason.',
      (l) => byLabel(l, 'reason', source.ringRejections),
    ],
    [
      'migration_keys_total',
      'counter',
      'Entries imported by shard migrations into this node, by source node.',
      (l) => byLabel(l, 'from', source.migrationKeys),
    ],
    [
      'migration_bytes_total',
      'counter',
      'Key and value bytes imported by shard migrations into this node, by source node.',
      (l) => byLabel(l, 'from', source.migrationBytes),
    ],
    [
      'migrations_active',
      'gauge',
      'Incoming shard migrations (shard, source) not finished yet.',
      (l) => [{ labels: l, value: source.migrationsActive }],
    ],
    [
      'migration_fault_ins_total',
      'counter',
      'Keys fetched from a source before a command could run on them, by result.',
      (l) => byLabel(l, 'result', source.faultIns),
    ],
    [
      'moved_total',
      'counter',
      "Commands answered MOVED because their key's shard is another node's.",
      (l) => [{ labels: l, value: source.movedReplies }],
    ],
    [
      'migration_dropped_keys_total',
      'counter',
      'Keys removed because their shard moved away (or was stale when it came back).',
      (l) => [{ labels: l, value: source.droppedKeys }],
    ],
    [
      'migration_tombstones',
      'gauge',
      'Tombstones kept for keys removed from shards still being received.',
      (l) => [{ labels: l, value: source.tombstones }],
    ],
    [
      'shards',
      'gauge',
      'Shards this node serves, by role (owned, receiving, preparing).',
      (l) => byLabel(l, 'role', source.shardsByRole),
    ],
    [
      'request_rate',
      'gauge',
      'Keyed requests per second, estimated from sampled requests over the last minute.',
      (l) => [{ labels: l, value: source.requestRate }],
    ],
    [
      'shard_request_rate',
      'gauge',
      `Keyed requests per second of the ${HOT_SHARD_SERIES} hottest shards, by shard.`,
      (l) =>
        source
          .hottestShards(HOT_SHARD_SERIES)
          .map(({ shard, rate }) => ({ labels: { ...l, shard }, value: rate })),
    ],
  ];
  for (const [what, type, help, read] of rows) {
    registerCollected(options.registry, {
      name: METRIC_PREFIX + what,
      type,
      help,
      read: () => read(base),
    });
  }
}
