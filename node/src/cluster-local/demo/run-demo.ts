import type { Clock } from '../../util/clock.ts';
import { DemoProcess, describeExit, tail } from './demo-process.ts';
import type { DemoOptions } from './demo-options.ts';
import { countersFromInfo, formatTable, policyRow, sizeInBytes } from './demo-report.ts';
import type { NodeCounters, PolicyRow } from './demo-report.ts';
import { replay } from './replay.ts';
import { HOST, startDemoSystem } from './start-demo.ts';
import type { Track } from './start-demo.ts';
import { infoFields, RespClient } from './resp-client.ts';
import { createWorkload, WORKLOAD_DEFAULTS } from './workload.ts';

/**
 * `mlcache demo`: starts the scorer, one node per policy (same budget), and a gateway in mirror
 * mode (the first policy's node is the primary pool, every other node a mirror, so each sees the
 * same requests in the same order); replays the workload through the gateway; prints the table
 * and the endpoints; then serves until stopped. Every process it starts is stopped before it
 * returns, whatever happens (gateway first, then the nodes, then the scorer).
 */
export interface DemoIo {
  readonly clock: Clock;
  /** A line for the user (stdout). */
  readonly print: (line: string) => void;
  /** Why the demo failed (stderr). */
  readonly error: (line: string) => void;
  /** Ctrl-C / SIGTERM. */
  readonly stop: AbortSignal;
  /** Each process as it starts, so that the caller can kill it if the demo itself dies. */
  readonly started: (process: DemoProcess) => void;
}

const STOP_GRACE_MS = 10_000;

