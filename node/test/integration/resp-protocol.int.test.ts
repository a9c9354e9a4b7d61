import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCommand, encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { parseReplies } from '../../src/protocol/resp/reply-parser.ts';
import { RawClient, startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { TurnEnd } from '../../src/server/turn-end.ts';
import type {
  TestServer,
  TestServerOptions,
} from '../../src/server/resp/testing/start-test-server.ts';

/** The wire behaviour over raw sockets: malformed input, QUIT, half-close, large pipelines, close(). */
const servers: TestServer[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options?: TestServerOptions): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function client(port: number): Promise<RawClient> {
  const raw = await RawClient.connect(port);
  clients.push(raw);
  return raw;
}

const CORPUS = join(import.meta.dirname, '../fixtures/resp-fuzz');
const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as Record<
  string,
  { reply: string; closed: boolean }
>;

describe('malformed input', () => {
  it('replies with the protocol error, closes, and leaves other connections alone', async () => {
    const { port, server } = await start();
    const bystander = await client(port);
    const bad = await client(port);
    bad.send('*1\r\n$4\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n');
    expect(await bad.closesWithin(2000)).toBe(true);
    expect(bad.text).toBe('+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n');
    bystander.send(encodeCommand(['PING']));
    expect(await bystander.waitFor((text) => text === '+PONG\r\n')).toBe('+PONG\r\n');
    expect(server.stats.protocolErrors).toBe(1);
  });

  // Every case of the corpus, against the reply bytes a real redis-server sent for it.
  for (const [name, redis] of Object.entries(manifest)) {
    it(`answers the corpus case ${name} as redis-server did`, async () => {
      const { port } = await start();
      const raw = await client(port);
      raw.send(readFileSync(join(CORPUS, `${name}.resp`)));
      const closed = await raw.closesWithin(redis.closed ? 2000 : 150);
      expect({ reply: raw.text, closed }).toEqual(redis);
    });
  }
});

describe('connection lifecycle', () => {
  it('QUIT replies OK, ignores what follows, and closes', async () => {
    const { port } = await start();
    const raw = await client(port);
    raw.send(encodePipeline([['SET', 'k', 'v'], ['QUIT'], ['SET', 'k', 'w']]));
    expect(await raw.closesWithin(2000)).toBe(true);
    expect(raw.text).toBe('+OK\r\n+OK\r\n');
    const other = await client(port);
    other.send(encodeCommand(['GET', 'k']));
    expect(await other.waitFor((text) => text.length >= 7)).toBe('$1\r\nv\r\n');
  });

  it('answers a client that half-closes after its pipeline', async () => {
    const { port } = await start();
    const raw = await client(port);
    raw.socket.end(
      encodePipeline(Array.from({ length: 100 }, (_, i) => ['INCR', `n`, ...(i < 0 ? [] : [])])),
    );
    expect(await raw.closesWithin(2000)).toBe(true);
    expect(parseReplies(Buffer.from(raw.text, 'latin1')).values.at(-1)).toBe(100);
  });

  it('accepts inline commands (telnet)', async () => {
    const { port } = await start();
    const raw = await client(port);
    raw.send('SET greeting "hello world"\r\nGET greeting\r\n');
    expect(await raw.waitFor((text) => text.endsWith('world\r\n'))).toBe(
      '+OK\r\n$11\r\nhello world\r\n',
    );
  });

  it('keeps idle clients and ends them all on close()', async () => {
    const { port, server } = await start();
    const idle = await Promise.all(Array.from({ length: 200 }, () => client(port)));
    // Connected on the client's side may come before the server's accept on a loaded machine.
    await expect.poll(() => server.stats.connectedClients, { timeout: 5000 }).toBe(200);
    await server.close();
    servers.length = 0;
    expect(await Promise.all(idle.map((raw) => raw.closesWithin(2000)))).toEqual(
      idle.map(() => true),
    );
    expect(server.stats.connectedClients).toBe(0);
  });

  it('CLIENT KILL ends other clients by ID or address, and the caller itself after its reply', async () => {
    const { port } = await start();
    const [killer, victim, bystander] = await Promise.all([
      client(port),
      client(port),
      client(port),
    ]);
    victim.send(encodeCommand(['CLIENT', 'ID']));
    const id = (await victim.waitFor((text) => text.endsWith('\r\n'))).slice(1, -2);
    killer.send(encodeCommand(['CLIENT', 'KILL', 'ID', id]));
    expect(await killer.waitFor((text) => text.endsWith('\r\n'))).toBe(':1\r\n');
    expect(await victim.closesWithin(2000)).toBe(true);
    // The old form names a client by the address CLIENT LIST shows.
    bystander.send(encodeCommand(['CLIENT', 'INFO']));
    const info = await bystander.waitFor((text) => text.includes('\n\r\n'));
    const addr = / addr=(\S+) /.exec(info)?.[1] as string;
    killer.send(encodeCommand(['CLIENT', 'KILL', addr]));
    expect(await killer.waitFor((text) => text.endsWith('+OK\r\n'))).toBe(':1\r\n+OK\r\n');
    expect(await bystander.closesWithin(2000)).toBe(true);
    // SKIPME no: the caller is killed too, after it got its answer.
    killer.send(encodeCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'no']));
    expect(await killer.closesWithin(2000)).toBe(true);
    expect(killer.text).toBe(':1\r\n+OK\r\n:1\r\n');
  });

  it('refuses connections beyond maxclients', async () => {
    const { port } = await start({ maxClients: 1 });
    await client(port);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const extra = await client(port);
    expect(await extra.closesWithin(2000)).toBe(true);
    expect(extra.text).toBe('-ERR max number of clients reached\r\n');
  });
});

