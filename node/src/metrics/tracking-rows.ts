import type { MetricRow } from './pubsub-rows.ts';
import type { TrackingStatsSource } from './sources.ts';

/**
 * Client-side caching's metrics, the same on a node (`mlcache_node_tracking_*`) and a gateway
 * (`mlcache_gateway_tracking_*`, its own clients).
 */
export function trackingRows(tracking: TrackingStatsSource): MetricRow[] {
  return [
    [
      'tracking_clients',
      'gauge',
      'Clients with CLIENT TRACKING on (INFO tracking_clients).',
      (l) => [{ labels: l, value: tracking.clients }],
    ],
    [
      'tracking_keys',
      'gauge',
      'Keys remembered for tracking clients (INFO tracking_total_keys).',
      (l) => [{ labels: l, value: tracking.keys }],
    ],
    [
      'tracking_prefixes',
      'gauge',
      'BCAST prefixes in use (INFO tracking_total_prefixes).',
      (l) => [{ labels: l, value: tracking.prefixes }],
    ],
    [
      'tracking_invalidations_total',
      'counter',
      'Invalidation messages sent to clients (a null after a flush counts as one).',
      (l) => [{ labels: l, value: tracking.sent }],
    ],
  ];
}
