import { Redis } from 'ioredis';
import { createClient, WatchError } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { Store } from '../../src/core/store.ts';
import { createRespServer } from '../../src/server/resp/create-resp-server.ts';
import type { RespServer } from '../../src/server/resp/create-resp-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { createSystemClock } from '../../src/util/clock.ts';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import {
  ringOver,
  RingVolume,
  startGateway,
  startNodes,
} from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';

// WATCH through a gateway over three real nodes: each watching client holds a node connection
// of its own, so the node's own WATCH decides, as for a client connected to it directly.
let nodes: TestServer[];
let ring: Ring;
let volume: RingVolume;
let gw: RunningGateway;
let client: RespTestClient;
let other: RespTestClient;

beforeAll(async () => {
  nodes = await startNodes(3);
  ring = ringOver(
    1,
    nodes.map((node) => node.port),
  );
  volume = new RingVolume(ring);
  gw = await startGateway({ ring: { file: volume.path, pollMs: 0 } });
  client = await RespTestClient.connect(gw.port);
  other = await RespTestClient.connect(gw.port);
});

afterAll(async () => {
  client.close();
  other.close();
  await gw.close();
  await Promise.all(nodes.map((node) => node.close()));
  volume.remove();
});

const ownerIndex = (key: string): number =>
  Number(ownerOf(ring, shardOf(key)).slice('node-'.length));
/** Two keys that live on different nodes. */
function keysOnTwoNodes(prefix: string): [string, string] {
  const first = `${prefix}:0`;
  for (let i = 1; ; i++) {
    const key = `${prefix}:${i}`;
    if (ownerIndex(key) !== ownerIndex(first)) return [first, key];
  }
}
/** The connections lent to watching clients, and kept idle, over every node. */
function ownLinks(): { lent: number; idle: number } {
  let lent = 0;
  let idle = 0;
  for (const pool of gw.gateway.router.pools) {
    lent += pool.ownLinks.lent;
    idle += pool.ownLinks.idle;
  }
  return { lent, idle };
}
const EXECABORT = { error: 'EXECABORT Transaction discarded because of previous errors.' };