describe('large traffic', () => {
  it('serves a client that pipelines large replies before reading any (back-pressure)', async () => {
    const { port, store } = await start();
    store.set('big', Buffer.alloc(64 * 1024, 'x'));
    const raw = await client(port);
    raw.socket.pause();
    raw.send(encodePipeline(Array.from({ length: 1000 }, () => ['GET', 'big'])));
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.socket.resume();
    const expected = 1000 * (64 * 1024 + '$65536\r\n\r\n'.length);
    await raw.waitFor(() => raw.bytesReceived >= expected, 20_000);
    expect(raw.bytesReceived).toBe(expected);
  });

  it('accepts a value sent in many small writes', async () => {
    const { port } = await start();
    const raw = await client(port);
    const value = Buffer.alloc(1024 * 1024, 'v');
    const request = encodeCommand(['SET', 'k', value]);
    for (let at = 0; at < request.length; at += 1000) raw.send(request.subarray(at, at + 1000));
    raw.send(encodeCommand(['STRLEN', 'k']));
    expect(await raw.waitFor((text) => text.includes(':'))).toBe('+OK\r\n:1048576\r\n');
  });

  it('refuses a value over the maximum size without closing', async () => {
    const { port } = await start({ maxValueSize: 1024 });
    const raw = await client(port);
    raw.send(encodePipeline([['SET', 'k', Buffer.alloc(2048)], ['PING']]));
    expect(await raw.waitFor((text) => text.endsWith('+PONG\r\n'))).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n+PONG\r\n',
    );
  });
});

describe('INFO commandstats', () => {
  it('reports the time spent per command, as redis_exporter reads it', async () => {
    const { port } = await start();
    const raw = await client(port);
    raw.send(encodePipeline(Array.from({ length: 200 }, (_, i) => ['SET', `k${i}`, 'v'])));
    await raw.waitFor((text) => text.length === 200 * 5);
    raw.send(encodeCommand(['INFO', 'commandstats']));
    const info = await raw.waitFor((text) => text.includes('cmdstat_set'));
    const match = /cmdstat_set:calls=200,usec=(\d+),usec_per_call=(\d+\.\d\d),/.exec(info);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0);
    expect(Number(match![2])).toBeCloseTo(Number(match![1]) / 200, 1);
  });
});

