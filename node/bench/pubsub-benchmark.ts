/**
 * Pub/Sub on mlcache against redis-server (`npm run bench:pubsub`): redis-benchmark sends
 * `PUBLISH bench <100 bytes>` from 50 clients while S subscribers (raw sockets that count what
 * they read) listen on the channel, S = 1 and 10, without pipelining and with -P 16, against a
 * redis-server, an mlcache node, and an mlcache gateway in front of that node (publishers and
 * subscribers both at the gateway), all started here, alternating round by round. Prints the
 * median PUBLISH ops/s of each and mlcache's ratios to redis-server, and checks that every
 * subscriber received every message (a run where one did not fails the benchmark).
 *
 * Options: --rounds N (3), --requests N (100000; the same with -P 16).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import { encodeCommand } from '../src/protocol/resp/encoder.ts';
import {
  benchOptions,
  benchSettings,
  CLIENTS,
  ensureTools,
  median,
  runRedisBenchmark,
  startMlcacheGateway,
  startMlcacheNode,
  startRedisServer,
  VALUE_SIZE,
} from './bench-support.ts';
import type { BenchServer } from './bench-support.ts';

const { values } = parseScriptArgs({ options: benchOptions(100_000, 1) });
const { rounds: ROUNDS, requests: REQUESTS } = benchSettings(values);
const CHANNEL = 'bench';
const MESSAGE = 'x'.repeat(VALUE_SIZE);
/** The bytes of one delivered message frame (RESP2 `message`), to count deliveries by size. */
const FRAME_BYTES =
  `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${VALUE_SIZE}\r\n${MESSAGE}\r\n`
    .length;

/** A subscriber that counts the bytes it reads after its confirmation. */
class CountingSubscriber {
  bytes = 0;
  readonly #socket: Socket;
  constructor(socket: Socket) {
    this.#socket = socket;
  }

  static async open(port: number): Promise<CountingSubscriber> {
    const socket = connect(port, '127.0.0.1');
    const subscriber = new CountingSubscriber(socket);
    const confirmation = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`;
    let skipped = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        const skip = Math.min(chunk.length, confirmation.length - skipped);
        skipped += skip;
        subscriber.bytes += chunk.length - skip;
        if (skipped === confirmation.length) resolve();
      });
      socket.write(encodeCommand(['SUBSCRIBE', CHANNEL]));
    });
    return subscriber;
  }

  get messages(): number {
    return this.bytes / FRAME_BYTES;
  }

  close(): void {
    this.#socket.destroy();
  }
}

async function publishRate(server: BenchServer, subscribers: number, pipeline: number) {
  const listening = await Promise.all(
    Array.from({ length: subscribers }, () => CountingSubscriber.open(server.port)),
  );
  const run = {
    port: server.port,
    test: 'set',
    command: ['PUBLISH', CHANNEL, MESSAGE],
    clients: CLIENTS,
    valueSize: VALUE_SIZE,
    keyspace: 1,
    requests: REQUESTS,
    pipeline,
  } as const;
  const rps = runRedisBenchmark(run, [server.pid]).rps;
  // Every message must reach every subscriber (give the last ones a moment to arrive).
  for (let wait = 0; wait < 100 && listening.some((s) => s.messages < REQUESTS); wait++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const short = listening.filter((s) => s.messages !== REQUESTS);
  for (const subscriber of listening) subscriber.close();
  if (short.length > 0) {
    throw new Error(
      `${server.name}: ${short.length} of ${subscribers} subscribers received ` +
        `${short.map((s) => s.messages).join(', ')} of ${REQUESTS} messages`,
    );
  }
  return rps;
}

ensureTools(['redis-server', 'redis-benchmark'], ['redis-server', 'redis-tools']);
const node = await startMlcacheNode();
const servers = [await startRedisServer(), node, await startMlcacheGateway(node.port)];
try {
  console.log(`${servers.map((s) => s.name).join(' vs ')}, ${ROUNDS} rounds, median PUBLISH ops/s`);
  console.log(
    '| test | redis ops/s | node ops/s | gateway ops/s | node ÷ redis | gateway ÷ redis |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const subscribers of [1, 10]) {
    for (const pipeline of [1, 16]) {
      const samples: number[][] = servers.map(() => []);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, server] of servers.entries()) {
          samples[i]!.push(await publishRate(server, subscribers, pipeline));
        }
      }
      const [redis, direct, gateway] = samples.map(median) as [number, number, number];
      const label =
        `PUBLISH, ${subscribers} subscriber${subscribers === 1 ? '' : 's'}` +
        (pipeline === 1 ? '' : `, -P ${pipeline}`);
      const row = [
        label,
        ...[redis, direct, gateway].map((rate) => rate.toFixed(0)),
        (direct / redis).toFixed(2),
        (gateway / redis).toFixed(2),
      ];
      console.log(`| ${row.join(' | ')} |`);
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
