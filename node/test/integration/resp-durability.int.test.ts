import { afterEach, describe, expect, it } from 'vitest';
import type { Persistence } from '../../src/core/persistence.ts';
import { Store } from '../../src/core/store.ts';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { RawClient, startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { createSystemClock } from '../../src/util/clock.ts';

/**
 * Write replies wait for `store.durable()`: a persistence fake hands out one barrier promise per
 * "group commit" that the test settles by hand.
 */
class ManualGroupCommit implements Persistence {
  writable = true;
  syncs = 0;
  #pending:
    { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | undefined;

  put(): void {}
  delete(): void {}
  clear(): void {}

  /** Every write until the next settle shares one sync, as group commit does. */
  barrier(): Promise<void> {
    if (this.#pending === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#pending = { promise, resolve, reject };
      this.syncs++;
    }
    return this.#pending.promise;
  }

  succeed(): void {
    this.#pending?.resolve();
    this.#pending = undefined;
  }

  fail(): void {
    this.#pending?.reject(new Error('disk full'));
    this.#pending = undefined;
  }
}

const servers: TestServer[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setup(): Promise<{
  port: number;
  sync: ManualGroupCommit;
  connect: () => Promise<RawClient>;
}> {
  const sync = new ManualGroupCommit();
  const server = await startTestServer({
    store: new Store({ clock: createSystemClock(), persistence: sync }),
  });
  servers.push(server);
  const connect = async (): Promise<RawClient> => {
    const client = await RawClient.connect(server.port);
    clients.push(client);
    return client;
  };
  return { port: server.port, sync, connect };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('durable writes', () => {
  it('hold the write reply and everything after it until the sync, shared by all clients', async () => {
    const { sync, connect } = await setup();
    const a = await connect();
    const b = await connect();
    a.send(encodePipeline([['PING'], ['SET', 'a', '1'], ['GET', 'a'], ['PING']]));
    b.send(encodePipeline([['INCR', 'n']]));
    await settle();
    // The reply before the write leaves at once; the rest waits.
    expect(a.text).toBe('+PONG\r\n');
    expect(b.text).toBe('');
    expect(sync.syncs).toBe(1);
    sync.succeed();
    expect(
      await a.waitFor((text) => text.endsWith('+PONG\r\n+OK\r\n$1\r\n1\r\n+PONG\r\n')),
    ).toBeTruthy();
    expect(await b.waitFor((text) => text === ':1\r\n')).toBeTruthy();
  });

  it('do not hold clients that only read', async () => {
    const { sync, connect } = await setup();
    const writer = await connect();
    const reader = await connect();
    writer.send(encodePipeline([['SET', 'k', 'v']]));
    await settle();
    reader.send(encodePipeline([['GET', 'k'], ['DBSIZE']]));
    expect(await reader.waitFor((text) => text === '$1\r\nv\r\n:1\r\n')).toBeTruthy();
    expect(writer.text).toBe('');
    sync.succeed();
    expect(await writer.waitFor((text) => text === '+OK\r\n')).toBeTruthy();
  });

  it('answer MISCONF for a write whose sync failed, in order, and go on', async () => {
    const { sync, connect } = await setup();
    const client = await connect();
    client.send(
      encodePipeline([
        ['SET', 'k', 'v'],
        ['GET', 'k'],
      ]),
    );
    await settle();
    sync.fail();
    await settle();
    client.send(encodePipeline([['SET', 'k', 'w']]));
    await settle();
    sync.succeed();
    const expected =
      "-MISCONF Errors writing to the persistence layer; this write is in memory but may not be durable, and writes are refused until it recovers (see the node's logs)\r\n" +
      '$1\r\nv\r\n+OK\r\n';
    expect(await client.waitFor((text) => text === expected)).toBeTruthy();
  });

  it('keep order across several syncs on one connection', async () => {
    const { sync, connect } = await setup();
    const client = await connect();
    client.send(encodePipeline([['SET', 'x', '1']]));
    await settle();
    sync.succeed();
    client.send(
      encodePipeline([
        ['SET', 'x', '2'],
        ['GET', 'x'],
      ]),
    );
    await settle();
    sync.succeed();
    expect(await client.waitFor((text) => text === '+OK\r\n+OK\r\n$1\r\n2\r\n')).toBeTruthy();
  });

  it('send what they owe before closing on QUIT', async () => {
    const { sync, connect } = await setup();
    const client = await connect();
    client.send(encodePipeline([['SET', 'k', 'v'], ['QUIT']]));
    await settle();
    expect(client.text).toBe('');
    sync.succeed();
    expect(await client.closesWithin(2000)).toBe(true);
    expect(client.text).toBe('+OK\r\n+OK\r\n');
  });

  it("holds EXEC's reply until a queued write is durable; a read-only EXEC goes at once", async () => {
    const { sync, connect } = await setup();
    const client = await connect();
    client.send(encodePipeline([['MULTI'], ['GET', 'k'], ['EXEC']]));
    expect(await client.waitFor((t) => t === '+OK\r\n+QUEUED\r\n*1\r\n$-1\r\n')).toBeTruthy();
    client.send(encodePipeline([['MULTI'], ['SET', 'k', 'v'], ['EXEC'], ['PING']]));
    await settle();
    // MULTI's and SET's replies went; EXEC's waits for the sync, and PING behind it.
    expect(client.text.endsWith('+OK\r\n+QUEUED\r\n')).toBe(true);
    expect(sync.syncs).toBe(1);
    sync.succeed();
    expect(
      await client.waitFor((t) => t.endsWith('+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n+PONG\r\n')),
    ).toBeTruthy();
  });

  it("holds a script's reply until what it wrote is durable; a script that only read goes at once", async () => {
    const { sync, connect } = await setup();
    const client = await connect();
    client.send(encodePipeline([['EVAL', 'return redis.call("GET", KEYS[1])', '1', 'k']]));
    expect(await client.waitFor((t) => t === '$-1\r\n')).toBeTruthy();
    expect(sync.syncs).toBe(0);
    client.send(
      encodePipeline([
        ['EVAL', 'return redis.call("SET", KEYS[1], ARGV[1])', '1', 'k', 'v'],
        ['PING'],
      ]),
    );
    await settle();
    expect(client.text).toBe('$-1\r\n');
    expect(sync.syncs).toBe(1);
    sync.succeed();
    expect(await client.waitFor((t) => t === '$-1\r\n+OK\r\n+PONG\r\n')).toBeTruthy();
  });

  it('keep a write reply dropped by CLIENT REPLY SKIP dropped when the sync fails', async () => {
    const { sync, connect } = await setup();
    const a = await connect();
    a.send(encodePipeline([['CLIENT', 'REPLY', 'SKIP'], ['SET', 'k', 'v'], ['PING']]));
    await settle();
    // PING waits behind the held SET, whose reply is nothing.
    expect(a.text).toBe('');
    sync.fail();
    expect(await a.waitFor((text) => text !== '')).toBe('+PONG\r\n');
  });
});
