/**
 * Lua scripting with real clients and a real cluster node: ioredis's defineCommand (EVALSHA,
 * falling back to EVAL on NOSCRIPT), node-redis in RESP3, the lock-release script of Redlock-style
 * locks, and a cluster node routing a script by its declared keys.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import {
  applyRing,
  buildRing,
  cleanupsAfterEach,
  keysOf,
  redis,
  ringNodeOf,
  shardsOf,
  startClusterNode,
  tempDir,
} from './cluster-nodes.ts';

const cleanups = cleanupsAfterEach();

async function standalone(): Promise<number> {
  const server = await startTestServer();
  cleanups.add(() => server.close());
  return server.port;
}

function ioredis(port: number): Redis {
  const client = new Redis(port, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  cleanups.add(() => client.quit());
  return client;
}

/** ioredis's pipeline with the commands defineCommand added (its types do not know them). */
interface ScriptPipeline {
  release(key: string, token: string): ScriptPipeline;
  limit(key: string, now: string, seconds: string): ScriptPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** The release half of a Redlock-style lock: delete the key only if it still holds our token. */
const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/** A sliding-window rate limiter in the style of rate-limiter libraries: millisecond timestamps. */
const RATE_LIMIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local count = redis.call("INCR", KEYS[1])
if count == 1 then redis.call("PEXPIRE", KEYS[1], window) end
return {count, now + window}`;

describe('scripts from real clients', () => {
  it('ioredis: defineCommand loads the script on NOSCRIPT and then runs it by SHA', async () => {
    const client = ioredis(await standalone()) as Redis & {
      release(key: string, token: string): Promise<number>;
      limit(key: string, now: string, seconds: string): Promise<[number, number]>;
    };
    client.defineCommand('release', { numberOfKeys: 1, lua: RELEASE });
    client.defineCommand('limit', { numberOfKeys: 1, lua: RATE_LIMIT });
    expect(await client.set('lock', 'token-a', 'PX', 10_000, 'NX')).toBe('OK');
    expect(await client.release('lock', 'token-b')).toBe(0);
    expect(await client.get('lock')).toBe('token-a');
    expect(await client.release('lock', 'token-a')).toBe(1);
    expect(await client.exists('lock')).toBe(0);
    // Timestamps past 2^31 stay exact: Lua 5.1's doubles, not 32-bit integers.
    const now = 1_764_000_000_123;
    expect(await client.limit('rate', String(now), '60')).toEqual([1, now + 60_000]);
    expect(await client.limit('rate', String(now), '60')).toEqual([2, now + 60_000]);
    const ttl = await client.pttl('rate');
    expect(ttl).toBeGreaterThan(59_000);
    // Pipelined, with the scripts already cached.
    const pipeline = client.pipeline() as unknown as ScriptPipeline;
    const results = await pipeline.release('none', 'x').limit('rate', String(now), '60').exec();
    expect(results?.map(([error, value]) => [error, value])).toEqual([
      [null, 0],
      [null, [3, now + 60_000]],
    ]);
  });

  it('node-redis in RESP3: EVAL, SCRIPT LOAD, EVALSHA and script errors', async () => {
    const port = await standalone();
    const client = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
    cleanups.add(() => client.quit());
    expect(
      await client.eval(
        'return {redis.call("SET", KEYS[1], ARGV[1]).ok, redis.call("GET", KEYS[1])}',
        {
          keys: ['k'],
          arguments: ['v'],
        },
      ),
    ).toEqual(['OK', 'v']);
    const sha = await client.scriptLoad('return redis.call("INCRBY", KEYS[1], ARGV[1])');
    expect(await client.evalSha(sha, { keys: ['n'], arguments: ['5'] })).toBe(5);
    expect(await client.scriptExists([sha, '0'.repeat(40)])).toEqual([1, 0]);
    await expect(
      client.eval('return redis.call("INCR", KEYS[1])', { keys: ['k'] }),
    ).rejects.toThrow(
      /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    expect(await client.eval('redis.setresp(3) return true', {})).toBe(true);
    expect(await client.scriptFlush()).toBe('OK');
    await expect(client.evalSha(sha, { keys: ['n'], arguments: ['1'] })).rejects.toThrow(
      /^NOSCRIPT/,
    );
  });
});

describe('scripts on a cluster node', () => {
  it('run where their declared keys live; MOVED otherwise, and undeclared keys must be local', async () => {
    const dir = tempDir(cleanups, 'ring');
    const ringFile = join(dir, 'ring.json');
    const node = await startClusterNode(cleanups, { id: 'a', ringFile });
    const client = redis(cleanups, node);
    await client.connect();
    const ring = buildRing({
      epoch: 1,
      nodes: [ringNodeOf('a', node), ringNodeOf('b', undefined)],
    });
    await applyRing(ringFile, ring, [node]);
    const theirs = shardsOf(ring, 'b')[0]!;
    const [own] = keysOf(shardsOf(ring, 'a')[0]!, 1) as [string];
    const [foreign] = keysOf(theirs, 1) as [string];
    const body = 'return redis.call("INCR", KEYS[1])';
    expect(await client.eval(body, 1, own)).toBe(1);
    await expect(client.eval(body, 1, foreign)).rejects.toThrow(`MOVED ${theirs} 127.0.0.1:1`);
    await expect(client.eval(body, 2, own, foreign)).rejects.toThrow(`MOVED ${theirs} 127.0.0.1:1`);
    await expect(client.eval(`return redis.call("GET", "${foreign}")`, 0)).rejects.toThrow(
      /^ERR Script attempted to access a non local key in a cluster node script: /,
    );
    // A script without keys runs where it is sent, and may touch the node's own keys.
    expect(await client.eval(`return redis.call("GET", "${own}")`, 0)).toBe('1');
  });
});
