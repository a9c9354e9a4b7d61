import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { ringOver } from '../../src/gateway/testing/test-cluster.ts';
import { RawClient } from '../../src/server/resp/testing/start-test-server.ts';
import { useGatewayNodes } from './support/gateway-nodes.ts';

/**
 * Pub/Sub through gateways: each gateway subscribes at the node that owns a channel's name and
 * sends PUBLISH there, so messages cross gateways; patterns listen on every node.
 */
const { direct, cleanups, ports, gatewayOnRing, gateway } = useGatewayNodes(3);

const ownerIndex = (ring: Ring, name: string): number =>
  Number(ownerOf(ring, shardOf(name)).slice(5));

function ioredis(port: number): Redis {
  const client = new Redis(port, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  cleanups.push(() => client.quit().catch(() => {}));
  return client;
}

/** The channels each node has subscribers for (the gateways' subscriber connections). */
async function channelsAtNodes(): Promise<string[][]> {
  return Promise.all(
    direct.map(async (client) => ((await client.call('PUBSUB', 'CHANNELS')) as string[]).sort()),
  );
}

describe('Pub/Sub through the gateway', () => {
  it('delivers across gateways, subscribing each channel at its owner and patterns everywhere', async () => {
    const { ring, volume, gw: a } = await gatewayOnRing();
    const b = await gateway(volume);
    const subscriber = ioredis(a.port);
    const publisher = ioredis(b.port);
    const channels = Array.from({ length: 24 }, (_, i) => `ch:${i}`);
    expect(await subscriber.subscribe(...channels)).toBe(24);
    expect(await subscriber.psubscribe('news.*')).toBe(25);
    const got: string[] = [];
    subscriber.on('message', (channel: string, message: string) =>
      got.push(`${channel}=${message}`),
    );
    subscriber.on('pmessage', (pattern: string, channel: string, message: string) =>
      got.push(`${pattern}|${channel}=${message}`),
    );
    // Each channel is subscribed at its owner only; gateway A's connection is that node's subscriber.
    await expect
      .poll(async () => (await channelsAtNodes()).flat().length, { timeout: 5000 })
      .toBe(24);
    const placed = await channelsAtNodes();
    for (const channel of channels) {
      const holders = placed.flatMap((names, i) => (names.includes(channel) ? [i] : []));
      expect(holders, channel).toEqual([ownerIndex(ring, channel)]);
    }
    expect(placed.filter((names) => names.length > 0).length).toBeGreaterThan(1);
    await expect
      .poll(() => Promise.all(direct.map((client) => client.call('PUBSUB', 'NUMPAT'))))
      .toEqual([1, 1, 1]);

    for (const channel of channels) expect(await publisher.publish(channel, 'x')).toBe(1);
    expect(await publisher.publish('news.today', 'y')).toBe(1);
    expect(await publisher.publish('nobody', 'z')).toBe(0);
    await expect.poll(() => got.length).toBe(25);
    expect(got.sort()).toEqual([...channels.map((c) => `${c}=x`), 'news.*|news.today=y'].sort());

    expect(await a.metric('mlcache_gateway_pubsub_names', { kind: 'channel' })).toBe(24);
    expect(await a.metric('mlcache_gateway_pubsub_names', { kind: 'pattern' })).toBe(1);
    expect(await a.metric('mlcache_gateway_pubsub_messages_total')).toBe(25);
    // PUBSUB at a gateway counts that gateway's own clients.
    expect(await publisher.pubsub('NUMSUB', 'ch:1')).toEqual(['ch:1', 0]);
    const asker = ioredis(a.port);
    expect(await asker.pubsub('NUMSUB', 'ch:1')).toEqual(['ch:1', 1]);
    expect(await asker.pubsub('NUMPAT')).toBe(1);

    // The last subscriber leaving ends the gateway's subscriptions at the nodes.
    await subscriber.quit();
    await expect.poll(async () => (await channelsAtNodes()).flat()).toEqual([]);
    await expect
      .poll(() => Promise.all(direct.map((client) => client.call('PUBSUB', 'NUMPAT'))))
      .toEqual([0, 0, 0]);
  });

  it('moves a channel to its new owner when the ring changes', async () => {
    const { ring: first, volume, gw } = await gatewayOnRing();
    const subscriber = ioredis(gw.port);
    const publisher = ioredis(gw.port);
    const channel = 'moving-channel';
    const before = ownerIndex(first, channel);
    await subscriber.subscribe(channel);
    const got: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => got.push(message));
    await expect.poll(async () => (await channelsAtNodes())[before]).toEqual([channel]);
    expect(await publisher.publish(channel, 'one')).toBe(1);

    const after = (before + 1) % 3;
    volume.write(ringOver(2, ports(), new Map([[shardOf(channel), `node-${after}`]])));
    await expect.poll(() => gw.metric('mlcache_gateway_ring_epoch')).toBe(2);
    await expect.poll(async () => (await channelsAtNodes())[after]).toEqual([channel]);
    expect((await channelsAtNodes())[before]).toEqual([]);
    expect(await publisher.publish(channel, 'two')).toBe(1);
    await expect.poll(() => got).toEqual(['one', 'two']);
  });

  it('answers the subscribed RESP2 context and PING as a node does', async () => {
    const { gw } = await gatewayOnRing();
    const client = await RawClient.connect(gw.port);
    cleanups.push(() => client.destroy());
    client.send(
      encodePipeline([['SUBSCRIBE', 'c'], ['GET', 'k'], ['PING'], ['UNSUBSCRIBE'], ['GET', 'k']]),
    );
    await client.waitFor((text) => text.endsWith('$-1\r\n'));
    expect(client.text).toBe(
      '*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n' +
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET " +
        'are allowed in this context\r\n' +
        '*2\r\n$4\r\npong\r\n$0\r\n\r\n' +
        '*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n' +
        '$-1\r\n',
    );
  });

  it('RESET at the gateway leaves MULTI and subscriptions', async () => {
    const { gw } = await gatewayOnRing();
    const client = await RawClient.connect(gw.port);
    cleanups.push(() => client.destroy());
    client.send(
      encodePipeline([
        ['MULTI'],
        ['SET', 'reset-key', 'v'],
        ['RESET'],
        ['EXEC'],
        ['SUBSCRIBE', 'd'],
        ['RESET'],
        ['GET', 'reset-key'],
      ]),
    );
    await client.waitFor((text) => text.endsWith('$-1\r\n'));
    expect(client.text).toBe(
      '+OK\r\n+QUEUED\r\n+RESET\r\n-ERR EXEC without MULTI\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$1\r\nd\r\n:1\r\n+RESET\r\n$-1\r\n',
    );
    await expect.poll(async () => (await channelsAtNodes()).flat()).toEqual([]);
  });

  it('routes shard channels: SSUBSCRIBE and SPUBLISH meet at the owner', async () => {
    const { ring, gw } = await gatewayOnRing();
    const subscriber = ioredis(gw.port);
    const publisher = ioredis(gw.port);
    const got: string[] = [];
    subscriber.on('smessage', (channel: string, message: string) =>
      got.push(`${channel}=${message}`),
    );
    expect(await subscriber.ssubscribe('orders:{7}')).toBe(1);
    const owner = ownerIndex(ring, 'orders:{7}');
    await expect.poll(() => direct[owner]!.call('PUBSUB', 'SHARDCHANNELS')).toEqual(['orders:{7}']);
    expect(await publisher.spublish('orders:{7}', 'paid')).toBe(1);
    await expect.poll(() => got).toEqual(['orders:{7}=paid']);
  });

  it('gathers keyspace notifications from every node on one subscription', async () => {
    const { ring, gw } = await gatewayOnRing();
    for (const client of direct) await client.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
    cleanups.push(async () => {
      for (const client of direct) await client.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    });
    const subscriber = ioredis(gw.port);
    const writer = ioredis(gw.port);
    const expired: string[] = [];
    subscriber.on('message', (_channel: string, key: string) => expired.push(key));
    await subscriber.subscribe('__keyevent@0__:expired');
    // A notification channel is subscribed at every node: each node notifies of its own keys.
    await expect
      .poll(() =>
        Promise.all(
          direct.map((client) => client.call('PUBSUB', 'NUMSUB', '__keyevent@0__:expired')),
        ),
      )
      .toEqual(direct.map(() => ['__keyevent@0__:expired', 1]));
    const keys = Array.from({ length: 12 }, (_, i) => `session:${i}`);
    for (const key of keys) await writer.set(key, 'v', 'PX', 20);
    expect(new Set(keys.map((key) => ownerIndex(ring, key))).size).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // Reading each one expires it on its node if that node's sweep has not.
    for (const key of keys) expect(await writer.get(key)).toBeNull();
    await expect.poll(() => [...expired].sort()).toEqual([...keys].sort());
  });
});
