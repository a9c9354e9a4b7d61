import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { ringOver, startGateway, startNodes } from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';

// node-redis 6 and ioredis 6 with their default options (RESP3: HELLO 3 first, and node-redis
// does not fall back to RESP2) through a gateway over three real nodes, and ioredis in RESP2.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
});

/** node-redis 6 with its default options but the socket's (RESP 2 only when asked). */
async function nodeRedis(port: number, options: { password?: string; RESP?: 2 } = {}) {
  const client = createClient({
    socket: { port, host: '127.0.0.1', reconnectStrategy: false },
    ...options,
  });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(() => client.quit());
  return client;
}

/** ioredis's own types clash under exactOptionalPropertyTypes on `replyMapping`, unused here. */
type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

function ioredis(port: number, options: ClientOptions = {}): Redis {
  const settings: ClientOptions = { maxRetriesPerRequest: 0, retryStrategy: () => null };
  const client = new Redis(port, '127.0.0.1', Object.assign(settings, options));
  cleanups.push(() => client.quit());
  return client;
}

const respOf = (clientInfo: string): string | undefined => / resp=(\d) /.exec(clientInfo)?.[1];

let nodes: TestServer[];
let ring: Ring;
let gw: RunningGateway;

beforeAll(async () => {
  nodes = await startNodes(3);
  ring = ringOver(
    1,
    nodes.map((node) => node.port),
  );
  gw = await startGateway({ ring: { nodes: ring.nodes.map((node) => node.address) } });
});

afterAll(async () => {
  await gw.close();
  await Promise.all(nodes.map((node) => node.close()));
});

/** `n` keys with the prefix, checked to land on all three nodes (so commands split). */
function spread(prefix: string, n = 12): string[] {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
  const owners = new Set(keys.map((key) => ownerOf(ring, shardOf(key))));
  expect(owners.size).toBe(3);
  return keys;
}