describe('WATCH through the gateway', () => {
  it('commits when nothing changed the watched key, and aborts when another client did', async () => {
    expect(await client.call('SET', 'w:n', '1')).toBe('OK');
    expect(await client.call('WATCH', 'w:n')).toBe('OK');
    expect(await client.call('GET', 'w:n')).toBe('1');
    expect(await client.pipeline([['MULTI'], ['SET', 'w:n', '2'], ['EXEC']])).toEqual([
      'OK',
      'QUEUED',
      ['OK'],
    ]);
    expect(await client.call('WATCH', 'w:n')).toBe('OK');
    expect(await other.call('SET', 'w:n', 'theirs')).toBe('OK');
    expect(await client.pipeline([['MULTI'], ['SET', 'w:n', 'mine'], ['EXEC']])).toEqual([
      'OK',
      'QUEUED',
      null,
    ]);
    expect(await client.call('GET', 'w:n')).toBe('theirs');
    // EXEC ended the watch: the next transaction commits whatever others did meanwhile.
    expect(await other.call('SET', 'w:n', 'again')).toBe('OK');
    expect(await client.pipeline([['MULTI'], ['SET', 'w:n', 'mine'], ['EXEC']])).toEqual([
      'OK',
      'QUEUED',
      ['OK'],
    ]);
  });

  it('aborts even an empty transaction, and counts a deletion, an expiry and a new key', async () => {
    await client.call('SET', 'w:e', 'v');
    const cases: [string, string[]][] = [
      ['w:e', ['DEL', 'w:e']],
      ['w:new', ['SET', 'w:new', 'v']],
      ['w:new', ['PEXPIRE', 'w:new', '100000']],
    ];
    for (const [key, change] of cases) {
      expect(await client.call('WATCH', key)).toBe('OK');
      expect(await other.call(...change)).not.toHaveProperty('error');
      expect(await client.pipeline([['MULTI'], ['EXEC']]), change.join(' ')).toEqual(['OK', null]);
    }
  });

  it('keeps a pipelined SET, WATCH and GET in order, so the read sees the write', async () => {
    const replies = await client.pipeline([
      ['SET', 'w:p', '10'],
      ['WATCH', 'w:p'],
      ['GET', 'w:p'],
      ['MULTI'],
      ['INCRBY', 'w:p', '5'],
      ['EXEC'],
      ['GET', 'w:p'],
    ]);
    expect(replies).toEqual(['OK', 'OK', '10', 'OK', 'QUEUED', [15], '15']);
    // A large write still on its way to the node must land before the WATCH sent after it on
    // another connection (an idle one, ready at once), or it would abort the client's own EXEC.
    expect(await client.pipeline([['WATCH', 'w:p'], ['UNWATCH']])).toEqual(['OK', 'OK']);
    const large = 'x'.repeat(16 * 1024 * 1024);
    const ordered = await client.pipeline([
      ['SET', 'w:p', large],
      ['WATCH', 'w:p'],
      ['STRLEN', 'w:p'],
      ['MULTI'],
      ['SET', 'w:p', 'small'],
      ['EXEC'],
    ]);
    expect(ordered).toEqual(['OK', 'OK', large.length, 'OK', 'QUEUED', ['OK']]);
  });

  it('forgets the watch on UNWATCH and DISCARD, and queues UNWATCH inside MULTI', async () => {
    for (const end of [[['UNWATCH']], [['MULTI'], ['DISCARD']]]) {
      expect(await client.call('WATCH', 'w:u')).toBe('OK');
      await client.pipeline(end);
      expect(await other.call('SET', 'w:u', 'theirs')).toBe('OK');
      expect(await client.pipeline([['MULTI'], ['SET', 'w:u', 'mine'], ['EXEC']])).toEqual([
        'OK',
        'QUEUED',
        ['OK'],
      ]);
    }
    expect(await client.call('UNWATCH')).toBe('OK');
    expect(
      await client.pipeline([['WATCH', 'w:u'], ['MULTI'], ['UNWATCH'], ['WATCH', 'w:u'], ['EXEC']]),
    ).toEqual(['OK', 'OK', 'QUEUED', { error: 'ERR WATCH inside MULTI is not allowed' }, ['OK']]);
  });

  it('refuses keys on two nodes with CROSSSLOT, at WATCH and in the transaction', async () => {
    const [one, two] = keysOnTwoNodes('w:x');
    const crossslot = { error: "CROSSSLOT Keys in request don't hash to the same slot" };
    expect(await client.call('WATCH', one, two)).toEqual(crossslot);
    expect(await client.pipeline([['WATCH', one], ['WATCH', two], ['UNWATCH']])).toEqual([
      'OK',
      crossslot,
      'OK',
    ]);
    expect(await client.pipeline([['WATCH', one], ['MULTI'], ['SET', two, 'v'], ['EXEC']])).toEqual(
      ['OK', 'OK', crossslot, EXECABORT],
    );
    expect(await client.call('EXISTS', two)).toBe(0);
    // Keys sharing a hash tag live on one node: watched together.
    expect(await client.call('WATCH', '{w}a', '{w}b')).toBe('OK');
    expect(await client.pipeline([['MULTI'], ['SET', '{w}a', '1'], ['EXEC']])).toEqual([
      'OK',
      'QUEUED',
      ['OK'],
    ]);
  });

  it('gives the connection back when the watch ends or the client leaves', async () => {
    const before = ownLinks();
    expect(before.lent).toBe(0);
    const leaving = await RespTestClient.connect(gw.port);
    expect(await leaving.call('WATCH', 'w:gone')).toBe('OK');
    expect(ownLinks().lent).toBe(1);
    const node = gw.gateway.router.pools.find((pool) => pool.ownLinks.lent === 1)!.nodeId;
    expect(await gw.metric('mlcache_gateway_watch_connections', { node, state: 'lent' })).toBe(1);
    leaving.close();
    const deadline = Date.now() + 5000;
    while (ownLinks().lent > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ownLinks().lent).toBe(0);
    // Idle ones are reused: many watches in a row open no connection each.
    for (let i = 0; i < 20; i++) {
      expect(await client.call('WATCH', 'w:gone')).toBe('OK');
      expect(await client.call('UNWATCH')).toBe('OK');
    }
    expect(ownLinks().idle).toBeLessThanOrEqual(before.idle + 1);
  });

  it("serves ioredis's optimistic-locking loop under contention without a lost update", async () => {
    const redis = (): Redis =>
      new Redis(gw.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    const clients = [redis(), redis(), redis()];
    try {
      await clients[0]!.set('w:counter', '0');
      const increment = async (c: Redis): Promise<number> => {
        for (let attempt = 1; ; attempt++) {
          await c.watch('w:counter');
          const value = Number(await c.get('w:counter'));
          const result = await c
            .multi()
            .set('w:counter', String(value + 1))
            .exec();
          if (result !== null) return attempt;
        }
      };
      // One loop per connection: a connection holds one watch at a time, as in Redis.
      const attempts = await Promise.all(
        clients.map(async (c) => {
          let total = 0;
          for (let i = 0; i < 20; i++) total += await increment(c);
          return total;
        }),
      );
      expect(await clients[0]!.get('w:counter')).toBe('60');
      // Contention made some transactions abort and retry (each retry a fresh WATCH).
      expect(attempts.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(60);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });
});

describe('WATCH from node-redis in RESP3', () => {
  it('commits, and rejects EXEC with WatchError when the key changed', async () => {
    const redis = createClient({
      socket: { port: gw.port, host: '127.0.0.1', reconnectStrategy: false },
    });
    redis.on('error', () => {});
    await redis.connect();
    try {
      await redis.set('w:r3', '1');
      await redis.watch('w:r3');
      expect(await redis.get('w:r3')).toBe('1');
      expect(await redis.multi().set('w:r3', '2').get('w:r3').exec()).toEqual(['OK', '2']);
      await redis.watch('w:r3');
      expect(await other.call('SET', 'w:r3', 'theirs')).toBe('OK');
      await expect(redis.multi().set('w:r3', 'mine').exec()).rejects.toBeInstanceOf(WatchError);
      expect(await redis.get('w:r3')).toBe('theirs');
    } finally {
      await redis.quit();
    }
  });
});

describe('WATCH when the node connection is lost', () => {
  it('answers EXEC with a null reply rather than commit unchecked, down or reconnected', async () => {
    const own = await startNodes(2);
    const twoRing = ringOver(
      1,
      own.map((node) => node.port),
    );
    const twoVolume = new RingVolume(twoRing);
    const small = await startGateway({ ring: { file: twoVolume.path, pollMs: 0 } });
    const c = await RespTestClient.connect(small.port);
    let restarted: RespServer | undefined;
    const waitFor = async (done: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!done() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      const key = 'lost';
      const index = Number(ownerOf(twoRing, shardOf(key)).slice('node-'.length));
      const pool = small.gateway.router.pools[index]!;
      const transaction = [['MULTI'], ['SET', key, 'v'], ['EXEC']];
      expect(await c.call('WATCH', key)).toBe('OK');
      await own[index]!.close();
      await waitFor(() => pool.state !== 'up');
      expect(await c.pipeline(transaction)).toEqual(['OK', 'QUEUED', null]);

      // The node is back on its address and every connection reconnects: a watch made before
      // is gone from the node, so EXEC must not run as if it held.
      expect(await c.call('WATCH', key)).toHaveProperty(
        'error',
        expect.stringMatching(/^CLUSTERDOWN/) as string,
      );
      const clock = createSystemClock();
      restarted = createRespServer({ store: new Store({ clock }), clock, closeTimeoutMs: 1000 });
      await restarted.listen(own[index]!.port, '127.0.0.1');
      // Until the node sees the gateway's two shared connections and the client's own again.
      const probe = await RespTestClient.connect(own[index]!.port);
      const deadline = Date.now() + 10_000;
      let clients = 0;
      while (clients < 4 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const list = (await probe.call('CLIENT', 'LIST')) as string;
        clients = list.trim().split('\n').length;
      }
      probe.close();
      expect(clients).toBe(4);
      expect(await c.pipeline(transaction)).toEqual(['OK', 'QUEUED', null]);
      expect(await c.call('EXISTS', key)).toBe(0);
      // A fresh watch on the restarted node works as before.
      expect(await c.call('WATCH', key)).toBe('OK');
      expect(await c.pipeline(transaction)).toEqual(['OK', 'QUEUED', ['OK']]);
    } finally {
      c.close();
      await small.close();
      await restarted?.close();
      await Promise.all(own.map((node) => node.close()));
      twoVolume.remove();
    }
  });
});
