import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { createRing, serializeRingDocument } from '../../src/cluster/ring-document.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { movedReply, startFakeNode } from '../../src/gateway/testing/fake-node.ts';
import type { FakeNode } from '../../src/gateway/testing/fake-node.ts';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import {
  localNode,
  ringOver,
  RingVolume,
  startGateway,
  startNodes,
} from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';

let nodes: TestServer[];
let direct: RespTestClient[];

beforeAll(async () => {
  nodes = await startNodes(3);
  direct = await Promise.all(nodes.map((node) => RespTestClient.connect(node.port)));
});

afterAll(async () => {
  for (const c of direct) c.close();
  await Promise.all(nodes.map((node) => node.close()));
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ports = (): number[] => nodes.map((node) => node.port);
/** The ring node index other than `index`. */
const other = (index: number): number => (index + 1) % 3;
const indexOf = (ring: Ring, key: string): number => Number(ownerOf(ring, shardOf(key)).slice(5));

async function gatewayOn(
  volume: RingVolume,
): Promise<{ gw: RunningGateway; client: RespTestClient }> {
  const gw = await startGateway({ ring: { file: volume.path, pollMs: 0 }, nearCacheTtlMs: 0 });
  const client = await RespTestClient.connect(gw.port);
  cleanups.push(
    () => volume.remove(),
    () => gw.close(),
    () => client.close(),
  );
  return { gw, client };
}

describe('ring reload from a ConfigMap-style file', () => {
  it('routes by the new ring after an epoch bump, and refuses older or broken documents', async () => {
    const first = ringOver(1, ports());
    const volume = new RingVolume(first);
    const { gw, client } = await gatewayOn(volume);
    const key = 'reload:key';
    const before = indexOf(first, key);
    expect(await client.call('SET', key, 'one')).toBe('OK');
    expect(await direct[before]!.call('GET', key)).toBe('one');

    // Epoch 2 pins the key's shard to another node.
    const moved = other(before);
    const second = ringOver(2, ports(), new Map([[shardOf(key), `node-${moved}`]]));
    volume.write(second);
    expect(
      await until(
        () => gw.metric('mlcache_gateway_ring_epoch'),
        (e) => e === 2,
      ),
    ).toBe(2);
    expect(await client.call('SET', key, 'two')).toBe('OK');
    expect(await direct[moved]!.call('GET', key)).toBe('two');
    expect(await direct[before]!.call('GET', key)).toBe('one');

    // An older epoch is refused with a metric and a log line; the ring stays at epoch 2.
    volume.write(ringOver(1, ports().slice(0, 2)));
    const stale = await until(
      () => gw.metric('mlcache_gateway_ring_rejected_total', { reason: 'stale-epoch' }),
      (n) => n === 1,
    );
    expect(stale).toBe(1);
    expect(
      gw.logs().some((line) => line.includes('ring refused') && line.includes('stale-epoch')),
    ).toBe(true);
    expect(await gw.metric('mlcache_gateway_ring_epoch')).toBe(2);
    expect(await client.call('GET', key)).toBe('two');

    // So is a malformed document.
    volume.write('{"schemaVersion": 1, "epoch": "nine"');
    expect(
      await until(
        () => gw.metric('mlcache_gateway_ring_rejected_total', { reason: 'invalid' }),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(await gw.metric('mlcache_gateway_ring_epoch')).toBe(2);
  });

  it('accepts a ring by PUT /v1/ring and serves the one in use by GET', async () => {
    const volume = new RingVolume(ringOver(5, ports()));
    const { gw } = await gatewayOn(volume);
    const url = `http://127.0.0.1:${gw.adminPort}/v1/ring`;
    const put = (body: string): Promise<Response> => fetch(url, { method: 'PUT', body });

    const newer = serializeRingDocument(ringOver(6, ports().slice(0, 2)));
    const accepted = await put(newer);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ applied: true, epoch: 6 });
    expect(await (await fetch(url)).text()).toBe(newer);

    const stale = await put(serializeRingDocument(ringOver(4, ports())));
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe(
      'GATEWAY_E_RING_REFUSED',
    );

    const broken = await put('not json');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe(
      'GATEWAY_E_RING_INVALID',
    );
    expect(await gw.metric('mlcache_gateway_ring_rejected_total', { reason: 'invalid' })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${gw.adminPort}/readyz`)).status).toBe(200);
  });
});

describe('MOVED replies', () => {
  let fake: FakeNode;
  let movedTo = '';
  beforeAll(async () => {
    fake = await startFakeNode((args) => {
      const name = (args[0] ?? '').toLowerCase();
      if (name === 'ping') return '+PONG\r\n';
      return movedReply(args[1] ?? '', movedTo || fake.address);
    });
  });
  afterAll(() => fake.close());

  /** A ring with the three real nodes and the fake as node-3, owning `key`'s shard. */
  function ringWithFake(epoch: number, key: string): Ring {
    const result = createRing({
      epoch,
      nodes: [
        ...ports().map((port, i) => localNode(`node-${i}`, port)),
        localNode('node-3', fake.port),
      ],
      overrides: new Map([[shardOf(key), 'node-3']]),
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return result.ring;
  }

  it('follows a MOVED to a node of the ring and retries', async () => {
    const key = 'moved:hinted';
    const volume = new RingVolume(ringWithFake(10, key));
    const { gw, client } = await gatewayOn(volume);
    movedTo = `127.0.0.1:${nodes[1]!.port}`;
    await direct[1]!.call('SET', key, 'real');
    const seen = fake.received.length;
    expect(await client.call('GET', key)).toBe('real');
    expect(fake.received.length).toBeGreaterThan(seen);
    expect(await gw.metric('mlcache_gateway_moved_retries_total')).toBe(1);
    // Until the ring changes, the shard goes straight to where the node said.
    expect(await client.call('GET', key)).toBe('real');
    expect(await gw.metric('mlcache_gateway_moved_retries_total')).toBe(1);
  });

  it('reloads the ring on MOVED when the watch missed the change, then retries', async () => {
    const key = 'moved:reload';
    const volume = new RingVolume(ringWithFake(20, key));
    const { gw, client } = await gatewayOn(volume);
    await direct[2]!.call('SET', key, 'after-reload');
    // The node points at an address the gateway's ring does not know yet; the new ring (written
    // where the directory watch cannot see it) gives the shard to node-2.
    movedTo = '127.0.0.1:1';
    volume.overwriteInPlace(ringOver(21, ports(), new Map([[shardOf(key), 'node-2']])));
    expect(await client.call('GET', key)).toBe('after-reload');
    expect(await gw.metric('mlcache_gateway_ring_epoch')).toBe(21);
    expect(await gw.metric('mlcache_gateway_moved_retries_total')).toBe(1);
  });

  it('gives up with TRYAGAIN after the bounded retries', async () => {
    const key = 'moved:loop';
    const volume = new RingVolume(ringWithFake(30, key));
    const { gw, client } = await gatewayOn(volume);
    movedTo = fake.address;
    const reply = await client.call('GET', key);
    expect(reply).toEqual({
      error: expect.stringMatching(/^TRYAGAIN the ring is changing \(MOVED \d+ /) as string,
    });
    expect(await gw.metric('mlcache_gateway_moved_retries_total')).toBe(2);
    expect(await gw.metric('mlcache_gateway_moved_given_up_total')).toBe(1);
    // A multi-key command split over the fake and a real node fails the same way, in order.
    const replies = await client.pipeline([['MGET', key, 'plain:key'], ['PING']]);
    expect(replies[0]).toEqual({ error: expect.stringMatching(/^TRYAGAIN/) as string });
    expect(replies[1]).toBe('PONG');
  });
});
