import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePipeline } from '../../src/protocol/resp/encoder.ts';
import { RawClient, startTestServer } from '../../src/server/resp/testing/start-test-server.ts';
import type { TestServer } from '../../src/server/resp/testing/start-test-server.ts';
import {
  receivedFrames,
  redisServerAvailable,
  startReferenceRedis,
} from './support/reference-redis.ts';
import type { ReferenceRedis } from './support/reference-redis.ts';

/**
 * Differential test of client-side caching (CLIENT TRACKING): the same conversation between
 * several connections, against a real redis-server and against mlcache; every frame each
 * connection receives, invalidation pushes and messages included, must be identical. Client ids
 * differ between the servers, so they are replaced by the order in which CLIENT ID learnt them:
 * in the frames that name a redirect, and in the bare integers of the connections that redirect
 * (their only integer replies are CLIENT ID's and GETREDIR's).
 */

const available = await redisServerAvailable;
if (!available) console.warn('redis-server not installed: skipping the tracking differential test');

/** An invalidation: a RESP3 push, or a Pub/Sub message on a RESP2 connection. */
const isPush = (frame: string): boolean =>
  frame.startsWith('>') || frame.startsWith('*3\r\n$7\r\nmessage\r\n');

/** One connection of the conversation, which counts the replies it waits for. */
class Peer {
  readonly name: string;
  readonly client: RawClient;
  /** Its bare integer replies are client ids. */
  readonly redirects: boolean;
  #replies = 0;

  private constructor(name: string, client: RawClient, redirects: boolean) {
    this.name = name;
    this.client = client;
    this.redirects = redirects;
  }

  static async open(name: string, port: number, redirects = false): Promise<Peer> {
    return new Peer(name, await RawClient.connect(port), redirects);
  }

  /** Sends the commands pipelined and waits for their replies (pushes do not count). */
  async run(...commands: string[][]): Promise<string[]> {
    this.client.send(encodePipeline(commands));
    this.#replies += commands.length;
    await this.client.waitFor(() => this.replies().length >= this.#replies);
    return this.replies().slice(-commands.length);
  }

  /** CLIENT ID's answer. */
  async id(): Promise<number> {
    const [reply] = await this.run(['CLIENT', 'ID']);
    return Number(reply!.slice(1, -2));
  }

  replies(): string[] {
    return receivedFrames(this.client).filter((frame) => !isPush(frame));
  }

  frames(): string[] {
    return receivedFrames(this.client).map((frame) =>
      frame.startsWith('%') ? '<HELLO map>' : frame,
    );
  }
}

async function conversation(port: number): Promise<string[]> {
  const ids: number[] = [];
  const learn = async (peer: Peer): Promise<number> => {
    const id = await peer.id();
    ids.push(id);
    return id;
  };
  const writer = await Peer.open('writer', port);
  const resp3 = await Peer.open('resp3', port);
  const all = [writer, resp3];
  /** Every connection answers a PING: each has received what the server sent it before. */
  const settle = async (): Promise<void> => {
    await Promise.all(
      all.filter((peer) => !peer.client.socket.destroyed).map((p) => p.run(['PING'])),
    );
  };

  // Default mode on RESP3: reads remembered, invalidated once by others' writes and by its own.
  await resp3.run(['HELLO', '3']);
  await resp3.run(
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'GETREDIR'],
    ['CLIENT', 'TRACKING', 'ON'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'GETREDIR'],
    ['GET', 'a'],
    ['MGET', 'a', 'b', 'c'],
    ['STRLEN', 'd'],
  );
  await writer.run(['SET', 'a', '1']);
  await settle();
  await writer.run(['SET', 'a', '2'], ['MSET', 'b', '1', 'c', '1'], ['SET', 'b', '2']);
  await settle();
  await writer.run(['EXPIRE', 'd', '100'], ['SET', 'd', 'v'], ['EXPIRE', 'd', '100']);
  await settle();
  await resp3.run(
    ['GET', 'a'],
    ['SET', 'a', 'mine'],
    ['GET', 'a'],
    ['INCRBY', 'n', '1000'],
    ['GET', 'n'],
  );
  await writer.run(['INCRBY', 'n', '1000'], ['DEL', 'a']);
  await settle();

