import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import { histogramSamples, registerCollected } from '../../metrics/collected-metric.ts';
import type { Labels, MetricKind, Sample } from '../../metrics/collected-metric.ts';
import { pubsubRows } from '../../metrics/pubsub-rows.ts';
import { trackingRows } from '../../metrics/tracking-rows.ts';
import type {
  CommandStatsSource,
  PubSubStatsSource,
  TrackingStatsSource,
} from '../../metrics/sources.ts';
import type { GatewayCounters } from '../front/gateway-context.ts';
import type { Mirrors } from '../mirror/mirrors.ts';
import type { NearCache } from '../near-cache/near-cache.ts';
import type { RingHolder } from '../ring/ring-holder.ts';
import type { LinkState } from '../upstream/node-link.ts';
import type { NodePool } from '../upstream/node-pool.ts';

/** The gateway's metrics read these plain values at scrape time; nothing runs per request. */
export interface GatewayMetricsOptions {
  readonly registry: Registry;
  /** The gateway's name, a label on every series. */
  readonly gateway: string;
  readonly commands: CommandStatsSource;
  readonly counters: GatewayCounters;
  readonly nearCache: NearCache;
  readonly ring: RingHolder;
  /** The current pools (the ring's nodes). */
  readonly pools: () => readonly NodePool[];
  /** Mirror mode's pools; undefined when off (no mirror series then). */
  readonly mirrors?: Mirrors | undefined;
  /** The gateway's Pub/Sub registry (its clients' subscriptions). */
  readonly pubsub?: PubSubStatsSource;
  /** The gateway's client-side caching registry (its clients' tracking). */
  readonly tracking?: TrackingStatsSource;
  /** Also register prom-client's process metrics (prefixed `mlcache_gateway_`). @default true */
  readonly processMetrics?: boolean;
}

export const GATEWAY_METRIC_PREFIX = 'mlcache_gateway_';

const LINK_STATES: readonly LinkState[] = ['connecting', 'up', 'down', 'closed'];

type Row = readonly [
  name: string,
  type: MetricKind,
  help: string,
  read: (base: Labels) => Sample[],
];

const one = (labels: Labels, value: number): Sample[] => [{ labels, value }];

/** Registers the gateway's metrics (`mlcache_gateway_*`) on the injected registry. */
export function createGatewayMetrics(options: GatewayMetricsOptions): void {
  const base: Labels = { gateway: options.gateway };
  const rows = [
    ...commandRows(options.commands),
    ...nodeRows(options.pools),
    ...clusterRows(options),
    ...(options.mirrors === undefined ? [] : mirrorRows(options.mirrors)),
    ...(options.pubsub === undefined ? [] : pubsubRows(options.pubsub)),
    ...(options.tracking === undefined ? [] : trackingRows(options.tracking)),
  ];
  for (const [what, type, help, read] of rows) {
    registerCollected(options.registry, {
      name: GATEWAY_METRIC_PREFIX + what,
      type,
      help,
      read: () => read(base),
    });
  }
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({
      register: options.registry,
      prefix: GATEWAY_METRIC_PREFIX,
      labels: base,
    });
  }
}

function commandRows(commands: CommandStatsSource): Row[] {
  const perCommand =
    (pick: (calls: number, errors: number, rejected: number) => number) => (l: Labels) => {
      const samples: Sample[] = [];
      commands.forEachCommand((command, calls, errors, rejected) =>
        samples.push({ labels: { ...l, command }, value: pick(calls, errors, rejected) }),
      );
      return samples;
    };
  return [
    ['commands_total', 'counter', 'Client commands by name.', perCommand((calls) => calls)],
    [
      'command_errors_total',
      'counter',
      'Client commands the gateway ran itself that replied with an error, by name.',
      perCommand((_calls, errors) => errors),
    ],
    [
      'command_rejected_total',
      'counter',
      'Client commands the gateway refused before routing them (arity, auth), by name.',
      perCommand((_calls, _errors, rejected) => rejected),
    ],
    [
      'command_duration_seconds',
      'histogram',
      'Time from reading a command to writing its reply, all commands together.',
      (l) =>
        histogramSamples(GATEWAY_METRIC_PREFIX + 'command_duration_seconds', commands.latency, l),
    ],
    [
      'connected_clients',
      'gauge',
      'Open client connections.',
      (l) => one(l, commands.connectedClients),
    ],
    [
      'connections_total',
      'counter',
      'Client connections accepted.',
      (l) => one(l, commands.totalConnections),
    ],
    [
      'protocol_errors_total',
      'counter',
      'Client connections closed because their request stream was broken.',
      (l) => one(l, commands.protocolErrors),
    ],
  ];
}

