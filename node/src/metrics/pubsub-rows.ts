import type { Labels, MetricKind, Sample } from './collected-metric.ts';
import type { PubSubStatsSource } from './sources.ts';

/** One collected metric: its name without prefix, kind, help and how to read its samples. */
export type MetricRow = readonly [
  name: string,
  type: MetricKind,
  help: string,
  read: (base: Labels) => Sample[],
];

/**
 * Pub/Sub's metrics, the same on a node (`mlcache_node_pubsub_*`) and a gateway
 * (`mlcache_gateway_pubsub_*`, its own clients' subscriptions).
 */
export function pubsubRows(pubsub: PubSubStatsSource): MetricRow[] {
  return [
    [
      'pubsub_names',
      'gauge',
      'Pub/Sub channels, patterns and shard channels with at least one subscriber (INFO pubsub_*).',
      (l) =>
        (['channel', 'pattern', 'shard'] as const).map((kind) => ({
          labels: { ...l, kind },
          value: pubsub.size(kind),
        })),
    ],
    [
      'pubsub_messages_total',
      'counter',
      'Pub/Sub messages delivered, one per subscriber reached.',
      (l) => [{ labels: l, value: pubsub.delivered }],
    ],
  ];
}
