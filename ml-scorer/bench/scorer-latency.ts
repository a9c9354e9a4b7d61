/**
 * What a remote Score costs compared with scoring in the node's own process. The scorer runs as
 * its own process (`mlcache scorer --model …`, spawned here), and the node's client
 * (node/src/scorer-client) sends Score RPCs of 16-row batches one after another, as a node's
 * learned policy does when its candidate pool runs low. Reports:
 *
 * - latency per RPC, p50 and p99, in µs (wall time: disturbed by other jobs on a shared machine);
 * - CPU per batch in µs: the client's (process.cpuUsage) and the scorer's (/proc/<pid>/stat,
 *   10 ms ticks, fine over tens of thousands of calls);
 * - the same batch scored in process by FlatEnsemble (CPU per batch), and the ratio.
 *
 *   node_modules/node/bin/node ml-scorer/bench/scorer-latency.ts [--batches 20000] [--rows 16]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import { FEATURE_COUNT } from '../../node/src/policy/features.ts';
import { FlatEnsemble } from '../../node/src/policy/tree-model.ts';
// The benchmark measures the node's client against the scorer; the scorer itself never imports it.
// eslint-disable-next-line import-x/no-restricted-paths
import { createScorerClient } from '../../node/src/scorer-client/scorer-client.ts';
import { createSystemClock } from '../../node/src/util/clock.ts';
import { createLogger } from '../../node/src/util/logger.ts';
import { exportOnnx } from '../src/export/onnx-export.ts';
import { ONLINE_GBDT_PARAMS } from '../src/learn/online-gbdt-params.ts';
import { trainGbdt } from '../src/train/gbdt.ts';
import { syntheticData } from '../src/train/synthetic-data.ts';

const { values } = parseScriptArgs({
  options: {
    batches: { type: 'string', default: '20000' },
    rows: { type: 'string', default: '16' },
  },
});
const BATCHES = Number(values.batches);
const ROWS = Number(values.rows);
const F = FEATURE_COUNT;

const data = syntheticData(16_384, F, 11);
const model = trainGbdt(data.rows, data.labels, F, { ...ONLINE_GBDT_PARAMS, seed: 5 });
const dir = mkdtempSync(join(tmpdir(), 'mlcache-scorer-bench-'));
const modelPath = join(dir, 'model.onnx');
writeFileSync(
  modelPath,
  exportOnnx(model, { modelId: 'bench', trainedAt: '', trainingRows: 16_384, trainerParams: {} }),
);

const bin = join(import.meta.dirname, '../../bin/mlcache.js');
const child = spawn(
  process.execPath,
  [bin, 'scorer', '--port', '0', '--admin-port', '0', '--model', modelPath, '--log-level', 'warn'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const listening = await new Promise<{ grpc: number; pid: number }>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const end = out.indexOf('\n');
    if (end !== -1) resolve(JSON.parse(out.slice(0, end)) as { grpc: number; pid: number });
  });
  child.once('exit', (code) => reject(new Error(`the scorer exited with ${code}`)));
});

/** The scorer process's CPU time in µs (user + system), from /proc. */
function serverCpuUs(): number {
  const stat = readFileSync(`/proc/${listening.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted after the command name: indices 11, 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}
const clientCpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const clock = createSystemClock();
const client = createScorerClient({
  address: `127.0.0.1:${listening.grpc}`,
  deadlineMs: 1000,
  logger: createLogger({ level: 'warn', clock, write: (line) => process.stderr.write(line) }),
  node: 'bench',
  base: 'lru',
});
const probe = syntheticData(1024, F, 12).rows;
const batchAt = (i: number): Float32Array => probe.subarray(((i * ROWS) % 1024) * F);

for (let i = 0; i < 2000; i++) await client.scorer.score(batchAt(i), ROWS); // warm-up
const latencies = new Float64Array(BATCHES);
const client0 = clientCpuUs();
const server0 = serverCpuUs();
for (let i = 0; i < BATCHES; i++) {
  const t = performance.now();
  await client.scorer.score(batchAt(i), ROWS);
  latencies[i] = (performance.now() - t) * 1000;
}
const clientPerBatch = (clientCpuUs() - client0) / BATCHES;
const serverPerBatch = (serverCpuUs() - server0) / BATCHES;
await client.close();
child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

// In process: the same batches with FlatEnsemble, as a node scores its candidates itself.
const flat = new FlatEnsemble(model);
const out = new Float64Array(ROWS);
const inProcessRuns = BATCHES * 20;
for (let i = 0; i < 20_000; i++) flat.predict(batchAt(i), out, ROWS);
const flat0 = clientCpuUs();
for (let i = 0; i < inProcessRuns; i++) flat.predict(batchAt(i), out, ROWS);
const flatPerBatch = (clientCpuUs() - flat0) / inProcessRuns;

latencies.sort();
const pct = (p: number): number => latencies[Math.min(BATCHES - 1, Math.floor(p * BATCHES))]!;
const rpcCpu = clientPerBatch + serverPerBatch;
const result = {
  batches: BATCHES,
  rowsPerBatch: ROWS,
  trees: model.trees.length,
  p50Us: Math.round(pct(0.5)),
  p99Us: Math.round(pct(0.99)),
  clientCpuUsPerBatch: Math.round(clientPerBatch),
  serverCpuUsPerBatch: Math.round(serverPerBatch),
  inProcessFlatEnsembleCpuUsPerBatch: Number(flatPerBatch.toFixed(2)),
  rpcCpuOverInProcess: Math.round(rpcCpu / flatPerBatch),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