describe('node-redis 6 with its default options (RESP3) through the gateway', () => {
  it('negotiates RESP3 with HELLO 3', async () => {
    const client = await nodeRedis(gw.port);
    expect(await client.clientInfo()).toMatchObject({ resp: 3, libName: 'node-redis' });
    expect(await client.hello()).toMatchObject({ server: 'redis', proto: 3, modules: [] });
  });

  it('reads, writes, expires, counts and merges across nodes', async () => {
    const client = await nodeRedis(gw.port);
    const keys = spread('nr');
    expect(await client.set(keys[0]!, 'v', { EX: 50 })).toBe('OK');
    expect(await client.get(keys[0]!)).toBe('v');
    expect(await client.get('nr:missing')).toBeNull();
    expect(await client.ttl(keys[0]!)).toBe(50);
    expect(await client.expire(keys[0]!, 100)).toBe(1);
    expect(await client.ttl(keys[0]!)).toBe(100);
    expect(await client.ttl('nr:missing')).toBe(-2);
    expect(await client.incr('nr:counter')).toBe(1);
    expect(await client.incrBy('nr:counter', 9)).toBe(10);
    expect(await client.set(keys[0]!, 'w', { NX: true })).toBeNull();
    // Every other key set: MGET over three nodes, nulls where missing, in the order asked.
    const present = keys.filter((_, i) => i % 2 === 0);
    expect(await client.mSet(present.map((key) => [key, `=${key}`]))).toBe('OK');
    expect(await client.mGet(keys)).toEqual(keys.map((key, i) => (i % 2 ? null : `=${key}`)));
    expect(await client.exists(keys)).toBe(present.length);
    expect(await client.del([...keys, 'nr:missing'])).toBe(present.length);
    expect(await client.mGet(keys)).toEqual(keys.map(() => null));
    expect(await client.getDel('nr:counter')).toBe('10');
    expect(await client.getDel('nr:counter')).toBeNull();
  });

  it('iterates every node with scanIterator', async () => {
    const client = await nodeRedis(gw.port);
    const keys = spread('scan3', 300);
    await client.mSet(keys.map((key) => [key, '1']));
    const seen: string[] = [];
    for await (const page of client.scanIterator({ MATCH: 'scan3:*', COUNT: 50 })) {
      seen.push(...page);
    }
    expect(new Set(seen)).toEqual(new Set(keys));
    expect(await client.dbSize()).toBeGreaterThanOrEqual(300);
    expect(await client.del(keys)).toBe(300);
  });

  it('reads CONFIG GET as a map and INFO (aggregated) as text', async () => {
    const client = await nodeRedis(gw.port);
    expect(await client.configGet('port')).toEqual({ port: String(gw.port) });
    expect(await client.configGet(['save', 'appendonly'])).toEqual({ save: '', appendonly: 'no' });
    expect(await client.configGet('nothing')).toEqual({});
    await client.set('info3', 'x');
    const info = await client.info();
    expect(info).toMatch(/^# Server\r\nredis_version:7\.2\.0\r\n/);
    expect(info).toContain('mlcache_role:gateway');
    expect(info).toMatch(/# Cluster\r\n/);
    expect(await client.info('keyspace')).toMatch(/^# Keyspace\r\ndb0:keys=\d+/);
    await client.del('info3');
  });

  it('pipelines with execAsPipeline and in parallel', async () => {
    const client = await nodeRedis(gw.port);
    const keys = spread('pipe3', 9);
    const batch = client.multi();
    for (let i = 0; i < 9_000; i++) batch.incr(keys[i % keys.length]!);
    const replies = await batch.execAsPipeline();
    expect(replies).toHaveLength(9_000);
    expect(replies.slice(-keys.length)).toEqual(keys.map(() => 1000));
    const mixed = await client
      .multi()
      .set('pipe3:a', '1')
      .get('pipe3:a')
      .get('pipe3:missing')
      .mGet([keys[0]!, 'pipe3:missing', keys[1]!, keys[2]!])
      .configGet('appendonly')
      .del([...keys, 'pipe3:a'])
      .execAsPipeline();
    expect(mixed).toEqual([
      'OK',
      '1',
      null,
      ['1000', null, '1000', '1000'],
      { appendonly: 'no' },
      keys.length + 1,
    ]);
    const parallel = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 ? client.get(keys[0]!) : client.get('pipe3:missing'),
      ),
    );
    expect(parallel.filter((reply) => reply === null)).toHaveLength(1000);
  });
});

describe('ioredis 6 through the gateway', () => {
  it.each([
    ['default options (RESP3)', {}, '3'],
    ['protocol: 2', { protocol: 2 as const }, '2'],
  ])('reads, writes, merges, scans and pipelines, %s', async (_name, options, resp) => {
    const client = ioredis(gw.port, options);
    expect(respOf(await client.client('INFO'))).toBe(resp);
    const keys = spread(`io${resp}`);
    expect(await client.set(keys[0]!, 'v', 'EX', 100)).toBe('OK');
    expect(await client.get(keys[0]!)).toBe('v');
    expect(await client.get(`io${resp}:missing`)).toBeNull();
    expect(await client.ttl(keys[0]!)).toBe(100);
    expect(await client.incrby(`io${resp}:n`, 5)).toBe(5);
    expect(await client.mset(...keys.slice(1, 4).flatMap((key) => [key, key]))).toBe('OK');
    expect(await client.mget(keys.slice(0, 6))).toEqual([
      'v',
      keys[1],
      keys[2],
      keys[3],
      null,
      null,
    ]);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await client.info('server')).toContain('mlcache_role:gateway');
    const scanned: string[] = [];
    for await (const page of client.scanStream({ match: `io${resp}:*`, count: 5 })) {
      scanned.push(...(page as string[]));
    }
    expect(new Set(scanned)).toEqual(new Set([...keys.slice(0, 4), `io${resp}:n`]));
    const results = await client
      .pipeline()
      .get(keys[1]!)
      .get(`io${resp}:missing`)
      .del(...keys, `io${resp}:n`)
      .exec();
    expect(results).toEqual([
      [null, keys[1]],
      [null, null],
      [null, 5],
    ]);
  });
});

describe('authentication through HELLO 3 AUTH', () => {
  let secured: TestServer[];
  let sgw: RunningGateway;
  beforeAll(async () => {
    // The nodes want their own password: the gateway's RESP3 connections give it in HELLO 3 AUTH.
    secured = await Promise.all([0, 1].map(() => startTestServer({ requirePass: 'node-secret' })));
    sgw = await startGateway({
      ring: { nodes: secured.map((node) => `127.0.0.1:${node.port}`) },
      requirePass: 'client-secret',
      nodePassword: 'node-secret',
    });
  });
  afterAll(async () => {
    await sgw.close();
    await Promise.all(secured.map((node) => node.close()));
  });

  it('accepts node-redis with the password and refuses it without or with a wrong one', async () => {
    const client = await nodeRedis(sgw.port, { password: 'client-secret' });
    expect(await client.ping()).toBe('PONG');
    const keys = Array.from({ length: 10 }, (_, i) => `auth3:${i}`);
    expect(await client.mSet(keys.map((key) => [key, key]))).toBe('OK');
    expect(await client.mGet([...keys, 'auth3:missing'])).toEqual([...keys, null]);
    expect(await client.get('auth3:missing')).toBeNull();
    await expect(nodeRedis(sgw.port, { password: 'wrong' })).rejects.toThrow(/WRONGPASS/);
    await expect(nodeRedis(sgw.port)).rejects.toThrow(/NOAUTH HELLO must be called/);
    expect(sgw.logs().filter((line) => line.includes('node refused'))).toEqual([]);
  });
});
