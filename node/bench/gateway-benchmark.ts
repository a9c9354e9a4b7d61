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
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import {
  ROOT,
  ensureTools,
  loadKeys,
  medians,
  runRedisBenchmark,
  startListening,
  stopChild,
  benchOptions,
  benchSettings,
  CLIENTS,
  VALUE_SIZE,
} from './bench-support.ts';

const { values } = parseScriptArgs({
  options: {
    ...benchOptions(100_000, 100_000),
    'near-cache-keys': { type: 'string' },
  },
});
const { rounds: ROUNDS, requests: REQUESTS, keys: KEYS } = benchSettings(values);

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

/** Starts an mlcache subcommand and resolves with its `listening` line. */
async function start(args: string[]): Promise<Running> {
  const cli = [join(ROOT, 'bin/mlcache.js'), ...args];
  const { child, line } = await startListening(cli, `mlcache ${args[0]}`);
  return { port: line.resp!, pid: line.pid!, child };
}

function stop(running: Running): Promise<void> {
  return stopChild(running.child);
}

function benchmark(
  port: number,
  test: 'set' | 'get',
  pipeline: number,
  node: Running,
  gateway?: Running,
): Sample {
  const requests = pipeline > 1 ? REQUESTS * 8 : REQUESTS;
  const run = { port, test, clients: CLIENTS, valueSize: VALUE_SIZE, keyspace: KEYS, requests };
  const pids = gateway ? [node.pid, gateway.pid] : [node.pid];
  const { rps, p50, p99, cpuSeconds } = runRedisBenchmark({ ...run, pipeline }, pids);
  return {
    rps,
    p50,
    p99,
    nodeCpu: (cpuSeconds[0]! * 1e6) / requests,
    gatewayCpu: ((cpuSeconds[1] ?? 0) * 1e6) / requests,
  };
}

ensureTools(['redis-benchmark'], ['redis-tools']);
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
  await loadKeys(node.port, KEYS, VALUE_SIZE);
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
      const a = medians(direct);
      const b = medians(through);
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
