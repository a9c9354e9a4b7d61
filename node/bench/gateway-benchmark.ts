/**
 * The gateway's overhead (`npm run bench:gateway`): one mlcache node alone, against the same node
 * behind one `mlcache gateway`, on this machine.
 *
 *   1. Installs redis-tools with apt when redis-benchmark is missing.
 *   2. Starts `mlcache node` and `mlcache gateway --nodes <node>` (both on free ports), and loads
 *      the keys redis-benchmark -r uses (key:%012d, 100 bytes) into the node, so GETs hit.
 *   3. Runs redis-benchmark -t get,set -c 50 -d 100 -r 100000, without pipelining and with -P 16,
 *      alternating direct and through-the-gateway round by round, and reports the median ops/s,
 *      p50 and p99 latency, the ratios, and the server CPU time per operation (node, gateway, and
 *      both) from /proc/<pid>/stat.
 *
 * Targets: through the gateway ≥ 0.5 × the node's direct ops/s, and p50 at most 1 ms higher.
 *
 * Options: --rounds N (3), --requests N (100000; x8 with -P 16), --keys N (100000),
 *          --near-cache-keys N (the gateway's default), --markdown (print the table as Markdown).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCommand } from '../src/protocol/resp/encoder.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '100000' },
    keys: { type: 'string', default: '100000' },
    'near-cache-keys': { type: 'string' },
    markdown: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const KEYS = Number(values.keys);
const VALUE_SIZE = 100;
const CLIENTS = 50;
const ROOT = join(import.meta.dirname, '../..');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface Running {
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Server CPU µs per operation: node, gateway (0 when direct). */
  readonly nodeCpu: number;
  readonly gatewayCpu: number;
}

function ensureTools(): void {
  if (spawnSync('which', ['redis-benchmark']).status === 0) return;
  console.log('installing redis-tools (redis-benchmark is missing)');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'redis-tools'], { stdio: 'inherit' });
}

/** Starts an mlcache subcommand and resolves with its `listening` line. */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/mlcache.js'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line === undefined) return;
      const parsed = JSON.parse(line) as { resp: number; pid: number };
      resolve({ port: parsed.resp, pid: parsed.pid, child });
    });
    child.once('exit', (code) => reject(new Error(`mlcache ${args[0]} exited with ${code}`)));
  });
}

function stop(running: Running): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null) return resolve();
    running.child.once('exit', () => resolve());
    running.child.kill('SIGTERM');
  });
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Writes `count` SETs key:%012d -> 100 bytes, pipelined in windows, and waits for the replies. */
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

function benchmark(
  port: number,
  test: 'set' | 'get',
  pipeline: number,
  node: Running,
  gateway?: Running,
): Sample {
  const requests = pipeline > 1 ? REQUESTS * 8 : REQUESTS;
  const args = [
    '-p',
    String(port),
    '-t',
    test,
    '-c',
    String(CLIENTS),
    '-d',
    String(VALUE_SIZE),
  ].concat(['-r', String(KEYS), '-n', String(requests), '-P', String(pipeline), '--csv']);
  const nodeBefore = cpuSeconds(node.pid);
  const gatewayBefore = gateway ? cpuSeconds(gateway.pid) : 0;
  const output = execFileSync('redis-benchmark', args, {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const nodeCpu = cpuSeconds(node.pid) - nodeBefore;
  const gatewayCpu = gateway ? cpuSeconds(gateway.pid) - gatewayBefore : 0;
  const row = output
    .trim()
    .split('\n')
    .at(-1)!
    .split(',')
    .map((cell) => Number(cell.replaceAll('"', '')));
  return {
    rps: row[1]!,
    p50: row[4]!,
    p99: row[6]!,
    nodeCpu: (nodeCpu * 1e6) / requests,
    gatewayCpu: (gatewayCpu * 1e6) / requests,
  };
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
    nodeCpu: median(samples.map((s) => s.nodeCpu)),
    gatewayCpu: median(samples.map((s) => s.gatewayCpu)),
  };
}

ensureTools();
const started: Running[] = [];
process.on('SIGINT', () => void Promise.all(started.map(stop)).then(() => process.exit(130)));
const lines: string[] = [];
const print = (line: string): void => {
  console.log(line);
  lines.push(line);
};
let failed = false;

try {
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  print(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}, load average ${load1}`,
  );
  print(
    `redis-benchmark -c ${CLIENTS} -d ${VALUE_SIZE} -r ${KEYS}, -n ${REQUESTS} (x8 with -P 16), ` +
      `${ROUNDS} rounds alternating, medians`,
  );
  const local = ['--bind', '127.0.0.1', '--port', '0', '--admin-port', '0', '--log-level', 'warn'];
  const node = await start(['node', ...local, '--grpc-port', '0', '--maxmemory', '1gb']);
  started.push(node);
  const nearCache =
    values['near-cache-keys'] === undefined ? [] : ['--near-cache-keys', values['near-cache-keys']];
  const gateway = await start([
    'gateway',
    ...local,
    '--nodes',
    `127.0.0.1:${node.port}`,
    ...nearCache,
  ]);
  started.push(gateway);
  await load(node.port, KEYS);
  print('');
  print(
    '| test | direct ops/s | gateway ops/s | ratio | direct p50/p99 ms | gateway p50/p99 ms | Δp50 ms ' +
      '| direct CPU µs/op | gateway run CPU µs/op (node + gateway) |',
  );
  print('|---|---|---|---|---|---|---|---|---|');
  for (const pipeline of [1, 16]) {
    for (const test of ['set', 'get'] as const) {
      const direct: Sample[] = [];
      const through: Sample[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so that drift on a shared machine hits both alike.
        const runDirect = (): number => direct.push(benchmark(node.port, test, pipeline, node));
        const runGateway = (): number =>
          through.push(benchmark(gateway.port, test, pipeline, node, gateway));
        if (round % 2 === 0) {
          runDirect();
          runGateway();
        } else {
          runGateway();
          runDirect();
        }
      }
      const a = summarize(direct);
      const b = summarize(through);
      const ratio = b.rps / a.rps;
      const delta = b.p50 - a.p50;
      if (ratio < 0.5 || delta > 1) failed = true;
      print(
        `| ${test.toUpperCase()} -P ${pipeline} | ${a.rps.toFixed(0)} | ${b.rps.toFixed(0)} | ${ratio.toFixed(2)} ` +
          `| ${a.p50.toFixed(3)} / ${a.p99.toFixed(3)} | ${b.p50.toFixed(3)} / ${b.p99.toFixed(3)} | ${delta.toFixed(3)} ` +
          `| ${a.nodeCpu.toFixed(2)} | ${(b.nodeCpu + b.gatewayCpu).toFixed(2)} (${b.nodeCpu.toFixed(2)} + ${b.gatewayCpu.toFixed(2)}) |`,
      );
    }
  }
  print('');
  print(`targets (ratio >= 0.5, Δp50 <= 1 ms): ${failed ? 'MISSED' : 'met'}`);
} finally {
  await Promise.all(started.map(stop));
}
if (values.markdown) console.log(`\n${lines.join('\n')}`);
