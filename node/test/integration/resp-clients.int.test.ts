import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type {
  TestServer,
  TestServerOptions,
} from '../../src/server/resp/testing/start-test-server.ts';

/** The RESP server driven by real clients: ioredis, node-redis, and redis-cli when installed. */
const servers: TestServer[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options?: TestServerOptions): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** ioredis's own types clash under exactOptionalPropertyTypes on `replyMapping`, unused here. */
type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

function ioredis(port: number, options: ClientOptions = {}): Redis {
  const settings: ClientOptions = { maxRetriesPerRequest: 0, retryStrategy: () => null };
  const client = new Redis(port, '127.0.0.1', Object.assign(settings, options));
  cleanups.push(() => client.quit());
  return client;
}

/**
 * A node-redis 6 client with its default options but the socket's: RESP3 (it sends HELLO 3, with
 * AUTH and SETNAME when given, and does not fall back to RESP2), unless `RESP: 2` is passed.
 */
async function nodeRedis(
  port: number,
  options: { password?: string; name?: string; RESP?: 2 | 3 } = {},
) {
  const client = createClient({
    socket: { port, host: '127.0.0.1', reconnectStrategy: false },
    ...options,
  });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(() => client.quit());
  return client;
}

/** The protocol the server says it speaks, from a CLIENT INFO line. */
function respOf(clientInfo: string): string | undefined {
  return / resp=(\d) /.exec(clientInfo)?.[1];
}

const run = promisify(execFile);
const redisCli = await run('redis-cli', ['--version']).then(
  () => true,
  () => false,
);

describe('ioredis', () => {
  // ioredis 6 sends HELLO 3 by default (falling back to RESP2 on NOPROTO) and maps RESP3 replies
  // to its RESP2 shapes: its default connection now speaks RESP3, and `protocol: 2` RESP2.
  it.each([
    ['default options (RESP3)', {}, '3'],
    ['protocol: 2', { protocol: 2 as const }, '2'],
  ])('connects (ready check through INFO), reads and writes, %s', async (_name, options, resp) => {
    const { port } = await start();
    const client = ioredis(port, options);
    expect(respOf(await client.client('INFO'))).toBe(resp);
    expect(await client.set('greeting', 'hello', 'EX', 100)).toBe('OK');
    expect(await client.get('greeting')).toBe('hello');
    expect(await client.ttl('greeting')).toBe(100);
    expect(await client.incrby('n', 5)).toBe(5);
    expect(await client.mget('greeting', 'missing', 'n')).toEqual(['hello', null, '5']);
    expect(await client.del('greeting', 'n')).toBe(2);
    expect(await client.getBuffer('missing')).toBeNull();
  });

  it('pipelines 10,000 commands and gets every reply in order', async () => {
    const { port } = await start();
    const client = ioredis(port);
    const pipeline = client.pipeline();
    for (let i = 0; i < 5000; i++) pipeline.set(`key:${i}`, `value:${i}`);
    for (let i = 0; i < 5000; i++) pipeline.get(`key:${i}`);
    const results = (await pipeline.exec()) ?? [];
    expect(results).toHaveLength(10_000);
    expect(results.slice(0, 5000).every(([error, reply]) => error === null && reply === 'OK')).toBe(
      true,
    );
    expect(results.slice(5000).map(([, reply]) => reply)).toEqual(
      Array.from({ length: 5000 }, (_, i) => `value:${i}`),
    );
  });

  it('runs multi().exec(), and a failed command is an element of the result', async () => {
    const { port } = await start();
    const client = ioredis(port);
    await client.set('s', 'text');
    const results = await client.multi().set('m', '1').incr('s').incr('m').exec();
    expect(results?.map(([error, value]) => (error === null ? value : error.message))).toEqual([
      'OK',
      'ERR value is not an integer or out of range',
      2,
    ]);
  });

  it('iterates with scanStream', async () => {
    const { port } = await start();
    const client = ioredis(port);
    await client.mset(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`s:${i}`, '1'])));
    const keys: string[] = [];
    for await (const page of client.scanStream({ match: 's:*', count: 50 }))
      keys.push(...(page as string[]));
    expect(new Set(keys).size).toBe(300);
  });

  it('authenticates with a password, and is refused without one', async () => {
    const { port } = await start({ requirePass: 'pw' });
    const client = ioredis(port, { password: 'pw' });
    expect(await client.ping()).toBe('PONG');
    const anonymous = ioredis(port, { enableReadyCheck: false, lazyConnect: true, protocol: 2 });
    await anonymous.connect();
    await expect(anonymous.get('k')).rejects.toThrow('NOAUTH Authentication required.');
    // In RESP3 the handshake itself is refused, as by redis-server: HELLO 3 without AUTH.
    const resp3 = ioredis(port, { enableReadyCheck: false, lazyConnect: true });
    resp3.on('error', () => {});
    await expect(resp3.connect()).rejects.toThrow();
    await expect(resp3.get('k')).rejects.toThrow();
    const wrong = ioredis(port, { enableReadyCheck: false, lazyConnect: true, protocol: 2 });
    await wrong.connect();
    await expect(wrong.auth('nope')).rejects.toThrow(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
  });

  it('gets OOM and size errors as replies, on a connection that keeps working', async () => {
    const { port } = await start({
      maxValueSize: 1000,
      storeOptions: { maxMemory: 5000, policy: 'noeviction' },
    });
    const client = ioredis(port);
    await expect(client.set('big', 'x'.repeat(1001))).rejects.toThrow(
      'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    );
    let stored = 0;
    const error = await (async () => {
      for (;;) {
        await client.set(`k${stored}`, 'x'.repeat(800));
        stored++;
      }
    })().catch((reason: unknown) => reason);
    expect(String(error)).toContain("OOM command not allowed when used memory > 'maxmemory'.");
    expect(stored).toBeGreaterThan(2);
    expect(await client.get('k0')).toBe('x'.repeat(800));
  });
});

