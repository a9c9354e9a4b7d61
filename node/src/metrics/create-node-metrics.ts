import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { StoreStats } from '../core/store-types.ts';
import { histogramSamples, registerCollected } from './collected-metric.ts';
import type { Labels, MetricKind, Sample } from './collected-metric.ts';
import { pubsubRows } from './pubsub-rows.ts';
import { trackingRows } from './tracking-rows.ts';
import type {
  CommandStatsSource,
  PersistenceStatsSource,
  PubSubStatsSource,
  TrackingStatsSource,
} from './sources.ts';

/**
 * The node's Prometheus metrics, bound to an injected Registry. Every value is read from the
 * subsystems' plain counters when the registry is scraped; nothing here runs per request.
 *
 * Names follow `mlcache_node_<what>_<unit>`, counters end in `_total`, and every series carries
 * the `node` and `policy` labels (the process metrics too), so that one dashboard can compare
 * nodes and policies side by side.
 */
export interface NodeMetricsOptions {
  readonly registry: Registry;
  readonly node: string;
  readonly policy: string;
  readonly store: { stats(): StoreStats };
  /** The RESP front end; its metrics are left out when absent. */
  readonly commands?: CommandStatsSource;
  /** Pub/Sub's registry; its metrics are left out when absent. */
  readonly pubsub?: PubSubStatsSource;
  /** Client-side caching's registry; its metrics are left out when absent. */
  readonly tracking?: TrackingStatsSource;
  /** The persistence adapter; its metrics are left out when nothing is persisted. */
  readonly persistence?: PersistenceStatsSource;
  /** Also register prom-client's process and Node.js metrics (prefixed `mlcache_node_`). @default true */
  readonly processMetrics?: boolean;
}

/** The prefix of every metric name, process metrics included. */
export const METRIC_PREFIX = 'mlcache_node_';

type Row = readonly [
  name: string,
  type: MetricKind,
  help: string,
  read: (base: Labels) => Sample[],
];

/** Registers the node's metrics on `options.registry`. */
export function createNodeMetrics(options: NodeMetricsOptions): void {
  const base: Labels = { node: options.node, policy: options.policy };
  const rows = [
    ...storeRows(options.store),
    ...(options.commands ? commandRows(options.commands) : []),
    ...(options.pubsub ? pubsubRows(options.pubsub) : []),
    ...(options.tracking ? trackingRows(options.tracking) : []),
    ...(options.persistence ? persistenceRows(options.persistence) : []),
  ];
  for (const [what, type, help, read] of rows) {
    registerCollected(options.registry, {
      name: METRIC_PREFIX + what,
      type,
      help,
      read: () => read(base),
    });
  }
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: options.registry, prefix: METRIC_PREFIX, labels: base });
  }
}

const one = (labels: Labels, value: number): Sample[] => [{ labels, value }];

function storeRows(store: { stats(): StoreStats }): Row[] {
  return [
    ['hits_total', 'counter', 'Reads that found their key.', (l) => one(l, store.stats().hits)],
    [
      'misses_total',
      'counter',
      'Reads that did not find their key.',
      (l) => one(l, store.stats().misses),
    ],
    [
      'evictions_total',
      'counter',
      'Entries removed by the node: reason="capacity" to make room, reason="expired" at their TTL.',
      (l) => {
        const stats = store.stats();
        return [
          { labels: { ...l, reason: 'capacity' }, value: stats.evictedCapacity },
          { labels: { ...l, reason: 'expired' }, value: stats.evictedExpired },
        ];
      },
    ],
    [
      'evictions_ahead_total',
      'counter',
      'Of the capacity evictions, those made between requests to keep --eviction-headroom free, ' +
        'off the request path (the rest were made by a write that found no room).',
      (l) => one(l, store.stats().evictedAhead),
    ],
    ['items', 'gauge', 'Resident keys.', (l) => one(l, store.stats().items)],
    [
      'expiring_items',
      'gauge',
      'Resident keys with a TTL.',
      (l) => one(l, store.stats().itemsWithTtl),
    ],
    [
      'memory_used_bytes',
      'gauge',
      'Bytes charged against the budget (keys, values, per-entry overhead).',
      (l) => one(l, store.stats().bytesUsed),
    ],
    [
      'memory_capacity_bytes',
      'gauge',
      'The memory budget (--maxmemory); 0 means unlimited.',
      (l) => one(l, store.stats().bytesCapacity),
    ],
    [
      'memory_utilization_ratio',
      'gauge',
      'memory_used_bytes / memory_capacity_bytes; 0 when the budget is unlimited.',
      (l) => {
        const { bytesUsed, bytesCapacity } = store.stats();
        return one(l, bytesCapacity > 0 ? bytesUsed / bytesCapacity : 0);
      },
    ],
  ];
}

function commandRows(commands: CommandStatsSource): Row[] {
  const perCommand = (
    l: Labels,
    pick: (calls: number, errors: number, rejected: number) => number,
  ): Sample[] => {
    const samples: Sample[] = [];
    commands.forEachCommand((name, calls, errors, rejected) => {
      samples.push({ labels: { ...l, command: name }, value: pick(calls, errors, rejected) });
    });
    return samples;
  };
  return [
    [
      'commands_total',
      'counter',
      'RESP commands that ran, by command (refused ones are not counted).',
      (l) => perCommand(l, (calls) => calls),
    ],
    [
      'command_errors_total',
      'counter',
      'RESP commands that ran and replied with an error, by command (failed_calls).',
      (l) => perCommand(l, (_calls, errors) => errors),
    ],
    [
      'command_rejected_total',
      'counter',
      'RESP commands refused before running (arity, NOAUTH, MISCONF, key elsewhere), by command.',
      (l) => perCommand(l, (_calls, _errors, rejected) => rejected),
    ],
    [
      'command_duration_seconds',
      'histogram',
      'Time from a parsed RESP command to its queued reply.',
      (l) => histogramSamples(`${METRIC_PREFIX}command_duration_seconds`, commands.latency, l),
    ],
    [
      'connected_clients',
      'gauge',
      'Open RESP connections.',
      (l) => one(l, commands.connectedClients),
    ],
    [
      'connections_total',
      'counter',
      'RESP connections accepted.',
      (l) => one(l, commands.totalConnections),
    ],
    [
      'protocol_errors_total',
      'counter',
      'RESP connections closed because the client broke the protocol.',
      (l) => one(l, commands.protocolErrors),
    ],
  ];
}

function persistenceRows(persistence: PersistenceStatsSource): Row[] {
  return [
    [
      'persistence_write_duration_seconds',
      'histogram',
      'Duration of RocksDB batch writes.',
      (l) =>
        histogramSamples(
          `${METRIC_PREFIX}persistence_write_duration_seconds`,
          persistence.writeLatency,
          l,
        ),
    ],
    [
      'persistence_backlog',
      'gauge',
      'Changes recorded but not yet written to RocksDB.',
      (l) => one(l, persistence.backlog),
    ],
    [
      'persistence_write_errors_total',
      'counter',
      'Failed RocksDB batch writes.',
      (l) => one(l, persistence.writeErrors),
    ],
    [
      'persistence_writable',
      'gauge',
      '1 while persistence accepts writes, 0 after a failed write until it recovers.',
      (l) => one(l, persistence.writable ? 1 : 0),
    ],
  ];
}
