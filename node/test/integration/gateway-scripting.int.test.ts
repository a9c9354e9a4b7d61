import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { createRing } from '../../src/cluster/ring-document.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
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

// EVAL, EVALSHA and SCRIPT through a gateway in front of three real nodes (the node's RESP server
// over a real Store, in this process), read back from each node directly to check where scripts
// ran and which nodes cache them.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sha1 = (body: string): string => createHash('sha1').update(body).digest('hex');
const CROSSSLOT = { error: "CROSSSLOT Keys in request don't hash to the same slot" };

let nodes: TestServer[];
let ring: Ring;
let volume: RingVolume;
let gw: RunningGateway;
let client: RespTestClient;
let direct: RespTestClient[];
const ttl = 10_000;

beforeAll(async () => {
  nodes = await startNodes(3);
  ring = ringOver(
    1,
    nodes.map((node) => node.port),
  );
  volume = new RingVolume(ring);
  // A near-cache TTL far longer than any test: a stale reply would be seen, not expire first.
  gw = await startGateway({
    ring: { file: volume.path, pollMs: 0 },
    nearCacheTtlMs: ttl,
    nearCacheKeys: 4,
    nearCacheWindowMs: 50,
  });
  client = await RespTestClient.connect(gw.port);
  direct = await Promise.all(nodes.map((node) => RespTestClient.connect(node.port)));
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

/** A key with `prefix` owned by node `index`. */
function keyOn(index: number, prefix: string): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}:${i}`;
    if (ownerIndex(key) === index) return key;
  }
}

/** SCRIPT EXISTS `sha` on each node, directly: which nodes cache the script. */
async function cachedOn(sha: string): Promise<number[]> {
  const replies = await Promise.all(direct.map((c) => c.call('SCRIPT', 'EXISTS', sha)));
  return replies.flatMap((reply, i) => ((reply as number[])[0] === 1 ? [i] : []));
}

const SET_BOTH =
  "redis.call('SET', KEYS[1], ARGV[1]) redis.call('SET', KEYS[2], ARGV[2]) " +
  "return redis.call('GET', KEYS[1])";
const INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

describe('EVAL with declared keys', () => {
  it('runs on the node of its keys when they share one; the writes are read back at the gateway', async () => {
    const [a, b] = ['{script}:a', '{script}:b'];
    expect(await client.call('EVAL', SET_BOTH, '2', a, b, 'x', 'y')).toBe('x');
    expect(
      await client.pipeline([
        ['GET', a],
        ['GET', b],
      ]),
    ).toEqual(['x', 'y']);
    const owner = ownerIndex(a);
    expect(await direct[owner]!.call('GET', b)).toBe('y');
    expect(await cachedOn(sha1(SET_BOTH))).toEqual([owner]);
    // EVALSHA with keys of the same node finds the script there; EVAL_RO reads.
    expect(await client.call('EVALSHA', sha1(SET_BOTH), '2', a, b, 'p', 'q')).toBe('p');
    expect(await client.call('EVAL_RO', "return redis.call('GET', KEYS[1])", '1', b)).toBe('q');
  });

  it('is refused with CROSSSLOT when its keys live on different nodes', async () => {
    const [a, b] = [keyOn(0, 'cross'), keyOn(1, 'cross')];
    expect(await client.call('EVAL', SET_BOTH, '2', a, b, 'x', 'y')).toEqual(CROSSSLOT);
    expect(await client.call('EVALSHA_RO', sha1(SET_BOTH), '2', a, b)).toEqual(CROSSSLOT);
    expect(
      await client.pipeline([
        ['GET', a],
        ['GET', b],
      ]),
    ).toEqual([null, null]);
  });

  it("passes the node's errors on: numkeys that is not a count, a body that does not compile", async () => {
    expect(await client.call('EVAL', 'return 1', 'two', 'k')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(await client.call('EVAL', 'return 1', '3', 'k')).toEqual({
      error: "ERR Number of keys can't be greater than number of args",
    });
    expect(await client.call('EVAL', 'return +', '0')).toEqual({
      error: expect.stringMatching(/^ERR /) as string,
    });
  });
});

describe('EVALSHA on a node without the script', () => {
  const reloads = async (): Promise<number> => {
    const info = (await client.call('INFO', 'stats')) as string;
    return Number(/mlcache_script_reloads:(\d+)/.exec(info)?.[1]);
  };

  it('runs it there as EVAL when the gateway has seen its body; after FLUSH it answers NOSCRIPT', async () => {
    const body = "return redis.call('INCRBY', KEYS[1], ARGV[1]) + 0 -- reload";
    const sha = sha1(body);
    const [a, b, c] = [keyOn(0, 'reload'), keyOn(1, 'reload'), keyOn(2, 'reload')];
    const before = await reloads();
    expect(await client.call('EVAL', body, '1', a, '5')).toBe(5);
    expect(await cachedOn(sha)).toEqual([0]);
    // Node 1 never saw it: its NOSCRIPT is answered by the body the gateway kept.
    expect(await client.call('EVALSHA', sha.toUpperCase(), '1', b, '7')).toBe(7);
    expect(await cachedOn(sha)).toEqual([0, 1]);
    expect(await client.call('EVALSHA_RO', sha, '1', c, '1')).toEqual({
      error: expect.stringMatching(
        /^ERR Write commands are not allowed from read-only scripts/,
      ) as string,
    });
    expect(await reloads()).toBe(before + 2);
    expect(await client.call('SCRIPT', 'FLUSH')).toBe('OK');
    expect(await client.call('EVALSHA', sha, '1', c, '1')).toEqual({
      error: expect.stringMatching(/^NOSCRIPT/) as string,
    });
    // SCRIPT LOAD through the gateway is remembered too.
    expect(await client.call('SCRIPT', 'LOAD', body)).toBe(sha);
    await direct[2]!.call('SCRIPT', 'FLUSH');
    expect(await client.call('EVALSHA', sha, '1', c, '2')).toBe(2);
    expect(await reloads()).toBe(before + 3);
  });
});

describe('EVAL without keys', () => {
  it('sends EVAL and EVALSHA of one script to one node, which caches it', async () => {
    const body = "return 'keyless:' .. ARGV[1]";
    const sha = sha1(body);
    expect(await client.call('EVALSHA', sha, '0', 'a')).toEqual({
      error: expect.stringMatching(/^NOSCRIPT/) as string,
    });
    expect(await client.call('EVAL', body, '0', 'a')).toBe('keyless:a');
    const holders = await cachedOn(sha);
    expect(holders).toHaveLength(1);
    // The SHA picks the node, in either case, as the body did.
    expect(await client.call('EVALSHA', sha, '0', 'b')).toBe('keyless:b');
    expect(await client.call('EVALSHA', sha.toUpperCase(), '0', 'c')).toBe('keyless:c');
    expect(await client.call('EVALSHA_RO', sha, '0', 'd')).toBe('keyless:d');
    expect(await cachedOn(sha)).toEqual(holders);
    // Not on every node, so not something any EVALSHA can rely on.
    expect(await client.call('SCRIPT', 'EXISTS', sha)).toEqual([0]);
  });

  it('spreads different scripts over the nodes', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => `return ${i}`);
    const replies = await client.pipeline(bodies.map((body) => ['EVAL', body, '0']));
    expect(replies).toEqual(bodies.map((_, i) => i));
    const holders = new Set<number>();
    for (const body of bodies) for (const node of await cachedOn(sha1(body))) holders.add(node);
    expect(holders.size).toBe(3);
  });
});

describe('SCRIPT', () => {
  it('LOADs on every node, so that EVALSHA works whatever node its keys pick', async () => {
    const loaded = await client.call('SCRIPT', 'LOAD', INCR_BY);
    expect(loaded).toBe(sha1(INCR_BY));
    expect(await cachedOn(sha1(INCR_BY))).toEqual([0, 1, 2]);
    for (const index of [0, 1, 2]) {
      const key = keyOn(index, 'loaded');
      expect(await client.call('EVALSHA', sha1(INCR_BY), '1', key, '5'), key).toBe(5);
      expect(await direct[index]!.call('GET', key)).toBe('5');
    }
    expect(await client.call('SCRIPT', 'LOAD', 'return +')).toEqual({
      error: expect.stringMatching(/^ERR /) as string,
    });
  });

  it('EXISTS says 1 for a script every node has; FLUSH forgets scripts on every node', async () => {
    const body = 'return 42';
    const absent = sha1('return 43');
    await client.call('SCRIPT', 'LOAD', body);
    expect(await client.call('SCRIPT', 'EXISTS', sha1(body), absent)).toEqual([1, 0]);
    expect(await client.call('SCRIPT', 'FLUSH')).toBe('OK');
    expect(await client.call('SCRIPT', 'EXISTS', sha1(body), absent)).toEqual([0, 0]);
    expect(await cachedOn(sha1(body))).toEqual([]);
    expect(await client.call('SCRIPT', 'LOAD', body)).toBe(sha1(body));
    expect(await client.call('SCRIPT', 'FLUSH', 'ASYNC')).toBe('OK');
    expect(await cachedOn(sha1(body))).toEqual([]);
    expect(await client.call('SCRIPT', 'FLUSH', 'LATER')).toEqual({
      error: 'ERR SCRIPT FLUSH only support SYNC|ASYNC option',
    });
  });

  it("combines the nodes' replies for a RESP3 client too", async () => {
    const resp3 = await RespTestClient.connect(gw.port);
    try {
      await resp3.call('HELLO', '3');
      const body = 'return nil -- resp3';
      expect(await resp3.call('SCRIPT', 'LOAD', body)).toBe(sha1(body));
      expect(await resp3.call('SCRIPT', 'EXISTS', sha1(body), sha1('absent'))).toEqual([1, 0]);
      expect(await resp3.call('EVALSHA', sha1(body), '1', keyOn(2, 'resp3'))).toBeNull();
      expect(await resp3.call('SCRIPT', 'FLUSH', 'SYNC')).toBe('OK');
      expect(await resp3.call('SCRIPT', 'EXISTS', sha1(body))).toEqual([0]);
    } finally {
      resp3.close();
    }
  });

  it('answers KILL, DEBUG and HELP itself', async () => {
    expect(await client.call('SCRIPT', 'KILL')).toEqual({
      error: 'NOTBUSY No scripts in execution right now.',
    });
    expect(await client.call('SCRIPT', 'DEBUG', 'NO')).toBe('OK');
    const help = (await client.call('SCRIPT', 'HELP')) as string[];
    expect(help[0]).toMatch(/^SCRIPT <subcommand>/);
    expect(await client.call('SCRIPT', 'NOPE')).toEqual({
      error: expect.stringMatching(/^ERR unknown subcommand 'NOPE'/) as string,
    });
  });
});

const INCR_BY_IOREDIS = "return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ioredis";
const ECHO_IOREDIS = "return 'echo:' .. ARGV[1]";

describe('ioredis defineCommand (EVALSHA, then EVAL on NOSCRIPT)', () => {
  interface Scripted {
    gwIncrBy(key: string, by: number): Promise<number>;
    gwEcho(value: string): Promise<string>;
  }
  let redis: Redis & Scripted;
  beforeAll(() => {
    const plain = new Redis(gw.port, '127.0.0.1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // Bodies no other test loads: their first EVALSHA on a node meets NOSCRIPT.
    plain.defineCommand('gwIncrBy', { numberOfKeys: 1, lua: INCR_BY_IOREDIS });
    plain.defineCommand('gwEcho', { numberOfKeys: 0, lua: ECHO_IOREDIS });
    redis = plain as Redis & Scripted;
  });
  afterAll(async () => {
    await redis.quit();
  });

  // ioredis sends EVAL first on a connection, then EVALSHA, and EVAL again after NOSCRIPT.
  it('runs a script on keys of every node, loading it where it is missing', async () => {
    for (const index of [0, 1, 2]) {
      const key = keyOn(index, 'ioredis');
      expect(await redis.gwIncrBy(key, 2)).toBe(2);
      expect(await redis.gwIncrBy(key, 3)).toBe(5);
      expect(await direct[index]!.call('GET', key)).toBe('5');
    }
    expect(await cachedOn(sha1(INCR_BY_IOREDIS))).toEqual([0, 1, 2]);
    expect(await redis.gwEcho('a')).toBe('echo:a');
    expect(await redis.gwEcho('b')).toBe('echo:b');
    expect(await cachedOn(sha1(ECHO_IOREDIS))).toHaveLength(1);
  });

  type ScriptedPipeline = ReturnType<Redis['pipeline']> & {
    gwIncrBy(key: string, by: number): unknown;
  };

  it('runs a pipeline of a script missing on its node (NOSCRIPT, then EVAL, then EVALSHA)', async () => {
    await client.call('SCRIPT', 'FLUSH');
    const key = keyOn(1, 'ioredis-pipe');
    const pipeline = redis.pipeline() as ScriptedPipeline;
    for (let i = 0; i < 3; i++) pipeline.gwIncrBy(key, 7);
    expect(await pipeline.exec()).toEqual([
      [null, 7],
      [null, 14],
      [null, 21],
    ]);
  });

  it('runs a pipeline over every node once SCRIPT LOAD put the script on all of them', async () => {
    // ioredis marks a connection "script loaded" after one EVAL; pipelined EVALSHAs that meet
    // NOSCRIPT on several nodes at once would be resent as EVALSHA (docs/gateway.md, Scripts).
    await client.call('SCRIPT', 'FLUSH');
    expect(await redis.script('LOAD', INCR_BY_IOREDIS)).toBe(sha1(INCR_BY_IOREDIS));
    const keys = [0, 1, 2].map((index) => keyOn(index, 'ioredis-loaded'));
    const pipeline = redis.pipeline() as ScriptedPipeline;
    for (const key of keys) pipeline.gwIncrBy(key, 7);
    expect(await pipeline.exec()).toEqual(keys.map(() => [null, 7]));
  });
});

describe('EVAL inside MULTI', () => {
  it('queues it; its declared keys count for the one-node rule', async () => {
    const [a, b] = ['{multi}:a', '{multi}:b'];
    expect(
      await client.pipeline([
        ['MULTI'],
        ['EVAL', INCR_BY, '1', a, '4'],
        ['SET', b, 'x'],
        ['EVAL', SET_BOTH, '2', a, b, 'p', 'q'],
        ['EXEC'],
      ]),
    ).toEqual(['OK', 'QUEUED', 'QUEUED', 'QUEUED', [4, 'OK', 'p']]);
    expect(await client.call('GET', b)).toBe('q');
    const elsewhere = keyOn((ownerIndex(a) + 1) % 3, 'multi-other');
    const replies = await client.pipeline([
      ['MULTI'],
      ['SET', a, 'never'],
      ['EVAL', INCR_BY, '1', elsewhere, '1'],
      ['EXEC'],
    ]);
    expect(replies.slice(0, 3)).toEqual(['OK', 'QUEUED', CROSSSLOT]);
    expect(replies[3]).toEqual({ error: expect.stringMatching(/^EXECABORT/) as string });
    expect(await client.call('GET', a)).toBe('p');
  });

  it('refuses SCRIPT inside MULTI (it would reach one node only)', async () => {
    const replies = await client.pipeline([['MULTI'], ['SCRIPT', 'LOAD', 'return 1'], ['EXEC']]);
    expect(replies[1]).toEqual({ error: expect.stringMatching(/inside MULTI/) as string });
    expect(replies[2]).toEqual({ error: expect.stringMatching(/^EXECABORT/) as string });
  });
});

describe('near cache and scripts', () => {
  /**
   * Reads `key` often enough to make it hot (one GET in 16 is sampled), lets the window end, then
   * reads it until its reply is kept; checks that it is now served by the gateway.
   */
  async function makeHot(key: string): Promise<void> {
    await client.pipeline(Array.from({ length: 100 }, () => ['GET', key]));
    await sleep(60);
    await client.pipeline(Array.from({ length: 20 }, () => ['GET', key]));
    const hits = (await gw.metric('mlcache_gateway_near_cache_hits_total')) ?? 0;
    await client.call('GET', key);
    expect(await gw.metric('mlcache_gateway_near_cache_hits_total')).toBeGreaterThan(hits);
  }

  it('drops a hot key on an EVAL that declares it, when sent and when answered', async () => {
    const key = 'hot:{eval}';
    expect(await client.call('SET', key, 'old')).toBe('OK');
    await makeHot(key);
    const setIt = "return redis.call('SET', KEYS[1], ARGV[1])";
    const replies = await client.pipeline([
      ['EVAL', setIt, '1', key, 'new'],
      ['GET', key],
    ]);
    expect(replies).toEqual(['OK', 'new']);
    expect(await client.call('GET', key)).toBe('new');
    // EVALSHA too, and inside a transaction.
    await makeHot(key);
    expect(await client.call('EVALSHA', sha1(setIt), '1', key, 'newer')).toBe('OK');
    expect(await client.call('GET', key)).toBe('newer');
    await makeHot(key);
    expect(
      await client.pipeline([
        ['MULTI'],
        ['EVAL', setIt, '1', key, 'newest'],
        ['EXEC'],
        ['GET', key],
      ]),
    ).toEqual(['OK', 'QUEUED', ['OK'], 'newest']);
  });
});

describe('MOVED replies to scripts', () => {
  let fake: FakeNode;
  let movedGw: RunningGateway;
  let movedClient: RespTestClient;
  let movedVolume: RingVolume;
  const key = 'moved:{script}';
  const body = "return 'moved:' .. ARGV[1]";

  beforeAll(async () => {
    // The fake owns the key's shard and the keyless script's, and sends both to node-1.
    fake = await startFakeNode((args) => {
      const name = (args[0] ?? '').toLowerCase();
      if (name === 'ping') return '+PONG\r\n';
      const to = `127.0.0.1:${nodes[1]!.port}`;
      if (args[2] !== '0') return movedReply(args[3] ?? '', to);
      const sha = name === 'eval' ? sha1(args[1] ?? '') : (args[1] ?? '').toLowerCase();
      return movedReply(sha, to);
    });
    const result = createRing({
      epoch: 5,
      nodes: [
        ...nodes.map((node, i) => localNode(`node-${i}`, node.port)),
        localNode('node-3', fake.port),
      ],
      overrides: new Map([
        [shardOf(key), 'node-3'],
        [shardOf(sha1(body)), 'node-3'],
      ]),
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    movedVolume = new RingVolume(result.ring);
    movedGw = await startGateway({
      ring: { file: movedVolume.path, pollMs: 0 },
      nearCacheTtlMs: 0,
    });
    movedClient = await RespTestClient.connect(movedGw.port);
  });
  afterAll(async () => {
    movedClient.close();
    await movedGw.close();
    await fake.close();
    movedVolume.remove();
  });

  it('retries a script with keys, and one without, where the node said', async () => {
    expect(await movedClient.call('EVAL', INCR_BY, '1', key, '3')).toBe(3);
    expect(await direct[1]!.call('GET', key)).toBe('3');
    expect(await movedClient.call('EVAL', body, '0', 'x')).toBe('moved:x');
    expect(fake.received.map((args) => args[0]?.toUpperCase())).toContain('EVAL');
    expect(await movedGw.metric('mlcache_gateway_moved_retries_total')).toBe(2);
    // The hint holds until the ring changes: EVALSHA of the script goes straight to node-1.
    expect(await movedClient.call('EVALSHA', sha1(body), '0', 'y')).toBe('moved:y');
    expect(await movedGw.metric('mlcache_gateway_moved_retries_total')).toBe(2);
  });
});

describe('mirror mode', () => {
  let mirror: TestServer;
  let mirrorGw: RunningGateway;
  let mirrorClient: RespTestClient;
  let toMirror: RespTestClient;
  beforeAll(async () => {
    mirror = await startTestServer();
    mirrorGw = await startGateway({
      ring: { nodes: ring.nodes.map((node) => node.address) },
      mirrors: [{ name: 'copy', address: `127.0.0.1:${mirror.port}` }],
    });
    mirrorClient = await RespTestClient.connect(mirrorGw.port);
    toMirror = await RespTestClient.connect(mirror.port);
  });
  afterAll(async () => {
    mirrorClient.close();
    toMirror.close();
    await mirrorGw.close();
    await mirror.close();
  });

  it('copies scripts and the SCRIPT commands that change a cache to the mirror', async () => {
    const body = "return redis.call('INCRBY', KEYS[1], ARGV[1]) -- mirrored";
    const key = 'mirrored:{script}';
    expect(await mirrorClient.call('SCRIPT', 'LOAD', body)).toBe(sha1(body));
    expect(await mirrorClient.call('EVALSHA', sha1(body), '1', key, '2')).toBe(2);
    expect(await mirrorClient.call('EVAL', body, '1', key, '3')).toBe(5);
    // Copies are sent with the primary's and answered after: the mirror's replies may lag.
    for (let i = 0; i < 50 && (await toMirror.call('GET', key)) !== '5'; i++) await sleep(20);
    expect(await toMirror.call('GET', key)).toBe('5');
    expect(await mirrorClient.call('SCRIPT', 'FLUSH')).toBe('OK');
    for (let i = 0; i < 50; i++) {
      if (((await toMirror.call('SCRIPT', 'EXISTS', sha1(body))) as number[])[0] === 0) break;
      await sleep(20);
    }
    expect(await toMirror.call('SCRIPT', 'EXISTS', sha1(body))).toEqual([0]);
  });
});
