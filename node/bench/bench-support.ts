/**
 * What the redis-benchmark driven benchmarks share (`redis-benchmark.ts`, `gateway-benchmark.ts`,
 * `ml-benchmark.ts`, `eval-benchmark.ts`, `pubsub-benchmark.ts`): their common options and load
 * shape, installing the tools, starting mlcache processes and a reference redis-server, loading
 * keys, running redis-benchmark and reading its CSV, sampling a server's CPU time from /proc, and
 * taking medians.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { encodeCommand } from '../src/protocol/resp/encoder.ts';

/** The repository's root, where the benchmarks start their processes. */
export const ROOT = join(import.meta.dirname, '../..');
/** redis-benchmark's value size (-d) and clients (-c) in every benchmark here. */
export const VALUE_SIZE = 100;
export const CLIENTS = 50;

/**
 * The options every redis-benchmark benchmark takes (`--rounds`, `--requests`, `--keys`,
 * `--markdown`), with its own defaults; spread into its `parseArgs` options beside its own.
 */
export function benchOptions(requests: number, keys: number) {
  return {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: String(requests) },
    keys: { type: 'string', default: String(keys) },
    markdown: { type: 'boolean', default: false },
  } as const;
}

/** Those options' values as numbers. */
export function benchSettings(values: {
  readonly rounds: string;
  readonly requests: string;
  readonly keys: string;
}): { readonly rounds: number; readonly requests: number; readonly keys: number } {
  return {
    rounds: Number(values.rounds),
    requests: Number(values.requests),
    keys: Number(values.keys),
  };
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** Installs `packages` with apt when one of the `tools` is not on PATH. */
export function ensureTools(tools: readonly string[], packages: readonly string[]): void {
  const missing = tools.filter((tool) => spawnSync('which', [tool]).status !== 0);
  if (missing.length === 0) return;
  console.log(`installing ${packages.join(' and ')} (missing: ${missing.join(', ')})`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit' });
}

/**
 * Starts `node <args>` in the root, a process that prints the node's `listening` JSON line;
 * resolves with that line, rejects (naming it `name`) if the process exits first.
 */
export function startListening(
  args: string[],
  name = args.join(' '),
): Promise<{ child: ChildProcess; line: Record<string, number> }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve({ child, line: JSON.parse(line) as Record<string, number> });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

/** Sends SIGTERM to `child` (unless it already exited) and resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** User plus system CPU time of process `pid` so far, in seconds (from /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * The same for the main thread of process `pid` alone (its thread id is the pid): the thread
 * that serves every request of a node, without its GC helpers and training worker.
 */
export function mainThreadCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuSeconds(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Writes `count` SETs key:%012d -> `valueSize` bytes (the names redis-benchmark -r uses),
 * pipelined in windows, and waits for every reply.
 */
export async function loadKeys(port: number, count: number, valueSize: number): Promise<void> {
  const value = Buffer.alloc(valueSize, 'x');
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

/** One redis-benchmark run: `-p port -t test -c clients -d valueSize -r keyspace -n requests -P pipeline`. */
export interface RedisBenchmarkRun {
  readonly port: number;
  /** `-t` test; ignored when `command` is given. */
  readonly test: 'set' | 'get';
  /** A command to run instead of a `-t` test (redis-benchmark's trailing arguments). */
  readonly command?: readonly string[];
  readonly clients: number;
  readonly valueSize: number;
  readonly keyspace: number;
  readonly requests: number;
  readonly pipeline: number;
}

export interface RedisBenchmarkResult {
  readonly rps: number;
  /** Latency percentiles in ms, as redis-benchmark reports them. */
  readonly p50: number;
  readonly p99: number;
  /** The CPU seconds each of the sampled processes used during the run, in their order. */
  readonly cpuSeconds: number[];
}

/** Runs redis-benchmark (CSV output) and samples the CPU time of the processes `pids`. */
export function runRedisBenchmark(
  run: RedisBenchmarkRun,
  pids: readonly number[],
): RedisBenchmarkResult {
  const test = run.command === undefined ? ['-t', run.test] : [];
  const args = ['-p', String(run.port), ...test, '-c', String(run.clients)].concat([
    '-d',
    String(run.valueSize),
    '-r',
    String(run.keyspace),
    '-n',
    String(run.requests),
    '-P',
    String(run.pipeline),
    '--csv',
    ...(run.command ?? []),
  ]);
  const before = pids.map(cpuSeconds);
  const output = execFileSync('redis-benchmark', args, {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const used = pids.map((pid, i) => cpuSeconds(pid) - before[i]!);
  // Quoted cells: a command's name may hold commas (EVAL of a script).
  const last = output.trim().split('\n').at(-1)!;
  const row = [...last.matchAll(/"([^"]*)"/g)].map((match) => Number(match[1]));
  return { rps: row[1]!, p50: row[4]!, p99: row[6]!, cpuSeconds: used };
}

export function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median of each field over `samples`, which must not be empty. */
export function medians<T extends Record<keyof T, number>>(samples: readonly T[]): T {
  const out: Record<string, number> = {};
  for (const key of Object.keys(samples[0]!)) {
    out[key] = median(samples.map((sample) => sample[key as keyof T]));
  }
  return out as T;
}

/** A TCP port free on 127.0.0.1 now (for a server the benchmark starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Resolves once a server on `port` answers PING (20 s at most). */
export async function waitForPing(port: number): Promise<void> {
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

/** A server a benchmark started, to drive and stop. */
export interface BenchServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A redis-server on a free port, without persistence: the reference of a run. */
export async function startRedisServer(): Promise<BenchServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  await waitForPing(port);
  const version = execFileSync('redis-server', ['--version']).toString().split(' ')[2] ?? '';
  return { name: `redis-server ${version}`, port, pid: child.pid!, stop: () => stopChild(child) };
}

/** An mlcache node on a free port with a 1 GB budget (no eviction at these loads). */
export async function startMlcacheNode(): Promise<BenchServer> {
  return startMlcache('mlcache node', ['node', '--grpc-port', '0', '--maxmemory', '1gb']);
}

/** An mlcache gateway on a free port in front of the node on `nodePort`. */
export async function startMlcacheGateway(nodePort: number): Promise<BenchServer> {
  return startMlcache('mlcache gateway', ['gateway', '--nodes', `127.0.0.1:${nodePort}`]);
}

async function startMlcache(name: string, args: readonly string[]): Promise<BenchServer> {
  const port = await freePort();
  const { child, line } = await startListening([
    'bin/mlcache.js',
    ...args,
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--admin-port',
    '0',
    '--log-level',
    'warn',
  ]);
  await waitForPing(port);
  return { name, port, pid: line.pid ?? child.pid!, stop: () => stopChild(child) };
}