function nodeRows(pools: () => readonly NodePool[]): Row[] {
  const perNode = (read: (pool: NodePool) => number) => (l: Labels) =>
    pools().map((pool) => ({ labels: { ...l, node: pool.nodeId }, value: read(pool) }));
  return [
    [
      'routed_requests_total',
      'counter',
      'Requests sent (or failed fast) to each node.',
      perNode((p) => p.routed),
    ],
    [
      'node_connection_state',
      'gauge',
      "1 for the state of the gateway's connections to each node (up if any is up).",
      (l) =>
        pools().flatMap((pool) =>
          LINK_STATES.map((state) => ({
            labels: { ...l, node: pool.nodeId, state },
            value: pool.state === state ? 1 : 0,
          })),
        ),
    ],
    [
      'node_connection_failures_total',
      'counter',
      'Connections to each node refused, timed out or lost.',
      perNode((p) => p.failures),
    ],
    [
      'watch_connections',
      'gauge',
      'Connections to each node held by one watching client each (lent), or kept for the next (idle).',
      (l) =>
        pools().flatMap((pool) => {
          const own = pool.ownLinks;
          return [
            { labels: { ...l, node: pool.nodeId, state: 'lent' }, value: own.lent },
            { labels: { ...l, node: pool.nodeId, state: 'idle' }, value: own.idle },
          ];
        }),
    ],
  ];
}

function clusterRows(options: GatewayMetricsOptions): Row[] {
  const { counters, nearCache, ring } = options;
  return [
    [
      'moved_retries_total',
      'counter',
      'Requests sent again after a MOVED reply.',
      (l) => one(l, counters.movedRetries),
    ],
    [
      'moved_given_up_total',
      'counter',
      'Requests answered TRYAGAIN after MOVED persisted through every retry.',
      (l) => one(l, counters.movedGivenUp),
    ],
    [
      'fan_outs_total',
      'counter',
      'Multi-key commands split over several nodes.',
      (l) => one(l, counters.fanOuts),
    ],
    [
      'script_reloads_total',
      'counter',
      'EVALSHAs answered NOSCRIPT by their node and run there again as EVAL from the body the gateway kept.',
      (l) => one(l, counters.scriptReloads),
    ],
    [
      'near_cache_hits_total',
      'counter',
      'GETs answered by the near cache.',
      (l) => one(l, nearCache.hits),
    ],
    [
      'near_cache_gets_total',
      'counter',
      'GETs seen while the near cache is enabled (hits included).',
      (l) => one(l, nearCache.gets),
    ],
    [
      'near_cache_fills_total',
      'counter',
      'GET replies of hot keys kept.',
      (l) => one(l, nearCache.fills),
    ],
    [
      'near_cache_invalidations_total',
      'counter',
      'Cached replies dropped by a write through this gateway.',
      (l) => one(l, nearCache.invalidations),
    ],
    ['near_cache_keys', 'gauge', 'Keys cached or being filled.', (l) => one(l, nearCache.size)],
    [
      'ring_epoch',
      'gauge',
      'Epoch of the ring in use; -1 before any.',
      (l) => one(l, ring.ring?.epoch ?? -1),
    ],
    [
      'ring_nodes',
      'gauge',
      'Nodes in the ring in use.',
      (l) => one(l, ring.ring?.nodes.length ?? 0),
    ],
    ['ring_applied_total', 'counter', 'Rings applied since start.', (l) => one(l, ring.applied)],
    [
      'ring_rejected_total',
      'counter',
      'Ring documents refused, by reason (invalid, unreadable, stale-epoch, conflict-same-epoch, shard-count-changed).',
      (l) => [...ring.rejected].map(([reason, value]) => ({ labels: { ...l, reason }, value })),
    ],
  ];
}

function mirrorRows(mirrors: Mirrors): Row[] {
  const perMirror = (read: (pool: Mirrors['pools'][number]) => number) => (l: Labels) =>
    mirrors.pools.map((pool) => ({ labels: { ...l, pool: pool.name }, value: read(pool) }));
  const name = GATEWAY_METRIC_PREFIX + 'pool_request_duration_seconds';
  return [
    [
      'pool_request_duration_seconds',
      'histogram',
      'Mirror mode: round trip of each request to a node (written to its socket to reply read), by pool (the primary and each mirror).',
      (l) => [
        ...histogramSamples(name, mirrors.primaryLatency, { ...l, pool: mirrors.primaryName }),
        ...mirrors.pools.flatMap((pool) =>
          histogramSamples(name, pool.latency, { ...l, pool: pool.name }),
        ),
      ],
    ],
    [
      'mirror_requests_total',
      'counter',
      'Mirror mode: requests copied to each mirror.',
      perMirror((p) => p.sent),
    ],
    [
      'mirror_errors_total',
      'counter',
      "Mirror mode: error replies from each mirror, the link's own (mirror unreachable) included.",
      perMirror((p) => p.errors),
    ],
    [
      'mirror_inflight_requests',
      'gauge',
      'Mirror mode: requests sent to each mirror and not yet answered.',
      perMirror((p) => p.inflight),
    ],
    [
      'mirror_backpressure_pauses_total',
      'counter',
      'Mirror mode: times a client was paused because a mirror held its most requests.',
      (l) => one(l, mirrors.backpressurePauses),
    ],
  ];
}
