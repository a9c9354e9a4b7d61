import { describe, expect, it } from 'vitest';
import { infoSections, needsNodes, nodeFigures, renderGatewayInfo } from './info-aggregate.ts';
import type { GatewayInfo } from './info-aggregate.ts';

const NODE = (keys: number, hits: number): string =>
  [
    '# Memory',
    'used_memory:1000',
    'maxmemory:4000',
    '',
    '# Stats',
    `keyspace_hits:${hits}`,
    'keyspace_misses:2',
    'evicted_keys:1',
    'expired_keys:0',
    '',
    '# Keyspace',
    `db0:keys=${keys},expires=1,avg_ttl=0`,
  ].join('\r\n');

describe('INFO aggregation', () => {
  const info = (figures: ReturnType<typeof nodeFigures>[]): GatewayInfo => ({
    server: ['redis_version:7.2.0'],
    clients: ['connected_clients:1'],
    stats: ['total_commands_processed:9'],
    cpu: [],
    commandstats: ['cmdstat_get:calls=1'],
    rss: 1,
    epoch: 3,
    nodes: [
      { id: 'a', address: 'h:1', state: 'active', link: 'up', shards: 2048, figures: figures[0] },
      { id: 'b', address: 'h:2', state: 'active', link: 'down', shards: 2048, figures: undefined },
    ],
  });

  it('adds the nodes figures up and shows the cluster', () => {
    const text = renderGatewayInfo(info([nodeFigures(NODE(10, 5))]), infoSections([]));
    expect(text).toContain('# Server\r\nredis_version:7.2.0\r\n');
    expect(text).toContain('keyspace_hits:5\r\n');
    expect(text).toContain('used_memory:1000\r\n');
    expect(text).toContain(
      'mlcache_ring_epoch:3\r\nmlcache_ring_nodes:2\r\nmlcache_ring_nodes_up:1',
    );
    expect(text).toContain('node1:id=b,address=h:2,state=active,link=down,shards=2048,keys=?');
    expect(text).toContain('# Keyspace\r\ndb0:keys=10,expires=1,avg_ttl=0\r\n');
    expect(text).not.toContain('cmdstat');
  });

  it('sums several nodes and renders only what was asked', () => {
    const figures = [nodeFigures(NODE(10, 5)), nodeFigures(NODE(7, 1))];
    const text = renderGatewayInfo(
      {
        ...info(figures),
        nodes: info(figures).nodes.map((node, i) => ({ ...node, figures: figures[i] })),
      },
      infoSections(['keyspace', 'stats']),
    );
    expect(text).toBe(
      '# Stats\r\ntotal_commands_processed:9\r\nkeyspace_hits:6\r\nkeyspace_misses:4\r\nevicted_keys:2\r\n' +
        'expired_keys:0\r\n\r\n# Keyspace\r\ndb0:keys=17,expires=2,avg_ttl=0\r\n',
    );
    expect(needsNodes(infoSections(['server', 'clients']))).toBe(false);
    expect(infoSections(['all']).has('commandstats')).toBe(true);
  });
});
