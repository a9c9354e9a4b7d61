import { BasicClientSideCache, createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServerOptions } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';

/**
 * Client-side caching on a node with node-redis's own cache (`clientSideCache`, RESP3, CLIENT
 * TRACKING ON): values are served from the client's memory until the node says they changed,
 * whatever changed them: another client's write, a flush, expiry or eviction.
 */
const servers: TestServer[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function clients(port: number) {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const socket = { host: '127.0.0.1', port, reconnectStrategy: false as const };
  const cached = createClient({ socket, RESP: 3, clientSideCache: cache });
  const plain = createClient({ socket });
  for (const client of [cached, plain]) {
    client.on('error', () => {});
    await client.connect();
    cleanups.push(() => client.close());
  }
  return { cache, cached, plain };
}

/** Reads `key` through the cached client until it returns `expected` (or 2 s pass). */
async function readsEventually(
  client: { get(key: string): Promise<unknown> },
  key: string,
  expected: string | null,
): Promise<unknown> {
  const deadline = Date.now() + 2000;
  let value = await client.get(key);
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    value = await client.get(key);
  }
  return value;
}

describe('client-side caching on a node', () => {
  it("serves reads from node-redis's cache until another client writes the key", async () => {
    const server = await start();
    const { cache, cached, plain } = await clients(server.port);
    await plain.set('k', 'v1');
    expect(await cached.get('k')).toBe('v1');
    const hitsBefore = server.store.stats().hits;
    expect(await cached.get('k')).toBe('v1');
    expect(await cached.get('k')).toBe('v1');
    // The two reads above never reached the node.
    expect(server.store.stats().hits).toBe(hitsBefore);
    expect(cache.stats().hitCount).toBe(2);

    await plain.set('k', 'v2');
    expect(await readsEventually(cached, 'k', 'v2')).toBe('v2');
    await plain.del('k');
    expect(await readsEventually(cached, 'k', null)).toBeNull();

    expect(await cached.get('k')).toBeNull();
    await plain.flushAll();
    expect(cache.size()).toBe(0);
  });

  it('invalidates keys that expire or are evicted on the node', async () => {
    const server = await start({ storeOptions: { maxMemory: 256 * 1024 } });
    const { cached, plain } = await clients(server.port);
    await plain.set('brief', 'v', { PX: 30 });
    await plain.set('first', 'x'.repeat(1000));
    expect(await cached.get('brief')).toBe('v');
    expect(await cached.get('first')).toBe('x'.repeat(1000));

    await new Promise((resolve) => setTimeout(resolve, 60));
    // Expired: the node removes it at its next read, and tells the cached client.
    expect(await plain.get('brief')).toBeNull();
    expect(await readsEventually(cached, 'brief', null)).toBeNull();

    // Filling the budget evicts `first` (the oldest, under LRU) and invalidates it.
    for (let i = 0; i < 400; i++) await plain.set(`fill:${i}`, 'y'.repeat(1000));
    expect(server.store.has('first')).toBe(false);
    expect(await readsEventually(cached, 'first', null)).toBeNull();
  });
});
