import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ring } from '../../src/cluster/ring.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { encodeCommand } from '../../src/protocol/resp/encoder.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import { startFakeNode } from '../../src/gateway/testing/fake-node.ts';
import { ringOver, startGateway, startNodes } from '../../src/gateway/testing/test-cluster.ts';
import type { RunningGateway } from '../../src/gateway/testing/test-cluster.ts';
import { ReplyFramer } from '../../src/gateway/upstream/reply-framer.ts';

// The bytes a RESP2 and a RESP3 client get through the gateway for the same commands: forwarded
// replies come over node connections of the client's protocol, merged ones are built in it.

/** A raw client: sends commands, returns each reply's bytes as latin1 text. */
class RawResp {
  readonly #socket: Socket;
  readonly #framer = new ReplyFramer();
  readonly #replies: string[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#framer.feed(chunk);
      while (this.#framer.next()) {
        const { buffer, start, end } = this.#framer;
        this.#replies.push(buffer.toString('latin1', start, end));
      }
    });
  }

  static async connect(port: number): Promise<RawResp> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawResp(socket);
  }

  /** Sends the commands in one write and resolves with their replies. */
  async send(...commands: string[][]): Promise<string[]> {
    const from = this.#replies.length;
    this.#socket.write(Buffer.concat(commands.map((args) => encodeCommand(args))));
    const deadline = Date.now() + 5000;
    while (this.#replies.length < from + commands.length) {
      if (Date.now() > deadline)
        throw new Error(`timed out; got ${JSON.stringify(this.#replies.slice(from))}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.#replies.splice(from, commands.length);
  }

  close(): void {
    this.#socket.destroy();
  }
}

let nodes: TestServer[];
let ring: Ring;
let gw: RunningGateway;
let resp2: RawResp;
let resp3: RawResp;

beforeAll(async () => {
  nodes = await startNodes(3);
  ring = ringOver(
    1,
    nodes.map((node) => node.port),
  );
  gw = await startGateway({
    ring: { nodes: ring.nodes.map((node) => node.address) },
    nearCacheTtlMs: 10_000,
    nearCacheWindowMs: 20,
  });
  resp2 = await RawResp.connect(gw.port);
  resp3 = await RawResp.connect(gw.port);
  const [hello] = await resp3.send(['HELLO', '3']);
  expect(hello).toMatch(/^%7\r\n/);
});

afterAll(async () => {
  resp2.close();
  resp3.close();
  await gw.close();
  await Promise.all(nodes.map((node) => node.close()));
});

/** Three keys, one owned by each node, in node order. */
function onePerNode(prefix: string): string[] {
  const found: string[] = [];
  for (let i = 0; found.length < 3; i++) {
    const key = `${prefix}:${i}`;
    if (ownerOf(ring, shardOf(key)) === `node-${found.length}`) found.push(key);
  }
  return found;
}

describe('the same commands from a RESP2 and a RESP3 client', () => {
  it('GET of a missing key: $-1 in RESP2, _ in RESP3', async () => {
    expect(await resp2.send(['GET', 'bytes:missing'])).toEqual(['$-1\r\n']);
    expect(await resp3.send(['GET', 'bytes:missing'])).toEqual(['_\r\n']);
    expect(await resp2.send(['SET', 'bytes:k', 'v'], ['GET', 'bytes:k'])).toEqual([
      '+OK\r\n',
      '$1\r\nv\r\n',
    ]);
    expect(await resp3.send(['GET', 'bytes:k'])).toEqual(['$1\r\nv\r\n']);
  });

  it('MGET split over three nodes keeps each protocol’s nulls', async () => {
    const [a, b, c] = onePerNode('split');
    await resp2.send(['MSET', a!, 'A', c!, 'C']);
    expect(await resp2.send(['MGET', a!, b!, c!])).toEqual(['*3\r\n$1\r\nA\r\n$-1\r\n$1\r\nC\r\n']);
    expect(await resp3.send(['MGET', a!, b!, c!])).toEqual(['*3\r\n$1\r\nA\r\n_\r\n$1\r\nC\r\n']);
  });

  it('CONFIG GET: a flat array in RESP2, a map in RESP3', async () => {
    const pair = '$10\r\nappendonly\r\n$2\r\nno\r\n';
    expect(await resp2.send(['CONFIG', 'GET', 'appendonly'])).toEqual([`*2\r\n${pair}`]);
    expect(await resp3.send(['CONFIG', 'GET', 'appendonly'])).toEqual([`%1\r\n${pair}`]);
  });

  it('INFO (aggregated over the nodes): a bulk string in RESP2, verbatim text in RESP3', async () => {
    const [two] = await resp2.send(['INFO', 'keyspace']);
    const [three] = await resp3.send(['INFO', 'keyspace']);
    const two2 = /^\$(\d+)\r\n(# Keyspace\r\ndb0:keys=\d+[^]*)\r\n$/.exec(two!);
    const three3 = /^=(\d+)\r\ntxt:(# Keyspace\r\ndb0:keys=\d+[^]*)\r\n$/.exec(three!);
    expect(Number(two2?.[1])).toBe(Buffer.byteLength(two2![2]!));
    expect(Number(three3?.[1])).toBe(Buffer.byteLength(three3![2]!) + 4);
    expect(await resp3.send(['INFO', 'server'])).toEqual([expect.stringMatching(/^=\d+\r\ntxt:#/)]);
  });

  it('SCAN, DBSIZE and DEL are the same bytes in both', async () => {
    for (const client of [resp2, resp3]) {
      const [page] = await client.send(['SCAN', '0', 'COUNT', '1000']);
      expect(page).toMatch(/^\*2\r\n\$\d+\r\n\d+\r\n\*\d+\r\n/);
      const [size] = await client.send(['DBSIZE']);
      expect(size).toMatch(/^:\d+\r\n$/);
    }
    expect(await resp3.send(['DEL', ...onePerNode('split'), 'bytes:k'])).toEqual([':3\r\n']);
  });

  it('switches protocol within a pipeline, reading its own earlier writes', async () => {
    const client = await RawResp.connect(gw.port);
    const replies = await client.send(
      ['SET', 'switch:k', 'v'],
      ['GET', 'switch:missing'],
      ['HELLO', '3'],
      ['GET', 'switch:k'],
      ['GET', 'switch:missing'],
      ['HELLO', '2'],
      ['GET', 'switch:missing'],
    );
    expect(replies[0]).toBe('+OK\r\n');
    expect(replies[1]).toBe('$-1\r\n');
    expect(replies[2]).toMatch(/^%7\r\n/);
    expect(replies.slice(3, 5)).toEqual(['$1\r\nv\r\n', '_\r\n']);
    expect(replies[5]).toMatch(/^\*14\r\n/);
    expect(replies[6]).toBe('$-1\r\n');
    client.close();
  });

  it('answers a hot missing key from the near cache in each client’s protocol', async () => {
    const hitsBefore = (await gw.metric('mlcache_gateway_near_cache_hits_total')) ?? 0;
    for (let round = 0; round < 20; round++) {
      const gets = Array.from({ length: 32 }, () => ['GET', 'hot:missing']);
      expect(new Set(await resp2.send(...gets))).toEqual(new Set(['$-1\r\n']));
      expect(new Set(await resp3.send(...gets))).toEqual(new Set(['_\r\n']));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await gw.metric('mlcache_gateway_near_cache_hits_total')).toBeGreaterThan(hitsBefore);
  });
});

describe('a HELLO that switches protocol while commands are out', () => {
  it('sends what follows only once they are answered, so it cannot overtake them', async () => {
    // A node that never answers SET: the SET is failed after the command timeout.
    const fake = await startFakeNode((args) => {
      if (args[0] === 'HELLO') return '%0\r\n';
      return args[0] === 'GET' ? '$1\r\nv\r\n' : undefined;
    });
    const other = await startGateway({ ring: { nodes: [fake.address] }, commandTimeoutMs: 300 });
    const client = await RawResp.connect(other.port);
    const replies = client.send(['SET', 'k', 'v'], ['HELLO', '3'], ['GET', 'k']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.received.map((args) => args[0])).toEqual(['SET']);
    const [set, hello, get] = await replies;
    expect(set).toMatch(/^-CLUSTERDOWN .* \(no reply for 300 ms\)\r\n$/);
    expect(hello).toMatch(/^%7\r\n/);
    expect(get).toBe('$1\r\nv\r\n');
    // GET went over a RESP3 connection; those (--connections-per-node) said HELLO 3 first.
    expect(fake.received.slice(1)).toEqual([
      ['HELLO', '3'],
      ['HELLO', '3'],
      ['GET', 'k'],
    ]);
    client.close();
    await other.close();
    await fake.close();
  });
});
