import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import {
  ringOver,
  RingVolume,
  startGateway,
  startNodes,
} from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('AUTH', () => {
  let nodes: TestServer[];
  let gw: RunningGateway;
  beforeAll(async () => {
    // The nodes want their own password; the gateway gives it, and asks clients for another.
    nodes = await Promise.all([0, 1].map(() => startTestServer({ requirePass: 'node-secret' })));
    gw = await startGateway({
      ring: { nodes: nodes.map((node) => `127.0.0.1:${node.port}`) },
      requirePass: 'client-secret',
      nodePassword: 'node-secret',
    });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all(nodes.map((node) => node.close()));
  });

  it('asks clients for the gateway password and authenticates itself to the nodes', async () => {
    const client = await RespTestClient.connect(gw.port);
    expect(await client.call('GET', 'a')).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(await client.call('PING')).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(await client.call('AUTH', 'wrong')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(await client.call('AUTH', 'client-secret')).toBe('OK');
    const keys = Array.from({ length: 20 }, (_, i) => `auth:${i}`);
    expect(await client.call('MSET', ...keys.flatMap((key) => [key, key]))).toBe('OK');
    expect(await client.call('MGET', ...keys)).toEqual(keys);
    client.close();
    const hello = await RespTestClient.connect(gw.port);
    expect(await hello.call('HELLO', '2', 'AUTH', 'default', 'client-secret')).toContain('redis');
    expect(await hello.call('GET', 'auth:1')).toBe('auth:1');
    hello.close();
  });
});

describe('near cache for hot keys', () => {
  let nodes: TestServer[];
  let volume: RingVolume;
  let gw: RunningGateway;
  let client: RespTestClient;
  const ttl = 300;
  beforeAll(async () => {
    nodes = await startNodes(2);
    volume = new RingVolume(
      ringOver(
        1,
        nodes.map((node) => node.port),
      ),
    );
    gw = await startGateway({
      ring: { file: volume.path, pollMs: 0 },
      nearCacheTtlMs: ttl,
      nearCacheKeys: 4,
      nearCacheWindowMs: 50,
    });
    client = await RespTestClient.connect(gw.port);
  });
  afterAll(async () => {
    client.close();
    await gw.close();
    await Promise.all(nodes.map((node) => node.close()));
    volume.remove();
  });

  /** A client of the node that owns `key`, past the gateway. */
  async function connectToOwner(key: string): Promise<RespTestClient> {
    const ring = ringOver(
      1,
      nodes.map((n) => n.port),
    );
    const owner = nodes[Number(ownerOf(ring, shardOf(key)).slice('node-'.length))]!;
    return RespTestClient.connect(owner.port);
  }

  /**
   * Reads `key` often enough to make it hot (one GET in 16 is sampled), lets the window end, then
   * reads it until its reply is kept.
   */
  async function makeHot(key: string): Promise<void> {
    await client.pipeline(Array.from({ length: 100 }, () => ['GET', key]));
    await sleep(60);
    await client.pipeline(Array.from({ length: 20 }, () => ['GET', key]));
  }

  it('serves hot GETs from the gateway for the TTL, then from the node again', async () => {
    const key = 'hot:ttl';
    const direct = await connectToOwner(key);
    expect(await client.call('SET', key, 'v1')).toBe('OK');
    await makeHot(key);
    const hitsBefore = (await gw.metric('mlcache_gateway_near_cache_hits_total')) ?? 0;
    // A write that bypasses the gateway is not seen until the TTL runs out: that is the bound.
    expect(await direct.call('SET', key, 'v2')).toBe('OK');
    expect(await client.call('GET', key)).toBe('v1');
    expect(await gw.metric('mlcache_gateway_near_cache_hits_total')).toBeGreaterThan(hitsBefore);
    await sleep(ttl + 50);
    expect(await client.call('GET', key)).toBe('v2');
    direct.close();
  });

  it('answers a watching client from the node, not from the near cache', async () => {
    const key = 'hot:watch';
    const direct = await connectToOwner(key);
    const watcher = await RespTestClient.connect(gw.port);
    try {
      expect(await client.call('SET', key, 'v1')).toBe('OK');
      await makeHot(key);
      // Written behind the gateway's back: the near cache still holds v1 for its TTL.
      expect(await direct.call('SET', key, 'v2')).toBe('OK');
      expect(await watcher.call('WATCH', key)).toBe('OK');
      // Others are still answered by the near cache; the watcher reads what the node holds,
      // since its WATCH guards only what changes after it: a stale read would slip past.
      expect(await client.call('GET', key)).toBe('v1');
      expect(await watcher.call('GET', key)).toBe('v2');
      expect(await watcher.pipeline([['MULTI'], ['SET', key, 'v3'], ['EXEC']])).toEqual([
        'OK',
        'QUEUED',
        ['OK'],
      ]);
    } finally {
      direct.close();
      watcher.close();
    }
  });

  it("drops a cached reply on a transaction's write, when its EXEC is answered", async () => {
    const key = 'hot:exec';
    await client.call('SET', key, 'old');
    await makeHot(key);
    expect(await client.call('GET', key)).toBe('old');
    const hits = (await gw.metric('mlcache_gateway_near_cache_hits_total')) ?? 0;
    expect(await client.call('GET', key)).toBe('old');
    expect(await gw.metric('mlcache_gateway_near_cache_hits_total')).toBeGreaterThan(hits);
    const replies = await client.pipeline([['MULTI'], ['SET', key, 'new'], ['EXEC'], ['GET', key]]);
    expect(replies).toEqual(['OK', 'QUEUED', ['OK'], 'new']);
  });

  it('drops a cached reply on any write through the gateway', async () => {
    const key = 'hot:write';
    await client.call('SET', key, 'old');
    await makeHot(key);
    expect(await client.call('GET', key)).toBe('old');
    expect(await gw.metric('mlcache_gateway_near_cache_fills_total')).toBeGreaterThan(0);
    const replies = await client.pipeline([
      ['SET', key, 'new'],
      ['GET', key],
      ['APPEND', key, '!'],
      ['GET', key],
      ['DEL', key, 'hot:other'],
      ['GET', key],
    ]);
    expect(replies).toEqual(['OK', 'new', 4, 'new!', 1, null]);
    await client.call('SET', key, 'again');
    await makeHot(key);
    expect(await client.call('FLUSHALL')).toBe('OK');
    expect(await client.call('GET', key)).toBeNull();
  });
});