describe('node-redis with its default options (RESP3)', () => {
  it('negotiates RESP3 with HELLO 3', async () => {
    const { port } = await start();
    const client = await nodeRedis(port, { name: 'app' });
    const id = await client.clientId();
    const info = await client.clientInfo();
    expect(info).toMatchObject({ id, name: 'app', resp: 3, libName: 'node-redis' });
    expect(await client.hello()).toMatchObject({ server: 'redis', proto: 3, id, modules: [] });
  });

  it('reads, writes, expires and counts', async () => {
    const { port } = await start();
    const client = await nodeRedis(port);
    expect(await client.set('k', 'v', { EX: 50 })).toBe('OK');
    expect(await client.get('k')).toBe('v');
    expect(await client.get('missing')).toBeNull();
    expect(await client.ttl('k')).toBe(50);
    expect(await client.expire('k', 100)).toBe(1);
    expect(await client.ttl('k')).toBe(100);
    expect(await client.ttl('missing')).toBe(-2);
    expect(await client.exists(['k', 'nope'])).toBe(1);
    expect(await client.incr('counter')).toBe(1);
    expect(await client.incrBy('counter', 9)).toBe(10);
    expect(await client.mGet(['k', 'missing', 'counter'])).toEqual(['v', null, '10']);
    expect(await client.set('k', 'w', { NX: true })).toBeNull();
    expect(await client.set('k', 'w', { GET: true })).toBe('v');
    expect(await client.getDel('k')).toBe('w');
    expect(await client.getDel('k')).toBeNull();
    expect(await client.getEx('missing', { EX: 10 })).toBeNull();
    // SET's older forms, as node-redis sends them.
    expect(await client.setEx('legacy', 30, 'a')).toBe('OK');
    expect(await client.ttl('legacy')).toBe(30);
    expect(await client.pSetEx('legacy', 1500, 'b')).toBe('OK');
    expect(await client.pTTL('legacy')).toBeGreaterThan(1000);
    expect(await client.setNX('legacy', 'c')).toBe(0);
    expect(await client.setNX('legacy2', 'c')).toBe(1);
    expect(await client.getSet('legacy', 'd')).toBe('b');
    expect(await client.ttl('legacy')).toBe(-1);
    expect(await client.del(['legacy', 'legacy2'])).toBe(2);
    expect(await client.del(['counter', 'missing'])).toBe(1);
    expect(await client.dbSize()).toBe(0);
  });

  it('runs MULTI/EXEC transactions, and WATCH aborts one whose key another client wrote', async () => {
    const { port } = await start();
    const client = await nodeRedis(port);
    const replies = await client.multi().set('t', '1').incr('t').get('t').exec();
    expect(replies).toEqual(['OK', 2, '2']);
    const other = await nodeRedis(port);
    await client.watch('t');
    await other.set('t', 'changed');
    await expect(client.multi().set('t', 'mine').exec()).rejects.toThrow(/WATCH|aborted/i);
    expect(await client.get('t')).toBe('changed');
  });

  it('iterates with scanIterator', async () => {
    const { port } = await start();
    const client = await nodeRedis(port);
    await client.mSet(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`s:${i}`, '1'])));
    await client.set('other', '1');
    const keys: string[] = [];
    for await (const page of client.scanIterator({ MATCH: 's:*', COUNT: 50 })) keys.push(...page);
    expect(new Set(keys).size).toBe(300);
  });

  it('reads CONFIG GET as a map and INFO as text', async () => {
    const { port } = await start({ storeOptions: { maxMemory: 1 << 20 } });
    const client = await nodeRedis(port);
    expect(await client.configGet('maxmemory')).toEqual({ maxmemory: String(1 << 20) });
    expect(await client.configGet(['save', 'appendonly'])).toEqual({ save: '', appendonly: 'no' });
    expect(await client.configGet('nothing')).toEqual({});
    const info = await client.info();
    expect(info).toMatch(/^# Server\r\nredis_version:7\.2\.0\r\n/);
    expect(await client.info('keyspace')).toBe('# Keyspace\r\n');
  });

  it('pipelines 10,000 commands with multi-less execAsPipeline, and in parallel', async () => {
    const { port } = await start();
    const client = await nodeRedis(port);
    const batch = client.multi();
    for (let i = 0; i < 10_000; i++) batch.incr('hits');
    const replies = await batch.execAsPipeline();
    expect(replies).toHaveLength(10_000);
    expect(replies.at(-1)).toBe(10_000);
    const mixed = await client
      .multi()
      .set('a', '1')
      .get('a')
      .get('missing')
      .mGet(['a', 'missing'])
      .configGet('save')
      .execAsPipeline();
    expect(mixed).toEqual(['OK', '1', null, ['1', null], { save: '' }]);
    const parallel = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => (i % 2 ? client.get('a') : client.get('missing'))),
    );
    expect(parallel.filter((reply) => reply === null)).toHaveLength(500);
  });

  it('authenticates with a password through HELLO 3 AUTH', async () => {
    const { port } = await start({ requirePass: 'secret' });
    const client = await nodeRedis(port, { password: 'secret' });
    expect(await client.ping()).toBe('PONG');
    expect(await client.get('missing')).toBeNull();
    await expect(nodeRedis(port, { password: 'wrong' })).rejects.toThrow(/WRONGPASS/);
    await expect(nodeRedis(port)).rejects.toThrow(/NOAUTH HELLO must be called/);
  });
});

