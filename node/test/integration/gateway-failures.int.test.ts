import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { startFakeNode } from '../../src/gateway/testing/fake-node.ts';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import { ringOver, RingVolume, startGateway } from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';
import { LOCAL_NODE_ARGS, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';

// Real `mlcache node` processes, so that a node can be killed (SIGKILL) like a crashed pod.
let nodes: RunningNode[];
let volume: RingVolume;
let gw: RunningGateway;
let client: RespTestClient;
const ring = (): ReturnType<typeof ringOver> =>
  ringOver(
    1,
    nodes.map((node) => node.listening.resp),
  );

beforeAll(async () => {
  nodes = await Promise.all([0, 1, 2].map(() => startNode(LOCAL_NODE_ARGS)));
  volume = new RingVolume(ring());
  gw = await startGateway({ ring: { file: volume.path, pollMs: 0 }, connectTimeoutMs: 300 });
  client = await RespTestClient.connect(gw.port);
});

afterAll(async () => {
  client.close();
  await gw.close();
  await Promise.all(nodes.map((node) => node.stop()));
  volume.remove();
});

/** A key owned by ring node `index`. */
function keyOn(index: number, prefix: string): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}:${i}`;
    if (ownerOf(ring(), shardOf(key)) === `node-${index}`) return key;
  }
}

describe('a node that dies', () => {
  it('gives its keys a clear CLUSTERDOWN error quickly while the other nodes keep working', async () => {
    const keys = [0, 1, 2].map((i) => keyOn(i, 'fail'));
    expect(await client.pipeline(keys.map((key) => ['SET', key, key]))).toEqual(['OK', 'OK', 'OK']);

    nodes[2]!.child.kill('SIGKILL');
    await nodes[2]!.stop();
    const started = Date.now();
    let reply = await client.call('GET', keys[2]!);
    // The first command may still find the connection open; the next ones fail fast.
    while (typeof reply === 'string' && Date.now() - started < 2500)
      reply = await client.call('GET', keys[2]!);
    expect(reply).toEqual({
      error: expect.stringMatching(
        /^CLUSTERDOWN node node-2 \(127\.0\.0\.1:\d+\) is unreachable \(/,
      ) as string,
    });
    expect(Date.now() - started).toBeLessThan(2500);

    expect(await client.call('GET', keys[0]!)).toBe(keys[0]);
    expect(await client.call('GET', keys[1]!)).toBe(keys[1]);
    expect(await client.call('PING')).toBe('PONG');
    const mixed = await client.pipeline([
      ['MGET', keys[0]!, keys[2]!],
      ['GET', keys[1]!],
    ]);
    expect(mixed[0]).toEqual({
      error: expect.stringMatching(/^CLUSTERDOWN node node-2/) as string,
    });
    expect(mixed[1]).toBe(keys[1]);
    expect(await client.call('DBSIZE')).toEqual({
      error: expect.stringMatching(/^CLUSTERDOWN/) as string,
    });
    // INFO still answers, without the dead node's figures.
    const info = (await client.call('INFO', 'cluster')) as string;
    expect(info).toContain('mlcache_ring_nodes_up:2');
    expect(info).toContain('mlcache_ring_nodes_answered:2');
    expect(
      await gw.metric('mlcache_gateway_node_connection_state', { node: 'node-2', state: 'down' }),
    ).toBe(1);
  });

  it('reconnects with backoff once the node is back on its address', async () => {
    const port = ring().nodes[2]!.address.split(':')[1]!;
    const args = LOCAL_NODE_ARGS.map((arg, i) =>
      LOCAL_NODE_ARGS[i - 1] === '--port' ? port : arg,
    );
    nodes[2] = await startNode(args);
    const key = keyOn(2, 'back');
    const deadline = Date.now() + 10_000;
    let reply = await client.call('SET', key, 'again');
    while (reply !== 'OK' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await client.call('SET', key, 'again');
    }
    expect(reply).toBe('OK');
    expect(await client.call('GET', key)).toBe('again');
    expect(
      await gw.metric('mlcache_gateway_node_connection_state', { node: 'node-2', state: 'up' }),
    ).toBe(1);
  });
});

describe('nodes that cannot be reached or do not answer', () => {
  it('fails commands for a node nothing listens on, and is ready once it tried', async () => {
    const fake = await startFakeNode(() => undefined);
    const deadPort = fake.port;
    await fake.close();
    const other = await startGateway({ ring: { nodes: [`127.0.0.1:${deadPort}`] } });
    const c = await RespTestClient.connect(other.port);
    const reply = await c.call('GET', 'k');
    expect(reply).toEqual({
      error: expect.stringMatching(
        /^CLUSTERDOWN node 127\.0\.0\.1-\d+ .* is unreachable \(ECONNREFUSED\)$/,
      ) as string,
    });
    expect((await fetch(`http://127.0.0.1:${other.adminPort}/readyz`)).status).toBe(200);
    c.close();
    await other.close();
  });

  it('resets a connection whose node stopped answering, after the command timeout', async () => {
    const hung = await startFakeNode(() => undefined);
    const other = await startGateway({ ring: { nodes: [hung.address] }, commandTimeoutMs: 300 });
    const c = await RespTestClient.connect(other.port);
    const started = Date.now();
    const reply = await c.call('GET', 'k');
    expect(reply).toEqual({
      error: expect.stringMatching(/is unreachable \(no reply for 300 ms\)$/) as string,
    });
    expect(Date.now() - started).toBeLessThan(2500);
    c.close();
    await other.close();
    await hung.close();
  });
});
