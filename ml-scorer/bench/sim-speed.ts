/**
 * Replay speed of the simulator per policy, next to the miss ratios libCacheSim reports for the
 * same cells. Run with `npm run bench:sim` (traces from ../shared/traces or MLCACHE_TRACES).
 *
 * Each trace is read and materialised first, so that the timing covers the replay loop only
 * (hash lookup, slot bookkeeping and the policy's callbacks), not decompression or parsing. Each
 * policy runs alone (one cache per pass) and the best of REPEATS runs is kept, after the JIT has
 * warmed up. libCacheSim's speed is not in the reference CSV, so it cannot be compared here.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTrace } from '../src/data/trace-file.ts';
import type { MaterializedTrace } from '../src/sim/materialized-trace.ts';
import { batchesOf, materializeTrace } from '../src/sim/materialized-trace.ts';
import { defaultPolicyNames, resolvePolicy } from '../src/sim/policy-table.ts';
import { libCacheSimName, loadReferenceResults } from '../src/sim/reference-results.ts';
import { simulateMany } from '../src/sim/simulator.ts';
import { summarizeTrace } from '../src/sim/working-set.ts';

const REPEATS = 3;

interface Cell {
  readonly trace: string;
  readonly ignoreSize: boolean;
  readonly fraction: number;
}

const CELLS: readonly Cell[] = [
  { trace: 'arc_OLTP', ignoreSize: true, fraction: 0.05 },
  { trace: 'lcs_cloudPhysicsIO', ignoreSize: false, fraction: 0.05 },
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const traces = process.env.MLCACHE_TRACES ?? join(root, '..', 'shared', 'traces');
if (!existsSync(join(traces, 'csv'))) {
  console.error(
    `bench:sim: no traces at ${traces} (set MLCACHE_TRACES to the folder holding csv/)`,
  );
  process.exit(2);
}
const reference = loadReferenceResults(join(traces, 'reference', 'libcachesim.csv'));

for (const cell of CELLS) {
  const trace = await materializeTrace(
    openTrace(join(traces, 'csv', `${cell.trace}.csv.zst`)).batches,
  );
  const summary = await summarizeTrace(batchesOf(trace));
  const capacity = Math.floor(
    cell.fraction * (cell.ignoreSize ? summary.uniqueObjects : summary.uniqueBytes),
  );
  const mode = cell.ignoreSize ? 'obj' : 'byte';
  console.log(
    `\n${cell.trace}, ${mode} mode, ${cell.fraction * 100}% (${capacity} ${cell.ignoreSize ? 'objects' : 'bytes'}), ${trace.length} requests`,
  );
  console.log('policy          M req/s  miss ratio  libCacheSim  (algo)');
  for (const policy of defaultPolicyNames()) {
    const { speed, missRatio } = await measure(trace, policy, capacity, cell.ignoreSize);
    const algo = libCacheSimName(policy, cell.ignoreSize);
    const ref =
      algo === undefined
        ? undefined
        : reference.find(cell.trace, cell.ignoreSize, cell.fraction, algo);
    console.log(
      `${policy.padEnd(14)} ${speed.toFixed(2).padStart(8)}  ${missRatio.toFixed(4).padStart(10)}  ${(ref?.missRatio.toFixed(4) ?? '-').padStart(11)}  ${ref?.label ?? ''}`,
    );
  }
}
console.log(
  '\nlibCacheSim speeds are not in the reference CSV; only its miss ratios are compared.',
);
// Speeds drop when other processes share the cores; say how busy the machine was.
console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);

async function measure(
  trace: MaterializedTrace,
  policy: string,
  capacity: number,
  ignoreSize: boolean,
): Promise<{ speed: number; missRatio: number }> {
  const factory = resolvePolicy(policy, ignoreSize)!;
  let best = 0;
  let missRatio = 0;
  for (let i = 0; i < REPEATS; i++) {
    const [result] = await simulateMany(batchesOf(trace), [{ factory, capacity, ignoreSize }]);
    best = Math.max(best, result!.requests / result!.seconds / 1e6);
    missRatio = result!.missRatio;
  }
  return { speed: best, missRatio };
}
