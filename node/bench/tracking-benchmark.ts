/**
 * Client-side caching on mlcache against redis-server (`npm run bench:tracking`): what CLIENT
 * TRACKING costs the reads it remembers, and the writes that invalidate them.
 *
 * 20 RESP3 connections read random keys of 100,000 (100-byte values), 16 GETs in flight each,
 * for `--seconds` per measurement, in three settings: tracking off; tracking on (every GET
 * remembers its key for its connection); and tracking on while one more connection SETs random
 * keys at 10,000 a second (each SET invalidates the key for the readers that read it). The same
 * driver runs against a redis-server, an mlcache node, and an mlcache gateway in front of that
 * node, alternating round by round; it prints the median GETs per second, mlcache's ratios to
 * redis-server, and each server's rate with tracking on against its rate with it off. It checks
 * that invalidations arrived where writes were made.
 *
 * Options: --rounds N (3), --seconds S (3).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import { encodeCommand, encodePipeline } from '../src/protocol/resp/encoder.ts';
import { parseReplies } from '../src/protocol/resp/reply-parser.ts';
import {
  ensureTools,
  loadKeys,
  median,
  startMlcacheGateway,
  startMlcacheNode,
  startRedisServer,
  VALUE_SIZE,
} from './bench-support.ts';
import type { BenchServer } from './bench-support.ts';

const { values } = parseScriptArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '3' } },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const KEYS = 100_000;
const READERS = 20;
const DEPTH = 16;
const WRITES_PER_SECOND = 10_000;

type Setting = 'off' | 'on' | 'on+writes';

/** A RESP3 connection that counts replies and invalidation pushes apart. */
class Counter {
  replies = 0;
  pushes = 0;
  readonly socket: Socket;
  #pending: Buffer = Buffer.alloc(0);
  #waiting: { count: number; resolve: () => void } | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }

  static async open(port: number, tracking: boolean): Promise<Counter> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const counter = new Counter(socket);
    const setup = [['HELLO', '3'], ...(tracking ? [['CLIENT', 'TRACKING', 'ON']] : [])];
    await counter.send(encodePipeline(setup), setup.length);
    return counter;
  }

  /** Sends `bytes` and resolves once `count` more replies have come. */
  send(bytes: Buffer, count: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = { count: this.replies + count, resolve };
      this.socket.write(bytes);
    });
  }

  #read(chunk: Buffer): void {
    const bytes = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const { values: frames, consumed } = parseReplies(bytes);
    this.#pending = bytes.subarray(consumed);
    // A push parses as an array led by `invalidate`; HELLO's map as one led by `server`.
    for (const frame of frames) {
      const head: unknown = Array.isArray(frame) ? frame[0] : undefined;
      if (Buffer.isBuffer(head) && head.toString('latin1') === 'invalidate') this.pushes++;
      else this.replies++;
    }
    const waiting = this.#waiting;
    if (waiting !== undefined && this.replies >= waiting.count) {
      this.#waiting = undefined;
      waiting.resolve();
    }
  }
}

/** One of the keys loadKeys wrote, at random. */
function randomKey(): string {
  return `key:${String(Math.floor(Math.random() * KEYS)).padStart(12, '0')}`;
}

function randomGets(): Buffer {
  const commands: string[][] = [];
  for (let i = 0; i < DEPTH; i++) commands.push(['GET', randomKey()]);
  return encodePipeline(commands);
}

/** GETs per second over SECONDS with the setting; and the invalidations the readers got. */
async function measure(server: BenchServer, setting: Setting) {
  const readers = await Promise.all(
    Array.from({ length: READERS }, () => Counter.open(server.port, setting !== 'off')),
  );
  const writer = setting === 'on+writes' ? await Counter.open(server.port, false) : undefined;
  const value = 'w'.repeat(VALUE_SIZE);
  const end = Date.now() + SECONDS * 1000;
  let reads = 0;
  const loops = readers.map(async (reader) => {
    while (Date.now() < end) {
      await reader.send(randomGets(), DEPTH);
      reads += DEPTH;
    }
  });
  const writes = (async () => {
    if (writer === undefined) return;
    const perTick = WRITES_PER_SECOND / 100;
    while (Date.now() < end) {
      const tick = Date.now();
      const sets = Array.from({ length: perTick }, () =>
        encodeCommand(['SET', randomKey(), value]),
      );
      await writer.send(Buffer.concat(sets), perTick);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10 - (Date.now() - tick))));
    }
  })();
  await Promise.all([...loops, writes]);
  const pushes = readers.reduce((sum, reader) => sum + reader.pushes, 0);
  for (const connection of [...readers, ...(writer ? [writer] : [])]) connection.socket.destroy();
  if (setting === 'on+writes' && pushes === 0)
    throw new Error(`${server.name}: writes were made but no reader was told`);
  return { rate: reads / SECONDS, pushes };
}

ensureTools(['redis-server'], ['redis-server']);
const node = await startMlcacheNode();
const servers = [await startRedisServer(), node, await startMlcacheGateway(node.port)];
try {
  for (const server of servers) await loadKeys(server.port, KEYS, VALUE_SIZE);
  console.log(
    `${servers.map((s) => s.name).join(' vs ')}: ${READERS} readers × ${DEPTH} GETs in flight, ` +
      `${KEYS} keys, ${ROUNDS} rounds of ${SECONDS} s, median GETs/s`,
  );
  console.log(
    '| tracking | redis GETs/s | node GETs/s | gateway GETs/s | node ÷ redis | gateway ÷ redis | ' +
      'invalidations (redis / node / gateway) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  const rates = new Map<Setting, number[]>();
  for (const setting of ['off', 'on', 'on+writes'] as const) {
    const samples = servers.map(() => [] as number[]);
    const pushes = servers.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, server] of servers.entries()) {
        const result = await measure(server, setting);
        samples[i]!.push(result.rate);
        pushes[i]!.push(result.pushes);
      }
    }
    const medians = samples.map(median);
    rates.set(setting, medians);
    const [redis, direct, gateway] = medians as [number, number, number];
    console.log(
      `| ${setting} | ${[redis, direct, gateway].map((r) => r.toFixed(0)).join(' | ')} | ` +
        `${(direct / redis).toFixed(2)} | ${(gateway / redis).toFixed(2)} | ` +
        `${pushes.map((p) => median(p).toFixed(0)).join(' / ')} |`,
    );
  }
  const off = rates.get('off')!;
  for (const setting of ['on', 'on+writes'] as const) {
    const ratios = rates.get(setting)!.map((rate, i) => (rate / off[i]!).toFixed(2));
    console.log(`${setting} ÷ off: redis ${ratios[0]}, node ${ratios[1]}, gateway ${ratios[2]}`);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
