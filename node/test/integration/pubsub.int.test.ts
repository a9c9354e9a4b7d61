import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { PUBSUB_OUTPUT_LIMIT } from '../../src/server/resp/connection.ts';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';

/** Pub/Sub on a node over real sockets, with the clients applications use. */
const servers: TestServer[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(): Promise<TestServer> {
  const server = await startTestServer();
  servers.push(server);
  return server;
}

function ioredis(port: number): Redis {
  const client = new Redis(port, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  cleanups.push(() => client.quit());
  return client;
}

/** Resolves with the first `count` values `on(listener)` reports. */
function collect<T>(count: number, on: (listener: (value: T) => void) => void): Promise<T[]> {
  return new Promise((resolve) => {
    const seen: T[] = [];
    on((value) => {
      seen.push(value);
      if (seen.length === count) resolve(seen);
    });
  });
}

describe('Pub/Sub on a node', () => {
  it('delivers channel, pattern and binary messages to ioredis subscribers', async () => {
    const server = await start();
    const subscriber = ioredis(server.port);
    const publisher = ioredis(server.port);
    expect(await subscriber.subscribe('orders', 'prices')).toBe(2);
    expect(await subscriber.psubscribe('cache:*')).toBe(3);
    const messages = collect<[string, string]>(2, (listener) =>
      subscriber.on('message', (channel: string, message: string) => listener([channel, message])),
    );
    const patterned = collect<[string, string, Buffer]>(1, (listener) =>
      subscriber.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) =>
        listener([pattern.toString(), channel.toString(), message]),
      ),
    );
    expect(await publisher.publish('orders', 'order 1')).toBe(1);
    expect(await publisher.publish('prices', 'up')).toBe(1);
    const binary = Buffer.from([0, 13, 10, 255, 128]);
    expect(await publisher.publish('cache:user:1', binary)).toBe(1);
    expect(await messages).toEqual([
      ['orders', 'order 1'],
      ['prices', 'up'],
    ]);
    const [pattern, channel, payload] = (await patterned)[0]!;
    expect([pattern, channel]).toEqual(['cache:*', 'cache:user:1']);
    expect(payload.equals(binary)).toBe(true);
    expect(await publisher.pubsub('NUMSUB', 'orders', 'nobody')).toEqual([
      'orders',
      1,
      'nobody',
      0,
    ]);
    expect(await publisher.pubsub('NUMPAT')).toBe(1);
    // A subscriber that leaves is forgotten: nothing is delivered to a closed socket.
    await subscriber.quit();
    await expect.poll(() => publisher.publish('orders', 'gone')).toBe(0);
    expect(await publisher.pubsub('NUMPAT')).toBe(0);
  });

  it('serves node-redis in RESP3: commands and messages on one connection', async () => {
    const server = await start();
    const client = createClient({
      socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false },
      RESP: 3,
    });
    client.on('error', () => {});
    await client.connect();
    cleanups.push(() => client.quit());
    const received = collect<string>(2, (listener) => {
      void client.subscribe('events', (message) => listener(message));
    });
    await expect.poll(() => client.pubSubNumSub('events')).toEqual({ events: 1 });
    // RESP3: a subscribed connection still runs ordinary commands.
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    // Published by the subscriber itself (the differential test checks where the message goes).
    expect(await client.publish('events', 'first')).toBe(1);
    const other = ioredis(server.port);
    expect(await other.publish('events', 'second')).toBe(1);
    expect(await received).toEqual(['first', 'second']);
    const sharded = collect<string>(1, (listener) => {
      void client.sSubscribe('shard-1', (message) => listener(message));
    });
    await expect.poll(() => other.call('PUBSUB', 'SHARDNUMSUB', 'shard-1')).toEqual(['shard-1', 1]);
    expect(await other.call('SPUBLISH', 'shard-1', 'hello')).toBe(1);
    expect(await sharded).toEqual(['hello']);
  });

  it('drops a subscriber that stops reading once its output passes the pubsub limit', async () => {
    const server = await start();
    const socket = createConnection({ port: server.port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(encodePipeline([['SUBSCRIBE', 'firehose']]));
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    // The subscriber reads nothing more; a slow consumer must not make the node buffer forever.
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    const publisher = ioredis(server.port);
    const message = Buffer.alloc(1024 * 1024, 0x61);
    const needed = Math.ceil(PUBSUB_OUTPUT_LIMIT / message.length) + 16;
    let delivered = 0;
    for (let i = 0; i < needed * 2; i++) {
      delivered += await publisher.publish('firehose', message);
      if ((await publisher.pubsub('NUMSUB', 'firehose'))[1] === 0) break;
    }
    expect(delivered).toBeGreaterThan(PUBSUB_OUTPUT_LIMIT / message.length - 1);
    expect(await publisher.pubsub('NUMSUB', 'firehose')).toEqual(['firehose', 0]);
    socket.resume();
    await closed;
    // The node serves on.
    expect(await publisher.publish('firehose', 'after')).toBe(0);
  });

  it('notifies of evicted and expired keys when notify-keyspace-events asks for them', async () => {
    const server = await startTestServer({ storeOptions: { maxMemory: 64 * 1024 } });
    servers.push(server);
    const subscriber = ioredis(server.port);
    const client = ioredis(server.port);
    expect(await client.config('SET', 'notify-keyspace-events', 'Exe')).toBe('OK');
    expect(await client.config('GET', 'notify-keyspace-events')).toEqual([
      'notify-keyspace-events',
      'xeE',
    ]);
    const events: [string, string][] = [];
    subscriber.on('pmessage', (_pattern: string, channel: string, key: string) =>
      events.push([channel, key]),
    );
    await subscriber.psubscribe('__keyevent@0__:*');
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 200; i++) await client.set(`fill:${i}`, value);
    await client.set('short-lived', 'v', 'PX', 30);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // Gone by now: this read removes it if the expiry sweep has not yet.
    expect(await client.get('short-lived')).toBeNull();
    await expect.poll(() => events.some(([channel]) => channel.endsWith(':expired'))).toBe(true);
    const evicted = events.filter(([channel]) => channel === '__keyevent@0__:evicted');
    expect(evicted.length).toBeGreaterThan(100);
    // Each evicted key is gone, and no key evicted is still there.
    for (const [, key] of evicted.slice(0, 20)) expect(await client.exists(key)).toBe(0);
    expect(events).toContainEqual(['__keyevent@0__:expired', 'short-lived']);
    // Off again: removals are no longer reported.
    await client.config('SET', 'notify-keyspace-events', '');
    const before = events.length;
    for (let i = 200; i < 300; i++) await client.set(`fill:${i}`, value);
    await client.ping();
    expect(events.length).toBe(before);
  });
});
