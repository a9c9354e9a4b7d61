/**
 * mlcache against redis-server with redis-benchmark (`npm run bench:node`), on this machine.
 *
 *   1. Installs redis-server and redis-tools with apt when they are missing.
 *   2. Starts redis-server (--save '' --appendonly no, the same maxmemory, allkeys-lru) and an
 *      mlcache node (`mlcache node`, or node/bench/resp-server-standalone.ts while the node's CLI
 *      does not open its RESP port), for each durability mode asked for.
 *   3. Loads the same 1,000,000 keys of 100 bytes into each (pipelined SETs of key:%012d, the
 *      names redis-benchmark -r uses) and reports the resident-memory growth per key.
 *   4. Runs redis-benchmark SET and GET, 50 clients, -d 100, -r 1000000, without pipelining and
 *      with -P 16, alternating the two servers round by round, and reports the median ops/s,
 *      p50/p99 latency and server CPU time per operation (from /proc/<pid>/stat), and the ratios.
 *
 * Options: --rounds N (3), --requests N (300000; x8 with -P 16), --durability none,async
 *          (add `front-end` for the RESP front end over a store that holds nothing: the cost of
 *          the protocol, dispatch and sockets alone), --keys N (1000000), --markdown.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCommand } from '../src/protocol/resp/encoder.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '300000' },
    durability: { type: 'string', default: 'none,async' },
    keys: { type: 'string', default: '1000000' },
    markdown: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const KEYS = Number(values.keys);
const MODES = String(values.durability).split(',');
const VALUE_SIZE = 100;
const CLIENTS = 50;
const MAXMEMORY = '1gb';
const ROOT = join(import.meta.dirname, '../..');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface Running {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly how: string;
  stop(): Promise<void>;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerOp: number;
}

function ensureTools(): void {
  const missing = ['redis-server', 'redis-benchmark'].filter(
    (tool) => spawnSync('which', [tool]).status !== 0,
  );
  if (missing.length === 0) return;
  console.log(`installing redis-server and redis-tools (missing: ${missing.join(', ')})`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'redis-server', 'redis-tools'], { stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => socket.write(encodeCommand(['PING'])));
      socket.on('data', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing answers PING on port ${port}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

async function startRedis(): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
      '--maxmemory',
      MAXMEMORY,
      '--maxmemory-policy',
      'allkeys-lru',
    ]),
    { stdio: 'ignore' },
  );
  await waitForPing(port);
  const version = execFileSync('redis-server', ['--version']).toString().split(' ')[2] ?? '';
  return {
    name: 'redis',
    port,
    pid: child.pid!,
    how: `redis-server ${version}`,
    stop: stopper(child),
  };
}

/** Starts a process that prints the node's `listening` JSON line; resolves with it. */
function startListening(
  args: string[],
): Promise<{ child: ChildProcess; line: Record<string, number> }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve({ child, line: JSON.parse(line) as Record<string, number> });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function startMlcache(durability: string, dataDir: string): Promise<Running> {
  const port = await freePort();
  if (durability === 'front-end') {
    const flags = ['--port', String(port), '--bind', '127.0.0.1', '--store', 'constant'];
    const { child } = await startListening(['node/bench/resp-server-standalone.ts', ...flags]);
    await waitForPing(port);
    const how = 'resp-server-standalone.ts --store constant';
    return { name: 'mlcache front end only', port, pid: child.pid!, how, stop: stopper(child) };
  }
  const flags = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--maxmemory',
    MAXMEMORY,
    '--durability',
    durability,
  ];
  if (durability !== 'none') flags.push('--data-dir', dataDir);
  const name = `mlcache ${durability}`;
  try {
    const cli = [
      'bin/mlcache.js',
      'node',
      ...flags,
      '--admin-port',
      '0',
      '--grpc-port',
      '0',
      '--log-level',
      'warn',
    ];
    const { child, line } = await startListening(cli);
    if (line.resp === port) {
      await waitForPing(port);
      return {
        name,
        port,
        pid: line.pid ?? child.pid!,
        how: 'mlcache node (CLI)',
        stop: stopper(child),
      };
    }
    await stopper(child)();
  } catch {
    // The node's CLI cannot serve RESP (yet): fall back to the standalone front end.
  }
  const { child } = await startListening(['node/bench/resp-server-standalone.ts', ...flags]);
  await waitForPing(port);
  return { name, port, pid: child.pid!, how: 'resp-server-standalone.ts', stop: stopper(child) };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Writes `count` SETs key:%012d -> 100 bytes, pipelined in windows, and waits for every reply. */
