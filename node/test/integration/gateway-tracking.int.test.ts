import { BasicClientSideCache, createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import { ringOver } from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';
import { RawClient } from '../../src/server/resp/testing/start-test-server.ts';
import { useGatewayNodes } from './support/gateway-nodes.ts';

/**
 * Client-side caching through gateways: a client that tracks at one gateway hears of changes made
 * through another gateway, or straight at a node, to keys on any node (each gateway has the nodes
 * broadcast their changed keys while its clients track). The near cache can listen to the same
 * broadcasts.
 */
const { direct, cleanups, ports, gatewayOnRing, gateway } = useGatewayNodes(3);

async function twoGateways(): Promise<[RunningGateway, RunningGateway]> {
  const { volume, gw } = await gatewayOnRing();
  return [gw, await gateway(volume)];
}

async function nodeRedis(port: number, cache?: BasicClientSideCache) {
  const socket = { host: '127.0.0.1', port, reconnectStrategy: false as const };
  const client =
    cache === undefined
      ? createClient({ socket })
      : createClient({ socket, RESP: 3, clientSideCache: cache });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(() => client.close());
  return client;
}

/** Polls `read` until it returns `expected`, for at most 3 s; returns what it read last. */
async function eventually(read: () => Promise<unknown>, expected: unknown): Promise<unknown> {
  const deadline = Date.now() + 3000;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    value = await read();
  }
  return value;
}

describe('client-side caching through the gateway', () => {
  it('invalidates keys on every node written through another gateway or at a node', async () => {
    const [a, b] = await twoGateways();
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const cached = await nodeRedis(a.port, cache);
    const writer = await nodeRedis(b.port);
    const ring = ringOver(1, ports());
    const keys = Array.from({ length: 12 }, (_, i) => `user:${i}`);
    const owners = new Set(keys.map((key) => ownerOf(ring, shardOf(key))));
    expect(owners.size).toBe(3);
    for (const key of keys) await writer.set(key, 'v1');
    for (const key of keys) expect(await eventually(() => cached.get(key), 'v1')).toBe('v1');
    // Served from the client's memory now.
    const hits = cache.stats().hitCount;
    for (const key of keys) expect(await cached.get(key)).toBe('v1');
    expect(cache.stats().hitCount).toBe(hits + keys.length);

    for (const key of keys) await writer.set(key, 'v2');
    for (const key of keys) expect(await eventually(() => cached.get(key), 'v2')).toBe('v2');

    // Written at its node, past every gateway.
    const key = keys[0]!;
    const owner = Number(ownerOf(ring, shardOf(key)).slice(5));
    await direct[owner]!.call('SET', key, 'v3');
    expect(await eventually(() => cached.get(key), 'v3')).toBe('v3');
  });

  it('drops near-cache entries as soon as a node reports them changed (--near-cache-invalidation)', async () => {
    const { ring, gw } = await gatewayOnRing({
      nearCacheTtlMs: 60_000,
      nearCacheKeys: 4,
      nearCacheWindowMs: 50,
      nearCacheInvalidation: true,
    });
    const client = await RespTestClient.connect(gw.port);
    cleanups.push(() => client.close());
    const key = 'hot:invalidated';
    const owner = direct[Number(ownerOf(ring, shardOf(key)).slice(5))]!;
    await owner.call('SET', key, 'v1');
    // Hot (one GET in 16 is counted), then kept once the window has ended.
    await client.pipeline(Array.from({ length: 100 }, () => ['GET', key]));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await client.pipeline(Array.from({ length: 20 }, () => ['GET', key]));
    const hits = (await gw.metric('mlcache_gateway_near_cache_hits_total')) ?? 0;
    expect(await client.call('GET', key)).toBe('v1');
    expect(await gw.metric('mlcache_gateway_near_cache_hits_total')).toBeGreaterThan(hits);

    // Written at the node, past the gateway: seen long before the minute's TTL.
    await owner.call('SET', key, 'v2');
    expect(await eventually(() => client.call('GET', key), 'v2')).toBe('v2');
    expect(await gw.metric('mlcache_gateway_near_cache_invalidations_total')).toBeGreaterThan(0);
  });

  it('pushes invalidations in RESP3, and refuses NOLOOP with a clear error', async () => {
    const [a, b] = await twoGateways();
    const client = await RawClient.connect(a.port);
    cleanups.push(() => client.destroy());
    client.send(
      encodePipeline([
        ['HELLO', '3'],
        ['CLIENT', 'TRACKING', 'ON', 'NOLOOP'],
        ['CLIENT', 'TRACKING', 'ON'],
        ['GET', 'k'],
      ]),
    );
    // Each node's broadcast holds from its confirmation on; until then anything may have changed,
    // so each confirmation reaches the client as a null (drop everything), as after FLUSHALL.
    const NULL = '>2\r\n$10\r\ninvalidate\r\n_\r\n';
    await client.waitFor((text) => text.split(NULL).length - 1 === 3);
    client.send(encodePipeline([['GET', 'k']]));
    await client.waitFor((text) => text.endsWith(`${NULL}_\r\n`));
    expect(client.text).toContain(
      "-ERR NOLOOP is not supported through the mlcache gateway: a client's own writes come " +
        "back from the nodes like anyone else's. Connect to a node for NOLOOP.\r\n",
    );
    const writer = await nodeRedis(b.port);
    await writer.set('k', 'v');
    await client.waitFor((text) => text.includes('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n'));
    expect(await a.metric('mlcache_gateway_tracking_clients')).toBe(1);
  });
});
