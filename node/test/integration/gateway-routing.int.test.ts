import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import type { Reply } from '../../src/gateway/testing/resp-test-client.ts';
import {
  ringOver,
  RingVolume,
  startGateway,
  startNodes,
} from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';

// Three real nodes (the node's RESP server over a real Store, in this process) behind one gateway
// reading a ring file. Keys are read back from each node directly to check where they landed.
let nodes: TestServer[];
let ring: Ring;
let volume: RingVolume;
let gw: RunningGateway;
let client: RespTestClient;
const direct: RespTestClient[] = [];

beforeAll(async () => {
  nodes = await startNodes(3);
  ring = ringOver(
    1,
    nodes.map((node) => node.port),
  );
  volume = new RingVolume(ring);
  gw = await startGateway({ ring: { file: volume.path, pollMs: 0 }, nearCacheTtlMs: 0 });
  client = await RespTestClient.connect(gw.port);
  for (const node of nodes) direct.push(await RespTestClient.connect(node.port));
});

afterAll(async () => {
  client.close();
  for (const c of direct) c.close();
  await gw.close();
  await Promise.all(nodes.map((node) => node.close()));
  volume.remove();
});

const ownerIndex = (key: string): number =>
  Number(ownerOf(ring, shardOf(key)).slice('node-'.length));