  // Options and their errors, in Redis's order of checks.
  await resp3.run(
    ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
    ['CLIENT', 'TRACKING', 'ON', 'PREFIX', 'x'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'],
    ['CLIENT', 'TRACKING', 'ON', 'BOGUS'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT'],
    ['CLIENT', 'TRACKING', 'MAYBE'],
    ['CLIENT', 'TRACKING', 'MAYBE', 'BOGUS'],
    ['CLIENT', 'TRACKING'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'CACHING', 'NO'],
    ['CLIENT', 'CACHING', 'MAYBE'],
    ['CLIENT', 'CACHING'],
    ['CLIENT', 'GETREDIR', 'x'],
  );

  // NOLOOP: its own writes are not sent back, and still consume the key.
  await resp3.run(['CLIENT', 'TRACKING', 'ON', 'NOLOOP'], ['GET', 'l'], ['SET', 'l', '1']);
  await writer.run(['SET', 'l', '2']);
  await resp3.run(['GET', 'l']);
  await writer.run(['SET', 'l', '3']);
  await settle();

  // OPTIN: only after CLIENT CACHING YES, for one command or one transaction.
  await resp3.run(
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN'],
    ['CLIENT', 'CACHING', 'NO'],
    ['GET', 'o1'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'TRACKINGINFO'],
    ['GET', 'o2'],
    ['GET', 'o3'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'GETNAME'],
    ['GET', 'o4'],
    ['CLIENT', 'CACHING', 'YES'],
    ['MULTI'],
    ['GET', 'o5'],
    ['GET', 'o6'],
    ['EXEC'],
    ['GET', 'o7'],
  );
  await writer.run(['MSET', 'o1', '1', 'o2', '1', 'o3', '1', 'o4', '1', 'o5', '1', 'o6', '1']);
  await writer.run(['SET', 'o7', '1']);
  await settle();

  // OPTOUT: everything but a command after CLIENT CACHING NO.
  await resp3.run(
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'CACHING', 'NO'],
    ['CLIENT', 'TRACKINGINFO'],
    ['GET', 'p1'],
    ['GET', 'p2'],
  );
  await writer.run(['MSET', 'p1', '1', 'p2', '1']);
  await settle();

  // BCAST with prefixes: every change under them, a turn's keys together, prefixes in order.
  await resp3.run(
    ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'us'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'item:'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:1'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'zone:'],
    ['CLIENT', 'TRACKINGINFO'],
  );
  await writer.run([
    'MSET',
    'user:2',
    'a',
    'item:9',
    'b',
    'other',
    'c',
    'user:1',
    'd',
    'zone:',
    'e',
  ]);
  await settle();
  await writer.run(['DEL', 'user:2', 'item:9', 'other']);
  await settle();
  await resp3.run(['SET', 'user:3', 'mine']);
  await settle();
  await resp3.run(
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP', 'PREFIX', 'n:'],
    ['SET', 'n:1', 'mine'],
  );
  await settle();
  await writer.run(['SET', 'n:2', 'theirs']);
  await settle();

  // RESP2 with REDIRECT: messages on __redis__:invalidate to a subscribed client.
  const listener = await Peer.open('listener', port, true);
  const resp2 = await Peer.open('resp2', port, true);
  all.push(listener, resp2);
  const listenerId = await learn(listener);
  await listener.run(['SUBSCRIBE', '__redis__:invalidate']);
  await resp2.run(
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(listenerId)],
    ['CLIENT', 'GETREDIR'],
    ['CLIENT', 'TRACKINGINFO'],
    ['GET', 'r'],
    ['MGET', 'r', 's'],
  );
  await writer.run(['SET', 'r', '1'], ['SET', 's', '1']);
  await settle();
  await writer.run(['FLUSHALL']);
  await settle();

  // The client redirected to leaves: RESP2 marks it, RESP3 is told with a push.
  await listener.run(['QUIT']);
  await listener.client.closed;
  await resp2.run(['GET', 'r']);
  await writer.run(['SET', 'r', '2']);
  await settle();
  await resp2.run(['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'GETREDIR']);
  const target = await Peer.open('target', port, true);
  const targetId = await learn(target);
  const redirected = await Peer.open('redirected', port, true);
  all.push(redirected);
  await redirected.run(
    ['HELLO', '3'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(targetId)],
    ['GET', 'q'],
  );
  await target.run(['QUIT']);
  await target.client.closed;
  await writer.run(['SET', 'q', '1']);
  await settle();
  await redirected.run(['CLIENT', 'TRACKINGINFO'], ['RESET'], ['CLIENT', 'TRACKINGINFO']);

  const transcript: string[] = [];
  for (const peer of [...all, target]) {
    for (const frame of peer.frames()) {
      let text = frame;
      if (peer.redirects || /redirect|redir-broken/.test(frame)) {
        ids.forEach((id, i) => {
          text = text.replace(new RegExp(`(^|\n):${id}\r\n`, 'g'), `$1:<client ${i}>\r\n`);
        });
      }
      transcript.push(`${peer.name}: ${text}`);
    }
    peer.client.destroy();
  }
  return transcript;
}

describe.skipIf(!available)('client-side caching against redis-server', () => {
  let redis: ReferenceRedis | undefined;
  let mlcache: TestServer | undefined;

  beforeAll(async () => {
    redis = await startReferenceRedis();
    mlcache = await startTestServer();
  });

  afterAll(async () => {
    redis?.stop();
    await mlcache?.close();
  });

  it('sends the same replies, invalidation pushes and messages on every connection', async () => {
    const expected = await conversation(redis!.port);
    const actual = await conversation(mlcache!.port);
    expect(actual).toEqual(expected);
    expect(expected.length).toBeGreaterThan(150);
    expect(expected.filter((frame) => frame.includes('invalidate')).length).toBeGreaterThan(10);
  });
});