async function load(port: number, count: number): Promise<void> {
  const value = Buffer.alloc(VALUE_SIZE, 'x');
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let replies = 0;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 0x0a) replies++;
      if (replies >= count) resolve();
    });
  });
  const WINDOW = 1000;
  for (let sent = 0; sent < count; sent += WINDOW) {
    const batch: Buffer[] = [];
    for (let i = sent; i < Math.min(count, sent + WINDOW); i++) {
      batch.push(encodeCommand(['SET', `key:${String(i).padStart(12, '0')}`, value]));
    }
    if (!socket.write(Buffer.concat(batch)))
      await new Promise((resolve) => socket.once('drain', resolve));
    while (replies < sent - 20 * WINDOW) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await done;
  socket.destroy();
}

function benchmark(server: Running, test: 'set' | 'get', pipeline: number): Sample {
  const requests = pipeline > 1 ? REQUESTS * 8 : REQUESTS;
  const args = [
    '-p',
    String(server.port),
    '-t',
    test,
    '-c',
    String(CLIENTS),
    '-d',
    String(VALUE_SIZE),
  ].concat(['-r', '1000000', '-n', String(requests), '-P', String(pipeline), '--csv']);
  const before = cpuSeconds(server.pid);
  const output = execFileSync('redis-benchmark', args, {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const cpu = cpuSeconds(server.pid) - before;
  const row = output
    .trim()
    .split('\n')
    .at(-1)!
    .split(',')
    .map((cell) => Number(cell.replaceAll('"', '')));
  return { rps: row[1]!, p50: row[4]!, p99: row[6]!, cpuUsPerOp: (cpu * 1e6) / requests };
}

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function summarize(samples: Sample[]): Sample {
  return {
    rps: median(samples.map((s) => s.rps)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    cpuUsPerOp: median(samples.map((s) => s.cpuUsPerOp)),
  };
}

ensureTools();
const started: Running[] = [];
const stopAll = async (): Promise<void> => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

const lines: string[] = [];
const print = (line: string): void => {
  console.log(line);
  lines.push(line);
};

try {
  print(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  print(
    `redis-benchmark -c ${CLIENTS} -d ${VALUE_SIZE} -r 1000000, -n ${REQUESTS} (x8 with -P 16), ${ROUNDS} rounds, medians`,
  );
  const redis = await startRedis();
  started.push(redis);
  const redisRss = rssBytes(redis.pid);
  await load(redis.port, KEYS);
  const redisPerKey = (rssBytes(redis.pid) - redisRss) / KEYS;

  for (const mode of MODES) {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlcache-bench-'));
    const mlcache = await startMlcache(mode, dataDir);
    started.push(mlcache);
    const rss = rssBytes(mlcache.pid);
    await load(mlcache.port, KEYS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const perKey = (rssBytes(mlcache.pid) - rss) / KEYS;
    print('');
    print(`## ${mlcache.name} (${mlcache.how}) vs ${redis.how}`);
    print(
      `memory: RSS growth per key after loading ${KEYS} keys of ${VALUE_SIZE} B: ` +
        `mlcache ${perKey.toFixed(0)} B, redis ${redisPerKey.toFixed(0)} B (x${(perKey / redisPerKey).toFixed(2)})`,
    );
    print('');
    print(
      '| test | redis ops/s | mlcache ops/s | ratio | redis p50/p99 ms | mlcache p50/p99 ms | p99 ratio | redis CPU µs/op | mlcache CPU µs/op |',
    );
    print('|---|---|---|---|---|---|---|---|---|');
    for (const pipeline of [1, 16]) {
      for (const test of ['set', 'get'] as const) {
        const ours: Sample[] = [];
        const theirs: Sample[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate who goes first, so that drift on a shared machine hits both alike.
          if (round % 2 === 0) {
            theirs.push(benchmark(redis, test, pipeline));
            ours.push(benchmark(mlcache, test, pipeline));
          } else {
            ours.push(benchmark(mlcache, test, pipeline));
            theirs.push(benchmark(redis, test, pipeline));
          }
        }
        const a = summarize(theirs);
        const b = summarize(ours);
        print(
          `| ${test.toUpperCase()} -P ${pipeline} | ${a.rps.toFixed(0)} | ${b.rps.toFixed(0)} | ${(b.rps / a.rps).toFixed(2)} ` +
            `| ${a.p50.toFixed(3)} / ${a.p99.toFixed(3)} | ${b.p50.toFixed(3)} / ${b.p99.toFixed(3)} | ${(b.p99 / a.p99).toFixed(2)} ` +
            `| ${a.cpuUsPerOp.toFixed(2)} | ${b.cpuUsPerOp.toFixed(2)} |`,
        );
      }
    }
    await mlcache.stop();
    started.splice(started.indexOf(mlcache), 1);
    rmSync(dataDir, { recursive: true, force: true });
  }
} finally {
  await stopAll();
}
if (values.markdown) console.log(`\n${lines.join('\n')}`);
