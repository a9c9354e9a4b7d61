import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createClusterMetrics, HOT_SHARD_SERIES } from './cluster-metrics.ts';
import type { ClusterStatsSource } from './cluster-metrics.ts';

function source(overrides: Partial<ClusterStatsSource> = {}): ClusterStatsSource {
  return {
    ringEpoch: 7,
    ringRejections: new Map([['stale-epoch', 2]]),
    migrationKeys: new Map([['a', 10]]),
    migrationBytes: new Map([['a', 2048]]),
    migrationsActive: 3,
    faultIns: new Map([['found', 4]]),
    movedReplies: 5,
    droppedKeys: 6,
    tombstones: 1,
    shardsByRole: new Map([['owned', 100]]),
    requestRate: 1234,
    hottestShards: (n) =>
      Array.from({ length: Math.min(n, 50) }, (_, i) => ({ shard: i, rate: 100 - i })),
    ...overrides,
  };
}

describe('createClusterMetrics', () => {
  it('reads the cluster counters at scrape time, with the base labels', async () => {
    const registry = new Registry();
    createClusterMetrics({ registry, node: 'n1', policy: 'lru', source: source() });
    const text = await registry.metrics();
    expect(text).toContain('mlcache_node_ring_epoch{node="n1",policy="lru"} 7');
    expect(text).toContain(
      'mlcache_node_ring_rejected_total{node="n1",policy="lru",reason="stale-epoch"} 2',
    );
    expect(text).toContain('mlcache_node_migration_keys_total{node="n1",policy="lru",from="a"} 10');
    expect(text).toContain(
      'mlcache_node_migration_bytes_total{node="n1",policy="lru",from="a"} 2048',
    );
    expect(text).toContain('mlcache_node_migrations_active{node="n1",policy="lru"} 3');
    expect(text).toContain('mlcache_node_request_rate{node="n1",policy="lru"} 1234');
    const hot = text
      .split('\n')
      .filter((line) => line.startsWith('mlcache_node_shard_request_rate{'));
    expect(hot).toHaveLength(HOT_SHARD_SERIES);
    expect(hot[0]).toBe('mlcache_node_shard_request_rate{node="n1",policy="lru",shard="0"} 100');
  });

  it('says -1 before the first ring', async () => {
    const registry = new Registry();
    createClusterMetrics({
      registry,
      node: 'n1',
      policy: 'lru',
      source: source({ ringEpoch: undefined }),
    });
    expect(await registry.metrics()).toContain(
      'mlcache_node_ring_epoch{node="n1",policy="lru"} -1',
    );
  });
});
