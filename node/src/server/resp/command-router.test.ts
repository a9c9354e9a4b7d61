import { afterEach, describe, expect, it } from 'vitest';
import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import { encodePipeline } from '../../protocol/resp/encoder.ts';
import type { CommandEntry } from './command-registry.ts';
import type { CommandRouter, RouteVerdict } from './command-router.ts';
import { RawClient, startTestServer } from './testing/start-test-server.ts';
import type { TestServer } from './testing/start-test-server.ts';

/**
 * A router that makes commands on keys starting with `wait:` wait until the test releases them;
 * a released key then runs (as a key fetched from its old owner would).
 */
class GateRouter implements CommandRouter {
  readonly waiting: ((verdict: string | undefined) => void)[] = [];
  readonly #released = new Set<string>();

  route(entry: CommandEntry, args: CommandArgs): RouteVerdict {
    if (entry.spec.firstKey === 0) return undefined;
    const key = args.latin1(entry.spec.firstKey);
    if (key.startsWith('moved:')) return 'MOVED 7 127.0.0.1:7000';
    if (!key.startsWith('wait:') || this.#released.has(key)) return undefined;
    return new Promise((resolve) =>
      this.waiting.push((verdict) => {
        this.#released.add(key);
        resolve(verdict);
      }),
    );
  }

  release(verdict?: string): void {
    this.waiting.shift()?.(verdict);
  }
}

const servers: TestServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setup(): Promise<{ router: GateRouter; server: TestServer; client: RawClient }> {
  const router = new GateRouter();
  const server = await startTestServer({ router });
  servers.push(server);
  const client = await RawClient.connect(server.port);
  clients.push(client);
  return { router, server, client };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

describe('the command router hook', () => {
  it('answers with the error the router gives', async () => {
    const { client } = await setup();
    client.send(encodePipeline([['GET', 'moved:a'], ['PING']]));
    expect(await client.waitFor((t) => t === '-MOVED 7 127.0.0.1:7000\r\n+PONG\r\n')).toBeTruthy();
  });

  it('holds a waiting command and everything after it, in order, then runs them', async () => {
    const { router, server, client } = await setup();
    server.store.set('wait:k', Buffer.from('1'));
    client.send(
      encodePipeline([['PING'], ['INCR', 'wait:k'], ['SET', 'other', 'v'], ['GET', 'other']]),
    );
    await settle();
    expect(client.text).toBe('+PONG\r\n');
    expect(router.waiting).toHaveLength(1);
    expect(server.store.peek('other')).toBeUndefined();
    router.release();
    expect(await client.waitFor((t) => t === '+PONG\r\n:2\r\n+OK\r\n$1\r\nv\r\n')).toBeTruthy();
    const info = server.server.stats;
    let incrCalls = 0;
    info.forEachCommand((name, calls) => {
      if (name === 'incr') incrCalls = calls;
    });
    expect(incrCalls).toBe(1);
  });

  it('replies with the error a wait resolves to, and goes on', async () => {
    const { router, client } = await setup();
    client.send(encodePipeline([['GET', 'wait:a'], ['PING']]));
    await settle();
    router.release('TRYAGAIN shard 3 is migrating and its source is unreachable');
    expect(
      await client.waitFor(
        (t) => t === '-TRYAGAIN shard 3 is migrating and its source is unreachable\r\n+PONG\r\n',
      ),
    ).toBeTruthy();
  });

  it('still answers a waiting command after the client shut down its side', async () => {
    const { router, client } = await setup();
    client.send(encodePipeline([['GET', 'wait:a'], ['PING']]));
    client.socket.end();
    await settle();
    expect(router.waiting).toHaveLength(1);
    router.release();
    expect(await client.waitFor((t) => t === '$-1\r\n+PONG\r\n', 1000)).toBeTruthy();
    await client.closed;
  });

  it('queues without routing, and runs EXEC whole once every queued key it waits for is in', async () => {
    const { router, server, client } = await setup();
    server.store.set('wait:a', Buffer.from('1'));
    client.send(
      encodePipeline([
        ['MULTI'],
        ['INCR', 'wait:a'],
        ['GET', 'moved:b'],
        ['SET', 'other', 'v'],
        ['EXEC'],
        ['PING'],
      ]),
    );
    await settle();
    // Queued at once; EXEC waits for wait:a, and no command of the transaction ran meanwhile.
    expect(client.text).toBe('+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n');
    expect(server.store.peek('other')).toBeUndefined();
    router.release();
    const exec = '*3\r\n:2\r\n-MOVED 7 127.0.0.1:7000\r\n+OK\r\n';
    expect(
      await client.waitFor((t) => t === `+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n${exec}+PONG\r\n`),
    ).toBeTruthy();
  });

  it('fails an EXEC whose key cannot be fetched, and ends its transaction', async () => {
    const { router, server, client } = await setup();
    client.send(
      encodePipeline([['MULTI'], ['SET', 'x', '1'], ['GET', 'wait:a'], ['EXEC'], ['EXEC']]),
    );
    await settle();
    router.release('TRYAGAIN shard 3 is migrating and its source is unreachable');
    const expected =
      '+OK\r\n+QUEUED\r\n+QUEUED\r\n-TRYAGAIN shard 3 is migrating and its source is unreachable\r\n' +
      '-ERR EXEC without MULTI\r\n';
    expect(await client.waitFor((t) => t === expected)).toBeTruthy();
    expect(server.store.peek('x')).toBeUndefined();
  });
});
