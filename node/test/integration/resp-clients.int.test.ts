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
 * node-redis 6 defaults to RESP3 (HELLO 3) and does not fall back when the server answers
 * NOPROTO, so clients of this RESP2-only server must ask for RESP2.
 */
async function nodeRedis(port: number, password?: string) {
  const client = createClient({
    socket: { port, host: '127.0.0.1', reconnectStrategy: false },
    ...(password === undefined ? {} : { password }),
    RESP: 2,
  });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(() => client.quit());
  return client;
}

const run = promisify(execFile);
const redisCli = await run('redis-cli', ['--version']).then(
  () => true,
  () => false,
);

describe('ioredis', () => {
  it('connects (ready check through INFO), reads and writes', async () => {
    const { port } = await start();
    const client = ioredis(port);
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
    const anonymous = ioredis(port, { enableReadyCheck: false, lazyConnect: true });
    await anonymous.connect();
    await expect(anonymous.get('k')).rejects.toThrow('NOAUTH Authentication required.');
    const wrong = ioredis(port, { enableReadyCheck: false, lazyConnect: true });
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

describe('node-redis', () => {
  it('refuses the RESP3 handshake it sends by default (NOPROTO)', async () => {
    const { port } = await start();
    const client = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow('NOPROTO unsupported protocol version');
    cleanups.push(() => Promise.resolve(client.destroy()));
  });

  it('connects, reads, writes and expires', async () => {
    const { port } = await start();
    const client = await nodeRedis(port);
    expect(await client.set('k', 'v', { EX: 50 })).toBe('OK');
    expect(await client.get('k')).toBe('v');
    expect(await client.ttl('k')).toBe(50);
    expect(await client.exists(['k', 'nope'])).toBe(1);
    expect(await client.incr('counter')).toBe(1);
    expect(await client.getDel('k')).toBe('v');
    expect(await client.dbSize()).toBe(1);
  });

  it('pipelines 10,000 commands with multi-less execAsPipeline', async () => {
    const { port } = await start();
    const client = await nodeRedis(port);
    const batch = client.multi();
    for (let i = 0; i < 10_000; i++) batch.incr('hits');
    const replies = await batch.execAsPipeline();
    expect(replies).toHaveLength(10_000);
    expect(replies.at(-1)).toBe(10_000);
  });

  it('authenticates with a password', async () => {
    const { port } = await start({ requirePass: 'secret' });
    const client = await nodeRedis(port, 'secret');
    expect(await client.ping()).toBe('PONG');
    await expect(nodeRedis(port, 'wrong')).rejects.toThrow(/WRONGPASS/);
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