describe('node-redis with RESP: 2', () => {
  it('reads, writes, pipelines and authenticates in RESP2', async () => {
    const { port } = await start({ requirePass: 'secret' });
    const client = await nodeRedis(port, { password: 'secret', RESP: 2 });
    expect((await client.clientInfo()).resp).toBe(2);
    expect(await client.set('k', 'v', { EX: 50 })).toBe('OK');
    expect(await client.get('k')).toBe('v');
    expect(await client.get('missing')).toBeNull();
    expect(await client.mGet(['k', 'missing'])).toEqual(['v', null]);
    expect(await client.ttl('k')).toBe(50);
    expect(await client.configGet('save')).toEqual({ save: '' });
    expect(await client.info('keyspace')).toMatch(/^# Keyspace\r\n/);
    const replies = await client.multi().incr('n').incr('n').get('n').execAsPipeline();
    expect(replies).toEqual([1, 2, '2']);
    await expect(nodeRedis(port, { password: 'wrong', RESP: 2 })).rejects.toThrow(/WRONGPASS/);
  });
});

describe.skipIf(!redisCli)('redis-cli', () => {
  it('runs commands, including with a password', async () => {
    const { port } = await start({ requirePass: 'pw' });
    const cli = (...args: string[]) =>
      run('redis-cli', ['-p', String(port), '--no-auth-warning', '-a', 'pw', ...args]).then((r) =>
        r.stdout.trim(),
      );
    expect(await cli('SET', 'k', 'hello')).toBe('OK');
    expect(await cli('GET', 'k')).toBe('hello');
    expect(await cli('PING')).toBe('PONG');
    expect(await cli('DBSIZE')).toBe('1');
    expect(await cli('NOPE', 'x')).toBe(
      "ERR unknown command 'NOPE', with args beginning with: 'x'",
    );
    const { stdout } = await run('redis-cli', ['-p', String(port), 'GET', 'k']);
    expect(stdout.trim()).toBe('NOAUTH Authentication required.');
  });

  it('finds hot keys with --hotkeys under an LFU policy (SCAN, then OBJECT FREQ of each key)', async () => {
    const { port } = await start({ storeOptions: { maxMemory: 1 << 24, policy: 'lfu' } });
    const cli = (...args: string[]) =>
      run('redis-cli', ['-p', String(port), ...args]).then((r) => r.stdout);
    await cli('MSET', 'hot', 'v', 'cold', 'v');
    await cli('-r', '20', 'GET', 'hot');
    const report = await cli('--hotkeys');
    expect(report).toMatch(/hot key found with counter: 21\s+keyname: "?hot"?/);
    expect(report).toMatch(/hot key found with counter: 1\s+keyname: "?cold"?/);
    const lru = await start({ storeOptions: { maxMemory: 1 << 24, policy: 'lru' } });
    await run('redis-cli', ['-p', String(lru.port), 'SET', 'k', 'v']);
    // Under LRU redis-cli stops at the first OBJECT FREQ, as against Redis under allkeys-lru.
    await expect(run('redis-cli', ['-p', String(lru.port), '--hotkeys'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/LFU maxmemory policy is not selected/) as string,
    });
  });

  it('ranks keys by the memory they are charged with --memkeys (MEMORY USAGE)', async () => {
    const { port } = await start();
    await run('redis-cli', ['-p', String(port), 'MSET', 'small', 'x', 'large', 'y'.repeat(5000)]);
    const { stdout } = await run('redis-cli', ['-p', String(port), '--memkeys']);
    expect(stdout).toMatch(/Biggest string found '?"?large"?'? has \d{4,} bytes/);
    expect(stdout).toMatch(/2 strings with [1-9]\d* bytes/);
  });

  it('pipes a file of commands (--pipe)', async () => {
    const { port } = await start();
    const input = Array.from({ length: 1000 }, (_, i) => `SET pipe:${i} ${i}\r\n`).join('');
    const child = execFile('redis-cli', ['-p', String(port), '--pipe']);
    child.stdin?.end(input);
    const output = await new Promise<string>((resolve) => {
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', () => resolve(text));
    });
    expect(output).toContain('errors: 0, replies: 1000');
  });
});

if (!redisCli)
  console.warn('redis-cli not installed: skipping its tests (apt-get install -y redis-tools)');
