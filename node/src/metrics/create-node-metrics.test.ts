import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { StoreStats } from '../core/store-types.ts';
import { createNodeMetrics } from './create-node-metrics.ts';
import type { CommandStatsSource, PersistenceStatsSource } from './sources.ts';

function fakeStats(overrides: Partial<StoreStats> = {}): StoreStats {
  return {
    hits: 0,
    misses: 0,
    evictedCapacity: 0,
    evictedAhead: 0,
    evictedExpired: 0,
    items: 0,
    itemsWithTtl: 0,
    bytesUsed: 0,
    bytesCapacity: 0,
    policy: 'lru',
    ...overrides,
  };
}

function fakeCommands(): CommandStatsSource {
  return {
    forEachCommand: (visit) => {
      visit('get', 10, 0, 0);
      visit('set', 4, 1, 2);
    },
    latency: { bounds: [0.001, 0.01], counts: [5, 3, 1], sum: 0.05, count: 9 },
    connectedClients: 2,
    totalConnections: 7,
    protocolErrors: 1,
  };
}

const labels = 'node="n1",policy="lru"';

describe('createNodeMetrics', () => {
  it('reads the store at scrape time, with node and policy labels', async () => {
    const registry = new Registry();
    let stats = fakeStats({
      hits: 3,
      misses: 1,
      bytesUsed: 25,
      bytesCapacity: 100,
      evictedExpired: 2,
    });
    createNodeMetrics({
      registry,
      node: 'n1',
      policy: 'lru',
      store: { stats: () => stats },
      processMetrics: false,
    });

    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_hits_total{${labels}} 3`);
    expect(text).toContain(`mlcache_node_misses_total{${labels}} 1`);
    expect(text).toContain(`mlcache_node_memory_utilization_ratio{${labels}} 0.25`);
    expect(text).toContain(`mlcache_node_evictions_total{${labels},reason="expired"} 2`);
    expect(text).toContain('# TYPE mlcache_node_hits_total counter');
    expect(text).toContain('# TYPE mlcache_node_items gauge');
    expect(text).not.toContain('mlcache_node_commands_total');
    expect(text).not.toContain('mlcache_node_persistence');

    stats = fakeStats({ hits: 4, bytesCapacity: 0, bytesUsed: 10 });
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_hits_total{${labels}} 4`);
    expect(text).toContain(`mlcache_node_memory_utilization_ratio{${labels}} 0`);
  });

  it('turns plain histograms into cumulative buckets and per-command counters', async () => {
    const registry = new Registry();
    const persistence: PersistenceStatsSource = {
      backlog: 12,
      writeLatency: { bounds: [0.005], counts: [2, 1], sum: 0.02, count: 3 },
      writeErrors: 0,
      writable: false,
    };
    createNodeMetrics({
      registry,
      node: 'n1',
      policy: 'lru',
      store: { stats: () => fakeStats() },
      commands: fakeCommands(),
      persistence,
      processMetrics: false,
    });
    const text = await registry.metrics();
    expect(text).toContain(`mlcache_node_commands_total{${labels},command="get"} 10`);
    expect(text).toContain(`mlcache_node_command_errors_total{${labels},command="set"} 1`);
    expect(text).toContain(`mlcache_node_command_rejected_total{${labels},command="set"} 2`);
    expect(text).toContain('# TYPE mlcache_node_command_duration_seconds histogram');
    expect(text).toContain(`mlcache_node_command_duration_seconds_bucket{${labels},le="0.001"} 5`);
    expect(text).toContain(`mlcache_node_command_duration_seconds_bucket{${labels},le="0.01"} 8`);
    expect(text).toContain(`mlcache_node_command_duration_seconds_bucket{${labels},le="+Inf"} 9`);
    expect(text).toContain(`mlcache_node_command_duration_seconds_sum{${labels}} 0.05`);
    expect(text).toContain(`mlcache_node_command_duration_seconds_count{${labels}} 9`);
    expect(text).toContain(`mlcache_node_connected_clients{${labels}} 2`);
    expect(text).toContain(`mlcache_node_persistence_backlog{${labels}} 12`);
    expect(text).toContain(`mlcache_node_persistence_writable{${labels}} 0`);
    expect(text).toContain(
      `mlcache_node_persistence_write_duration_seconds_bucket{${labels},le="+Inf"} 3`,
    );

    const json = await registry.getMetricsAsJSON();
    expect(json.find((metric) => metric.name === 'mlcache_node_items')?.values).toEqual([
      { labels: { node: 'n1', policy: 'lru' }, value: 0 },
    ]);
  });

  it('adds labelled, prefixed process metrics to the injected registry only', async () => {
    const registry = new Registry();
    createNodeMetrics({ registry, node: 'n1', policy: 'lfu', store: { stats: () => fakeStats() } });
    const text = await registry.metrics();
    expect(text).toMatch(
      /^mlcache_node_process_cpu_user_seconds_total\{node="n1",policy="lfu"\} /m,
    );
    expect(text).toContain('mlcache_node_nodejs_heap_size_used_bytes{node="n1",policy="lfu"}');
    // A second registry gets its own metrics instead of clashing on a global one.
    const other = new Registry();
    createNodeMetrics({
      registry: other,
      node: 'n2',
      policy: 'lru',
      store: { stats: () => fakeStats() },
    });
    expect(await other.metrics()).toContain('mlcache_node_items{node="n2",policy="lru"} 0');
  });

  it('reports Pub/Sub names by kind and messages delivered, read at scrape time', async () => {
    const registry = new Registry();
    const sizes = { channel: 2, pattern: 1, shard: 0 };
    const pubsub = { size: (kind: keyof typeof sizes) => sizes[kind], delivered: 5 };
    createNodeMetrics({
      registry,
      node: 'n1',
      policy: 'lru',
      store: { stats: () => fakeStats() },
      pubsub,
      processMetrics: false,
    });
    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_pubsub_names{${labels},kind="channel"} 2`);
    expect(text).toContain(`mlcache_node_pubsub_names{${labels},kind="pattern"} 1`);
    expect(text).toContain(`mlcache_node_pubsub_names{${labels},kind="shard"} 0`);
    expect(text).toContain(`mlcache_node_pubsub_messages_total{${labels}} 5`);
    pubsub.delivered = 9;
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_pubsub_messages_total{${labels}} 9`);
  });

  it("reports client-side caching's clients, keys, prefixes and invalidations sent", async () => {
    const registry = new Registry();
    const tracking = { clients: 2, keys: 40, prefixes: 1, sent: 7 };
    createNodeMetrics({
      registry,
      node: 'n1',
      policy: 'lru',
      store: { stats: () => fakeStats() },
      tracking,
      processMetrics: false,
    });
    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_tracking_clients{${labels}} 2`);
    expect(text).toContain(`mlcache_node_tracking_keys{${labels}} 40`);
    expect(text).toContain(`mlcache_node_tracking_prefixes{${labels}} 1`);
    expect(text).toContain(`mlcache_node_tracking_invalidations_total{${labels}} 7`);
    tracking.sent = 12;
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_tracking_invalidations_total{${labels}} 12`);
  });
});