const keys = (n: number, prefix: string): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}:${i}`);

describe('gateway routing across three nodes', () => {
  it('stores each key on exactly its owner', async () => {
    const names = keys(60, 'route');
    const replies = await client.pipeline(names.map((key) => ['SET', key, `v-${key}`]));
    expect(replies.every((reply) => reply === 'OK')).toBe(true);
    const owners = new Set(names.map(ownerIndex));
    expect(owners.size).toBe(3);
    for (const key of names) {
      const found = await Promise.all(direct.map((c) => c.call('GET', key)));
      const holders = found.flatMap((value, i) => (value === null ? [] : [i]));
      expect(holders, key).toEqual([ownerIndex(key)]);
      expect(found[ownerIndex(key)]).toBe(`v-${key}`);
    }
  });

  it("routes SET's older forms (SETEX, PSETEX, SETNX, GETSET) to the key's owner", async () => {
    const forms = [
      (key: string) => ['SETEX', key, '100', 'a'],
      (key: string) => ['PSETEX', key, '100000', 'a'],
      (key: string) => ['SETNX', key, 'a'],
      (key: string) => ['GETSET', key, 'a'],
    ];
    const names = keys(24, 'legacy');
    const replies = await client.pipeline(names.map((key, i) => forms[i % 4]!(key)));
    expect(replies).toEqual(names.map((_, i) => ['OK', 'OK', 1, null][i % 4]));
    expect(new Set(names.map(ownerIndex)).size).toBe(3);
    for (const [i, key] of names.entries()) {
      const found = await Promise.all(direct.map((c) => c.call('GET', key)));
      expect(found, key).toEqual(direct.map((_, n) => (n === ownerIndex(key) ? 'a' : null)));
      const ttl = await direct[ownerIndex(key)]!.call('TTL', key);
      expect(ttl, key).toBe(i % 4 < 2 ? 100 : -1);
    }
  });

  it("asks OBJECT and MEMORY USAGE of the key's owner, and answers their HELP itself", async () => {
    const names = keys(12, 'object');
    expect(await client.call('MSET', ...names.flatMap((key) => [key, '123']))).toBe('OK');
    expect(new Set(names.map(ownerIndex)).size).toBe(3);
    // Only the owner holds the key: another node would answer nil.
    for (const key of names) {
      expect(await client.call('OBJECT', 'ENCODING', key), key).toBe('int');
      expect(await client.call('MEMORY', 'USAGE', key), key).toBeGreaterThan(0);
    }
    expect(await client.call('OBJECT', 'ENCODING', 'object:absent')).toBeNull();
    const help = (await client.call('OBJECT', 'HELP')) as string[];
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(((await client.call('MEMORY', 'HELP')) as string[])[1]).toBe(
      'USAGE <key> [SAMPLES <count>]',
    );
  });

  it('routes bitmaps to their owner, and BITOP when its keys share a node', async () => {
    expect(await client.call('SETBIT', 'bits:a', '9', '1')).toBe(0);
    expect(await direct[ownerIndex('bits:a')]!.call('GETBIT', 'bits:a', '9')).toBe(1);
    expect(await client.call('BITCOUNT', 'bits:a')).toBe(1);
    expect(await client.call('BITPOS', 'bits:a', '1')).toBe(9);
    expect(await client.call('SETBIT', '{bits}x', '0', '1')).toBe(0);
    expect(await client.call('BITOP', 'OR', '{bits}y', '{bits}x', '{bits}z')).toBe(1);
    expect(await client.call('GETBIT', '{bits}y', '0')).toBe(1);
    const other = Array.from({ length: 40 }, (_, i) => `bits:${i}`).find(
      (key) => ownerIndex(key) !== ownerIndex('bits:a'),
    )!;
    expect(await client.call('BITOP', 'AND', 'bits:a', 'bits:a', other)).toEqual({
      error: "CROSSSLOT Keys in request don't hash to the same slot",
    });
  });

  it('gathers KEYS from every node', async () => {
    const names = keys(30, 'listed');
    expect(await client.call('MSET', ...names.flatMap((key) => [key, 'v']))).toBe('OK');
    expect(new Set(names.map(ownerIndex)).size).toBe(3);
    expect(((await client.call('KEYS', 'listed:*')) as string[]).sort()).toEqual([...names].sort());
    expect(await client.call('KEYS', 'listed:none*')).toEqual([]);
  });

  it("runs MULTI/EXEC on the node that owns the transaction's keys, whole", async () => {
    expect(
      await client.pipeline([
        ['MULTI'],
        ['SET', '{tx}a', '1'],
        ['INCR', '{tx}a'],
        ['GET', '{tx}b'],
        ['PING'],
        ['EXEC'],
      ]),
    ).toEqual(['OK', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', ['OK', 2, null, 'PONG']]);
    const owner = direct[ownerIndex('{tx}a')]!;
    expect(await owner.call('GET', '{tx}a')).toBe('2');
    expect(await client.pipeline([['MULTI'], ['EXEC']])).toEqual(['OK', []]);
    expect(await client.call('EXEC')).toEqual({ error: 'ERR EXEC without MULTI' });
    expect(await client.call('DISCARD')).toEqual({ error: 'ERR DISCARD without MULTI' });
  });

  it('aborts a transaction whose keys span nodes, or that queues what one node cannot run', async () => {
    const [one, other] = keys(40, 'span').reduce<[string, string]>(
      (pair, key) =>
        pair[1] === '' && ownerIndex(key) !== ownerIndex(pair[0]) ? [pair[0], key] : pair,
      ['span:0', ''],
    );
    const abort = { error: 'EXECABORT Transaction discarded because of previous errors.' };
    const spanned = await client.pipeline([
      ['MULTI'],
      ['SET', one, 'x'],
      ['SET', other, 'y'],
      ['EXEC'],
    ]);
    expect(spanned.slice(2)).toEqual([
      { error: "CROSSSLOT Keys in request don't hash to the same slot" },
      abort,
    ]);
    expect(await client.call('EXISTS', one, other)).toBe(0);
    for (const command of [
      ['DBSIZE'],
      ['HELLO', '3'],
      ['CLIENT', 'SETNAME', 'x'],
      ['NOPE'],
      ['GET'],
    ]) {
      const replies = await client.pipeline([['MULTI'], command, ['EXEC']]);
      expect(replies[1], command[0]).toHaveProperty('error');
      expect(replies[2], command[0]).toEqual(abort);
    }
    expect(await client.pipeline([['MULTI'], ['MULTI'], ['SET', one, 'z'], ['DISCARD']])).toEqual([
      'OK',
      { error: 'ERR MULTI calls can not be nested' },
      'QUEUED',
      'OK',
    ]);
    expect(await client.call('EXISTS', one)).toBe(0);
    // The node connections the transactions took still serve everyone in RESP2.
    expect(await client.call('SET', one, 'after')).toBe('OK');
    expect(await client.call('GET', one)).toBe('after');
  });

  it('drops a transaction whose queue grows past maxTransactionBytes', async () => {
    const small = await startGateway({
      ring: { file: volume.path, pollMs: 0 },
      nearCacheTtlMs: 0,
      maxTransactionBytes: 200,
    });
    const c = await RespTestClient.connect(small.port);
    try {
      const replies = await c.pipeline([
        ['MULTI'],
        ['SET', '{big}a', 'v'],
        ['SET', '{big}b', 'x'.repeat(300)],
        ['SET', '{big}c', 'v'],
        ['EXEC'],
      ]);
      expect(replies.slice(1)).toEqual([
        'QUEUED',
        { error: 'ERR transaction discarded: its queued commands exceed 200 bytes' },
        'QUEUED',
        { error: 'EXECABORT Transaction discarded because of previous errors.' },
      ]);
      expect(await c.call('EXISTS', '{big}a', '{big}b', '{big}c')).toBe(0);
    } finally {
      c.close();
      await small.close();
    }
  });

  it('keeps transactions of many clients apart on shared node connections', async () => {
    const clients = await Promise.all(
      Array.from({ length: 6 }, () => RespTestClient.connect(gw.port)),
    );
    try {
      const results = await Promise.all(
        clients.map((c, i) =>
          c.pipeline([
            ['MULTI'],
            ['SET', `{mc}k${i}`, String(i)],
            ['INCR', `{mc}k${i}`],
            ['GET', `{mc}k${i}`],
            ['EXEC'],
            ['SET', `{mc}plain${i}`, 'p'],
          ]),
        ),
      );
      results.forEach((replies, i) => {
        expect(replies[4]).toEqual(['OK', i + 1, String(i + 1)]);
        expect(replies[5]).toBe('OK');
      });
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('merges MGET, MSET, DEL, UNLINK, EXISTS and TOUCH across nodes in request order', async () => {
    const names = keys(12, 'multi');
    const pairs = names.flatMap((key, i) => [key, `m${i}`]);
    expect(await client.call('MSET', ...pairs)).toBe('OK');
    const asked = [names[3]!, 'multi:absent', names[0]!, names[11]!, names[5]!, names[3]!];
    expect(await client.call('MGET', ...asked)).toEqual(['m3', null, 'm0', 'm11', 'm5', 'm3']);
    expect(await client.call('EXISTS', ...asked)).toBe(5);
    expect(await client.call('TOUCH', ...asked)).toBe(5);
    expect(await client.call('DEL', names[0]!, names[1]!, 'multi:absent', names[2]!)).toBe(3);
    expect(await client.call('UNLINK', names[3]!, names[4]!)).toBe(2);
    expect(await client.call('MGET', names[0]!, names[4]!, names[6]!)).toEqual([null, null, 'm6']);
    expect(await gw.metric('mlcache_gateway_fan_outs_total')).toBeGreaterThan(0);
  });

  it('renames within one node, refuses a rename across nodes, and checks MSETNX arity first', async () => {
    expect(await client.call('SET', '{r}a', 'v')).toBe('OK');
    expect(await client.call('RENAME', '{r}a', '{r}b')).toBe('OK');
    expect(await client.call('GET', '{r}b')).toBe('v');
    const [one, other] = keys(40, 'rename').reduce<[string, string]>(
      (pair, key) =>
        pair[1] === '' && ownerIndex(key) !== ownerIndex(pair[0]) ? [pair[0], key] : pair,
      ['rename:0', ''],
    );
    expect(await client.call('SET', one, 'v')).toBe('OK');
    expect(await client.call('RENAME', one, other)).toEqual({
      error: expect.stringMatching(/^CROSSSLOT/) as string,
    });
    expect(await client.call('MSETNX', one, 'v', other)).toEqual({
      error: "ERR wrong number of arguments for 'msetnx' command",
    });
  });

  it('forwards keys sharing a hash tag as one command, and refuses others with CROSSSLOT', async () => {
    expect(await client.call('MSET', '{t}a', '1', '{t}b', '2')).toBe('OK');
    expect(await client.call('MGET', '{t}a', '{t}b')).toEqual(['1', '2']);
    expect(await client.call('MSET', 'odd')).toEqual({
      error: "ERR wrong number of arguments for 'mset' command",
    });
  });

  it('SCAN walks every node with a composite cursor and returns every key', async () => {
    expect(await client.call('FLUSHALL')).toBe('OK');
    const names = keys(250, 'scan');
    await client.pipeline(names.map((key) => ['SET', key, 'x']));
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const [next, page] = (await client.call('SCAN', cursor, 'COUNT', '40')) as [string, string[]];
      page.forEach((key) => seen.add(key));
      cursor = next;
      pages++;
    } while (cursor !== '0' && pages < 1000);
    expect(cursor).toBe('0');
    expect([...seen].sort()).toEqual([...names].sort());
    const matched = (await client.call('SCAN', '0', 'MATCH', 'nothing*')) as [string, string[]];
    expect(matched[1]).toEqual([]);
    expect(await client.call('SCAN', 'nope')).toEqual({ error: 'ERR invalid cursor' });
  });

  it('sums DBSIZE and aggregates INFO keyspace, stats and a Cluster section', async () => {
    const sizes = (await Promise.all(direct.map((c) => c.call('DBSIZE')))) as number[];
    expect(await client.call('DBSIZE')).toBe(sizes.reduce((a, b) => a + b, 0));
    await client.call('GET', 'scan:1');
    await client.call('GET', 'absent-key');
    const info = (await client.call('INFO')) as string;
    expect(info).toContain('# Cluster');
    expect(info).toContain('mlcache_ring_epoch:1');
    expect(info).toContain('mlcache_ring_nodes:3');
    expect(info).toMatch(/node0:id=node-0,address=127\.0\.0\.1:\d+,state=active,link=up/);
    expect(info).toContain(`db0:keys=${sizes.reduce((a, b) => a + b, 0)},`);
    const nodeHits = await Promise.all(
      direct.map(async (c) =>
        Number(/keyspace_hits:(\d+)/.exec((await c.call('INFO', 'stats')) as string)![1]),
      ),
    );
    const hits = Number(
      /keyspace_hits:(\d+)/.exec((await client.call('INFO', 'stats')) as string)![1],
    );
    expect(hits).toBe(nodeHits.reduce((a, b) => a + b, 0));
    expect((await client.call('INFO', 'server')) as string).toContain('mlcache_role:gateway');
  });

  it('FLUSHALL reaches every node', async () => {
    expect(await client.call('FLUSHALL')).toBe('OK');
    for (const c of direct) expect(await c.call('DBSIZE')).toBe(0);
  });

  it('answers RANDOMKEY with a key of some node, and nil when every node is empty', async () => {
    expect(await client.call('FLUSHALL')).toBe('OK');
    expect(await client.call('RANDOMKEY')).toBeNull();
    const written = keys(30, 'random');
    await client.call('MSET', ...written.flatMap((key) => [key, 'v']));
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add((await client.call('RANDOMKEY')) as string);
    for (const key of seen) expect(written).toContain(key);
    // Keys of more than one node come back.
    expect(new Set([...seen].map(ownerIndex)).size).toBeGreaterThan(1);
    expect(await client.call('FLUSHALL')).toBe('OK');
  });

  it('answers connection, CLIENT, COMMAND, TIME and CONFIG commands itself', async () => {
    expect(await client.call('PING')).toBe('PONG');
    expect(await client.call('ECHO', 'hi')).toBe('hi');
    expect(await client.call('SELECT', '0')).toBe('OK');
    expect(await client.call('SELECT', '1')).toEqual({ error: 'ERR DB index is out of range' });
    expect(await client.call('CLIENT', 'SETNAME', 'me')).toBe('OK');
    expect(await client.call('CLIENT', 'GETNAME')).toBe('me');
    expect(await client.call('CONFIG', 'GET', 'save')).toEqual(['save', '']);
    expect(await client.call('CONFIG', 'SET', 'maxmemory', '1')).toEqual({
      error: expect.stringMatching(/not supported by the gateway/) as string,
    });
    expect(typeof (await client.call('COMMAND', 'COUNT'))).toBe('number');
    const [seconds, micros] = (await client.call('TIME')) as string[];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(micros)).toBeLessThan(1e6);
    expect(await client.call('NOSUCH', 'a')).toEqual({
      error: "ERR unknown command 'NOSUCH', with args beginning with: 'a' ",
    });
    expect(await client.call('GET')).toEqual({
      error: "ERR wrong number of arguments for 'get' command",
    });
    const hello = (await client.call('HELLO', '2')) as Reply[];
    expect(hello.slice(0, 2)).toEqual(['server', 'redis']);
    // CLIENT KILL ends one of the gateway's own clients.
    const victim = await RespTestClient.connect(gw.port);
    const id = (await victim.call('CLIENT', 'ID')) as number;
    expect(await client.call('CLIENT', 'KILL', 'ID', String(id))).toBe(1);
    const deadline = Date.now() + 2000;
    while (!victim.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(victim.closed).toBe(true);
  });

  it('keeps a 10,000-command pipeline in order across nodes', async () => {
    const commands: string[][] = [];
    for (let i = 0; i < 5000; i++) {
      commands.push(['SET', `pipe:${i}`, String(i)]);
      commands.push(['GET', `pipe:${i}`]);
    }
    const replies = await client.pipeline(commands);
    expect(replies).toHaveLength(10_000);
    for (let i = 0; i < 5000; i++) {
      expect(replies[2 * i]).toBe('OK');
      expect(replies[2 * i + 1]).toBe(String(i));
    }
  });

  it('answers replies in order when a local reply follows a routed one', async () => {
    const replies = await client.pipeline([
      ['SET', 'order:a', '1'],
      ['PING'],
      ['MGET', 'order:a', 'pipe:1', 'pipe:2'],
      ['ECHO', 'x'],
      ['DBSIZE'],
      ['GET', 'order:a'],
    ]);
    expect(replies.slice(0, 4)).toEqual(['OK', 'PONG', ['1', '1', '2'], 'x']);
    expect(replies[5]).toBe('1');
  });
});

describe('gateway client limits and endings', () => {
  it('stops reading a client past max-inflight and resumes, keeping every reply', async () => {
    const small = await startGateway({
      ring: { nodes: nodes.map((node) => `127.0.0.1:${node.port}`) },
      maxInflight: 8,
    });
    const c = await RespTestClient.connect(small.port);
    const commands = Array.from({ length: 2000 }, (_, i) => ['SET', `limit:${i}`, String(i)]);
    commands.push(['MGET', 'limit:0', 'limit:1999', 'limit:1000']);
    const replies = await c.pipeline(commands);
    expect(replies.slice(0, 2000).every((reply) => reply === 'OK')).toBe(true);
    expect(replies[2000]).toEqual(['0', '1999', '1000']);
    c.close();
    await small.close();
  });

  it('answers what was asked before QUIT, then closes', async () => {
    const c = await RespTestClient.connect(gw.port);
    const replies = await c.pipeline([['SET', 'quit:a', '1'], ['GET', 'quit:a'], ['QUIT']]);
    expect(replies).toEqual(['OK', '1', 'OK']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.closed).toBe(true);
  });

  it('survives a client that leaves with replies outstanding', async () => {
    const c = await RespTestClient.connect(gw.port);
    void c.pipeline(Array.from({ length: 500 }, (_, i) => ['GET', `pipe:${i}`])).catch(() => []);
    c.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await client.call('GET', 'pipe:7')).toBe('7');
  });
});