describe('replies at the end of the turn', () => {
  /** A server whose event-loop turns end when the test says (`endTurn`). */
  async function startHeld() {
    const ends: (() => void)[] = [];
    const server = await start({ turnEnd: new TurnEnd((run) => ends.push(run)) });
    const endTurn = (): void => {
      for (const run of ends.splice(0)) run();
    };
    return { ...server, endTurn };
  }

  it('writes the replies of every client together once the turn ends', async () => {
    const { port, endTurn } = await startHeld();
    const a = await client(port);
    const b = await client(port);
    a.send(
      encodePipeline([
        ['SET', 'k', 'v'],
        ['GET', 'k'],
      ]),
    );
    b.send(encodeCommand(['PING']));
    // The commands ran (the key is there), but no reply left before the end of the turn.
    const c = await client(port);
    c.send(encodeCommand(['EXISTS', 'k']));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([a.text, b.text, c.text]).toEqual(['', '', '']);
    endTurn();
    expect(await a.waitFor((text) => text.endsWith('$1\r\nv\r\n'))).toBe('+OK\r\n$1\r\nv\r\n');
    expect(await b.waitFor((text) => text !== '')).toBe('+PONG\r\n');
    expect(await c.waitFor((text) => text !== '')).toBe(':1\r\n');
  });

  it('sends large replies and the last reply of a closing connection at once', async () => {
    const { port, store } = await startHeld();
    store.set('big', Buffer.alloc(70 * 1024, 'x'));
    const big = await client(port);
    big.send(encodeCommand(['GET', 'big']));
    await big.waitFor((text) => text.length === 70 * 1024 + '$71680\r\n\r\n'.length);
    const quitting = await client(port);
    quitting.send(encodePipeline([['PING'], ['QUIT']]));
    expect(await quitting.closesWithin(2000)).toBe(true);
    expect(quitting.text).toBe('+PONG\r\n+OK\r\n');
  });

  it('sends the replies it holds when the server closes before the turn ends', async () => {
    const { port, server } = await startHeld();
    const raw = await client(port);
    raw.send(encodeCommand(['PING']));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(raw.text).toBe('');
    servers.length = 0;
    await server.close();
    expect(await raw.closesWithin(2000)).toBe(true);
    expect(raw.text).toBe('+PONG\r\n');
  });
});

describe('CLIENT REPLY', () => {
  it('OFF sends nothing until ON, SKIP drops the next reply only, errors included', async () => {
    const { port } = await start();
    const raw = await client(port);
    raw.send(
      encodePipeline([
        ['CLIENT', 'REPLY', 'OFF'],
        ['SET', 'k', 'v'],
        ['NOSUCH'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['GET', 'k'],
        ['CLIENT', 'REPLY', 'ON'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['GET', 'k'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['NOSUCH'],
        ['PING', 'last'],
      ]),
    );
    expect(await raw.waitFor((text) => text.endsWith('last\r\n'))).toBe('+OK\r\n$4\r\nlast\r\n');
  });

  it('still sends pushes in RESP3: confirmations, own messages and invalidations', async () => {
    const { port } = await start();
    const raw = await client(port);
    raw.send(encodeCommand(['HELLO', '3']));
    await raw.waitFor((text) => text.includes('modules'));
    const hello = raw.text.length;
    raw.send(
      encodePipeline([
        ['CLIENT', 'TRACKING', 'ON'],
        ['GET', 'k'],
        ['CLIENT', 'REPLY', 'OFF'],
        ['SUBSCRIBE', 'ch'],
        ['PUBLISH', 'ch', 'hi'],
        ['SET', 'k', 'v'],
        ['GET', 'k'],
        ['CLIENT', 'REPLY', 'ON'],
        ['PING'],
      ]),
    );
    await raw.waitFor((text) => text.endsWith('+PONG\r\n'));
    // The bytes redis-server 7.0.15 sends for the same pipeline.
    expect(raw.text.slice(hello)).toBe(
      '+OK\r\n_\r\n>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n' +
        '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n' +
        '>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n+OK\r\n+PONG\r\n',
    );
  });
});