/** Resolves to the exit status: 0 done, 1 a process failed or died, 130 stopped before the table. */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<number> {
  const processes: DemoProcess[] = [];
  const track = (started: { process: DemoProcess; listening: Record<string, unknown> }) => {
    processes.push(started.process);
    io.started(started.process);
    return started.listening;
  };
  try {
    return await demo(options, io, track, processes);
  } catch (error) {
    if (error instanceof Interrupted) {
      io.print('Interrupted; stopping.');
      return 130;
    }
    io.error(`mlcache demo: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await stopAll(processes, io.print);
  }
}

class Interrupted extends Error {}

async function demo(
  options: DemoOptions,
  io: DemoIo,
  track: Track,
  processes: readonly DemoProcess[],
): Promise<number> {
  const checkStop = (): void => {
    if (io.stop.aborted) throw new Interrupted();
  };
  const { gateway, pools, scorer, learned } = await startDemoSystem(options, {
    print: io.print,
    track,
    checkStop,
  });

  // A process that dies from now on ends the demo with status 1.
  const died = Promise.race(processes.map((p) => p.exited.then(() => p)));
  const before = await Promise.all(pools.map((node) => counters(node.resp)));
  const budget = sizeInBytes(options.maxmemory);
  const meanValue =
    (WORKLOAD_DEFAULTS.maxValueSize - WORKLOAD_DEFAULTS.minValueSize) /
    Math.log(WORKLOAD_DEFAULTS.maxValueSize / WORKLOAD_DEFAULTS.minValueSize);
  const workingSet = WORKLOAD_DEFAULTS.keys * (meanValue + 8 + 112);
  io.print(
    `Replaying ${options.requests} requests through the gateway (GET key, then SET key value NX: ` +
      `each node fills its own misses): seed ${options.seed}, ${WORKLOAD_DEFAULTS.keys} keys ` +
      `(~${mb(workingSet)} MB, ${(workingSet / budget).toFixed(1)}x the budget), one-hit wonders ` +
      `and scans; maxmemory ${options.maxmemory} on every node; ${options.connections} ` +
      'pipelined connections...',
  );
  const workload = createWorkload({ seed: options.seed });
  const replayed = replay({
    host: HOST,
    port: gateway.resp,
    workload,
    requests: options.requests,
    durationMs: options.durationMs,
    connections: options.connections,
    clock: io.clock,
    signal: io.stop,
    progress: (sent) => io.print(`  ${sent} / ${options.requests}`),
  });
  const first = await Promise.race([replayed, died]);
  if (first instanceof DemoProcess) throw deathError(first);
  checkStop();
  const result = first;
  const mirrorReport = await settledMirrors(gateway.admin, io.clock);
  const after = await Promise.all(pools.map((node) => counters(node.resp)));

  const byName = new Map(mirrorReport.mirrors.map((m) => [m.name, m]));
  const rows: PolicyRow[] = pools.map((node, i) => {
    const mirror = byName.get(node.policy);
    return policyRow(
      node.policy,
      i === 0 ? 'primary' : 'mirror',
      before[i]!,
      after[i]!,
      i === 0 ? mirrorReport.primary : (mirror ?? { p50Ms: null, p99Ms: null }),
      i === 0 ? null : (mirror?.errors ?? null),
    );
  });
  const seconds = result.elapsedMs / 1000;
  io.print('');
  io.print(
    `${result.gets} GETs + ${result.gets} SET NX in ${seconds.toFixed(1)} s ` +
      `(${Math.round((2 * result.gets) / seconds)} commands/s through the gateway, each also sent ` +
      `to the ${pools.length - 1} mirrors); client-side errors: ${result.errors}.`,
  );
  io.print('');
  io.print(formatTable(rows));
  io.print('');
  io.print(
    "hit ratio and evictions: each node's INFO (keyspace_hits/misses, evicted_keys) over the " +
      'replay; p50/p99: round trip gateway -> node -> gateway (GET /v1/mirror).',
  );
  const mirrorErrors = rows.reduce((sum, row) => sum + (row.errors ?? 0), 0);
  if (mirrorErrors > 0 || result.errors > 0) {
    io.print(`warning: ${mirrorErrors} mirror errors, ${result.errors} client errors.`);
  }
  io.print('');
  io.print('Endpoints (127.0.0.1):');
  io.print(
    `  gateway  redis-cli -p ${gateway.resp}   admin http://${HOST}:${gateway.admin}/metrics  /v1/mirror`,
  );
  for (const node of pools) {
    io.print(
      `  ${`node ${node.policy}`.padEnd(12)} resp ${node.resp}   admin http://${HOST}:${node.admin}/metrics`,
    );
  }
  if (scorer !== undefined) {
    io.print(`  scorer       grpc ${scorer.grpc}   admin http://${HOST}:${scorer.admin}/metrics`);
  } else if (learned) {
    io.print('  scorer       none (the ML nodes score locally)');
  }
  if (options.noWait) return 0;
  io.print('');
  io.print('Ctrl-C to stop.');
  const stopped = new Promise<'stopped'>((resolveStop) => {
    if (io.stop.aborted) resolveStop('stopped');
    io.stop.addEventListener('abort', () => resolveStop('stopped'), { once: true });
  });
  const end = await Promise.race([stopped, died]);
  if (end instanceof DemoProcess) {
    io.error(`mlcache demo: ${deathError(end).message}`);
    return 1;
  }
  io.print('Stopping.');
  return 0;
}

function deathError(process: DemoProcess): Error {
  return new Error(
    `${process.name} (pid ${process.pid}) stopped unexpectedly; the end of ${process.log}:\n` +
      tail(process.log),
  );
}

/** Stops the gateway first (clients are told), then the nodes, then the scorer. */
async function stopAll(
  processes: readonly DemoProcess[],
  print: (line: string) => void,
): Promise<void> {
  const order = (p: DemoProcess): number =>
    p.name === 'gateway' ? 0 : p.name === 'scorer' ? 2 : 1;
  for (const rank of [0, 1, 2]) {
    const group = processes.filter((p) => order(p) === rank && p.running);
    const exits = await Promise.all(group.map((p) => p.stop(STOP_GRACE_MS)));
    exits.forEach((exit, i) => {
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') {
        print(`note: ${group[i]!.name} ${describeExit(exit)} on stop.`);
      }
    });
  }
}

async function counters(port: number): Promise<NodeCounters> {
  const client = await RespClient.connect(HOST, port);
  try {
    const info = await client.command('INFO', 'stats');
    if (typeof info !== 'string') throw new Error(`INFO on port ${port} failed`);
    return countersFromInfo(infoFields(info));
  } finally {
    client.close();
  }
}

interface MirrorBody {
  readonly primary: { readonly p50Ms: number | null; readonly p99Ms: number | null };
  readonly mirrors: readonly {
    readonly name: string;
    readonly inflight: number;
    readonly errors: number;
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
  }[];
}

/** GET /v1/mirror once every mirror has answered everything (the replay's tail). */
async function settledMirrors(admin: number, clock: Clock): Promise<MirrorBody> {
  const deadline = clock.monotonic() + 30_000;
  for (;;) {
    const response = await fetch(`http://${HOST}:${admin}/v1/mirror`);
    const body = (await response.json()) as MirrorBody;
    if (body.mirrors.every((m) => m.inflight === 0) || clock.monotonic() > deadline) return body;
    await sleep(50);
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
