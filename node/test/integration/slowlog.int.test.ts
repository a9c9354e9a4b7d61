import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';

/** SLOWLOG and commandstats' rejected calls over a real socket, read with ioredis. */
const servers: TestServer[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => {})));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

async function connect(options: ClientOptions = {}): Promise<Redis> {
  const server = await startTestServer();
  servers.push(server);
  const settings: ClientOptions = { maxRetriesPerRequest: 0, retryStrategy: () => null };
  const client = new Redis(server.port, '127.0.0.1', Object.assign(settings, options));
  clients.push(client);
  return client;
}

type Entry = [number, number, number, string[], string, string];

describe('SLOWLOG over a socket', () => {
  it('logs every command at slowlog-log-slower-than 0, pipelined or not, newest first', async () => {
    const redis = await connect({ connectionName: 'reporter' });
    await redis.config('SET', 'slowlog-log-slower-than', '0');
    await redis.slowlog('RESET');
    await redis.set('k', 'v');
    await redis
      .pipeline()
      .get('k')
      .incr('n')
      .mset(...Array.from({ length: 40 }, String))
      .exec();
    await redis.set('big', 'x'.repeat(200));
    await redis.multi().get('k').get('n').exec();
    const entries = (await redis.slowlog('GET', '-1')) as Entry[];
    const commands = entries.map((entry) => entry[3]);
    expect(commands.slice(0, 3)).toEqual([['get', 'n'], ['get', 'k'], ['multi']]);
    expect(commands[3]).toEqual(['set', 'big', `${'x'.repeat(128)}... (72 more bytes)`]);
    const mset = commands[4]!;
    expect(mset).toHaveLength(32);
    expect(mset[31]).toBe('... (10 more arguments)');
    expect(commands.slice(5)).toEqual([
      ['incr', 'n'],
      ['get', 'k'],
      ['set', 'k', 'v'],
      ['slowlog', 'RESET'],
    ]);
    const now = Math.floor(Date.now() / 1000);
    for (const [id, time, duration, , client, name] of entries) {
      expect(Number.isInteger(id) && id >= 0).toBe(true);
      expect(Math.abs(time - now)).toBeLessThanOrEqual(5);
      expect(Number.isInteger(duration) && duration >= 0).toBe(true);
      expect(client).toMatch(/^(::ffff:)?127\.0\.0\.1:\d+$/);
      expect(name).toBe('reporter');
    }
    // Ids count up: each entry's is one more than the one logged before it.
    expect(entries.map((entry) => entry[0])).toEqual(entries.map((_, i) => entries[0]![0] - i));
    expect(await redis.slowlog('LEN')).toBe(entries.length + 1);
  });

  it('logs nothing with the threshold at -1, and keeps slowlog-max-len entries', async () => {
    const redis = await connect();
    await redis.config('SET', 'slowlog-log-slower-than', '-1');
    await redis.slowlog('RESET');
    await redis.set('a', '1');
    expect(await redis.slowlog('LEN')).toBe(0);
    await redis.config('SET', 'slowlog-max-len', '2', 'slowlog-log-slower-than', '0');
    for (let i = 0; i < 5; i++) await redis.incr('a');
    expect(await redis.slowlog('LEN')).toBe(2);
    const entries = (await redis.slowlog('GET')) as Entry[];
    // SLOWLOG LEN ran and was logged too, as in Redis.
    expect(entries.map((entry) => entry[3])).toEqual([
      ['slowlog', 'LEN'],
      ['incr', 'a'],
    ]);
  });

  it('counts refused commands as rejected_calls, errors while running as failed_calls', async () => {
    const redis = await connect();
    await redis.set('k', 'text');
    await expect(redis.call('GET')).rejects.toThrow('wrong number of arguments');
    await expect(redis.incr('k')).rejects.toThrow('not an integer');
    const info = await redis.info('commandstats');
    expect(info).toMatch(
      /cmdstat_get:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0/,
    );
    expect(info).toMatch(
      /cmdstat_incr:calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=1/,
    );
  });
});
