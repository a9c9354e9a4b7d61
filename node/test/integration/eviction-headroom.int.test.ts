import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { LOCAL_NODE_ARGS, runNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';
import { cleanupsAfterEach } from './support/cleanups.ts';
import { redisClient, startLocalNode } from './support/local-node.ts';
import { scrapeMetrics, series } from './support/metrics.ts';

// --eviction-headroom in a real node: writes find room without evicting first, the evictions
// happen between requests, and the budget holds all the while.

const cleanups = cleanupsAfterEach();
const start = (args: readonly string[]): Promise<RunningNode> => startLocalNode(cleanups, args);
const redis = (node: RunningNode): Redis => redisClient(cleanups, node);

const field = (info: string, name: string): number =>
  Number(new RegExp(`\\r\\n${name}:(\\d+)\\r\\n`).exec(info)?.[1]);

/** 20 pipelines of 1,000 SETs of 100 bytes over 20,000 keys; INFO's used_memory after each. */
async function fill(client: Redis): Promise<number[]> {
  const used: number[] = [];
  for (let round = 0; round < 20; round++) {
    const pipeline = client.pipeline();
    for (let i = 0; i < 1_000; i++) pipeline.set(`key:${round * 1_000 + i}`, 'v'.repeat(100));
    for (const [error] of (await pipeline.exec()) ?? []) expect(error).toBeNull();
    used.push(field(await client.info('memory'), 'used_memory'));
  }
  return used;
}

describe('mlcache node --eviction-headroom', () => {
  it.each(['lfu', 'ml-lfu'])(
    '%s: evicts between requests down to the headroom, never above the budget',
    async (policy) => {
      const node = await start(['--policy', policy, '--maxmemory', '1mb', '--node-name', 'h-1']);
      const client = redis(node);
      const budget = 1 << 20; // 1mb, as in redis.conf
      for (const used of await fill(client)) expect(used).toBeLessThanOrEqual(budget);
      // The default headroom, 1%, is free once the node has caught up (it has by the next turn).
      const info = await client.info();
      expect(field(info, 'used_memory')).toBeLessThanOrEqual(budget - Math.floor(budget / 100));
      const evicted = field(info, 'evicted_keys');
      const ahead = field(info, 'mlcache_evicted_keys_ahead');
      expect(evicted).toBeGreaterThan(10_000);
      // Pipelines of 1,000 writes fill more than 1% between two turns: some writes evict inline.
      expect(ahead).toBeGreaterThan(0);
      expect(ahead).toBeLessThanOrEqual(evicted);
      const labels = { node: 'h-1', policy };
      const text = await scrapeMetrics(node);
      expect(series(text, 'mlcache_node_evictions_ahead_total', labels)).toBe(ahead);
      expect(series(text, 'mlcache_node_evictions_total', { ...labels, reason: 'capacity' })).toBe(
        evicted,
      );
    },
  );

  it('0 evicts inline only, as Redis does; a bad value is refused at start', async () => {
    const node = await start(['--maxmemory', '1mb', '--eviction-headroom', '0']);
    const client = redis(node);
    await fill(client);
    const info = await client.info();
    expect(field(info, 'evicted_keys')).toBeGreaterThan(10_000);
    expect(field(info, 'mlcache_evicted_keys_ahead')).toBe(0);
    const refused = await runNode([...LOCAL_NODE_ARGS, '--eviction-headroom', '60%']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--eviction-headroom: '60%' is not a percentage in \[0, 50\]/);
  });

  it('CONFIG SET maxmemory lowers the budget inline and the headroom between requests', async () => {
    const node = await start(['--maxmemory', '1mb', '--eviction-headroom', '10']);
    const client = redis(node);
    await fill(client);
    expect(await client.config('SET', 'maxmemory', '500000')).toBe('OK');
    const used = field(await client.info('memory'), 'used_memory');
    expect(used).toBeLessThanOrEqual(450_000);
    expect(used).toBeGreaterThan(440_000);
  });
});
