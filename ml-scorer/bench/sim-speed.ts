/**
 * Replay speed of the simulator per policy, next to the miss ratios libCacheSim reports for the
 * same cells, and the learned policies' speed as a share of LRU's (the target is ≥ 0.25). Run
 * with `npm run bench:sim` (traces from ../shared/traces or MLCACHE_TRACES).
 *
 *   npm run bench:sim -- [--policies lru,ml-lru,ml-lfu] [--repeats 3]
 *       [--params '{"adaptiveBase":false}'] [--learning online|shipped|none]
 *
 * Each trace is read and materialised first, so that the timing covers the replay loop only
 * (hash lookup, slot bookkeeping and the policy's callbacks), not decompression or parsing. The
 * learned policies run exactly as `mlcache sim` runs them: a fresh policy with a synchronous
 * trainer, so their online training is inside the time (and also shown on its own). Speeds are
 * requests per CPU second (user + system, process.cpuUsage) rather than per wall second: the
 * machine is shared, and CPU time is less disturbed by other jobs. Each policy runs alone (one
 * cache per pass) and the best of the repeats is kept, after the JIT has warmed up. libCacheSim's
 * speed is not in the reference CSV, so it cannot be compared here.
 *
 * To see where a learned policy's time goes, parts of it can be left out: `--params` overrides
 * its knobs (ml-hybrid-params.ts, as JSON); `--learning shipped` gives it the shipped model and
 * no trainer (no labels, no training; its shadow guard, which would soon stop a model that
 * trails the base, is switched off with `shadowMargin` 1 so that the model keeps evicting), and
 * `--learning none` neither (every eviction is the base's: what is left is the per-request
 * bookkeeping). The miss ratios of those runs are not the policy's.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import type { PolicyFactory } from '../../node/src/policy/eviction-policy.ts';
import type { MlBase } from '../../node/src/policy/ml-hybrid.ts';
import { createMlHybridPolicy } from '../../node/src/policy/ml-hybrid.ts';
import { openTrace } from '../src/data/trace-file.ts';
import type { TrainerPort } from '../../node/src/policy/scorer-port.ts';
import type { MlHybridParams } from '../../node/src/policy/ml-hybrid-params.ts';
import type { TreeEnsemble } from '../../node/src/policy/tree-model.ts';
import { readOnnxModel } from '../src/export/onnx-import.ts';
import { createSyncTrainer } from '../src/learn/sync-trainer.ts';
import type { MaterializedTrace } from '../src/sim/materialized-trace.ts';
import { batchesOf, materializeTrace } from '../src/sim/materialized-trace.ts';
import { defaultPolicyNames, resolvePolicy } from '../src/sim/policy-table.ts';
import { libCacheSimName, loadReferenceResults } from '../src/sim/reference-results.ts';
import { simulateMany } from '../src/sim/simulator.ts';
import { summarizeTrace } from '../src/sim/working-set.ts';

/** The learned policies, compared with LRU. */
const LEARNED: readonly string[] = ['ml-lru', 'ml-lfu'];

interface Cell {
  readonly trace: string;
  readonly ignoreSize: boolean;
  readonly fraction: number;
}

const CELLS: readonly Cell[] = [
  { trace: 'arc_OLTP', ignoreSize: true, fraction: 0.05 },
  { trace: 'lcs_cloudPhysicsIO', ignoreSize: false, fraction: 0.05 },
  // Every object fits: nothing is evicted after the fill, so no candidate is sampled or scored.
  // What is left is the per-request bookkeeping (features, both orders, the shadow, the
  // selector, the labeler, the ghosts' lookups at inserts), the floor under any eviction
  // scheme: a learned policy cannot replay faster than this share of LRU's speed.
  { trace: 'arc_OLTP', ignoreSize: true, fraction: 1 },
];

interface Measurement {
  /** Million requests per CPU second, best of the repeats. */
  readonly speed: number;
  readonly missRatio: number;
  /** CPU seconds of the best repeat, and the share of them spent training (learned policies). */
  readonly cpuSeconds: number;
  readonly trainingShare: number;
}

const { values } = parseScriptArgs({
  options: {
    policies: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    /** Overrides of the learned policies' knobs (ml-hybrid-params.ts), as JSON. */
    params: { type: 'string', default: '{}' },
    learning: { type: 'string', default: 'online' },
  },
});
const repeats = Math.max(1, Number(values.repeats));
const learning = values.learning;
if (learning !== 'online' && learning !== 'shipped' && learning !== 'none') {
  throw new RangeError(`--learning must be online, shipped or none, got ${learning}`);
}
const params: Partial<MlHybridParams> = {
  ...(learning === 'shipped' ? { shadowMargin: 1 } : {}),
  ...(JSON.parse(values.params) as Partial<MlHybridParams>),
};
/** The shipped model (`--learning shipped`), which a node starts from by default. */
const shipped: TreeEnsemble | undefined =
  learning === 'shipped'
    ? (await readOnnxModel(join(import.meta.dirname, '..', 'models', 'default.onnx'))).model
    : undefined;
const policies =
  values.policies === undefined
    ? [...defaultPolicyNames(), ...LEARNED]
    : values.policies.split(',').filter((p) => p !== '');

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
  console.log('policy          M req/s  x LRU  training  miss ratio  libCacheSim  (algo)');
  // LRU first, whatever the order asked for, so that every row can show its ratio to it.
  const lru = await measure(trace, 'lru', capacity, cell.ignoreSize);
  for (const policy of policies) {
    const m = policy === 'lru' ? lru : await measure(trace, policy, capacity, cell.ignoreSize);
    const algo = libCacheSimName(policy, cell.ignoreSize);
    const ref =
      algo === undefined
        ? undefined
        : reference.find(cell.trace, cell.ignoreSize, cell.fraction, algo);
    const training = LEARNED.includes(policy) ? `${(m.trainingShare * 100).toFixed(0)}%` : '-';
    console.log(
      `${policy.padEnd(14)} ${m.speed.toFixed(2).padStart(8)}  ${(m.speed / lru.speed).toFixed(3).padStart(5)}  ${training.padStart(8)}  ${m.missRatio.toFixed(4).padStart(10)}  ${(ref?.missRatio.toFixed(4) ?? '-').padStart(11)}  ${ref?.label ?? ''}`,
    );
  }
}
console.log(
  '\nSpeeds are per CPU second of the replay alone; "x LRU" is the speed over LRU\'s (target for',
);
console.log(
  'the learned policies: ≥ 0.25); "training" is the share of a learned policy\'s CPU time spent',
);
console.log('in its synchronous trainer. libCacheSim speeds are not in the reference CSV.');
if (learning !== 'online' || values.params !== '{}') {
  console.log(
    `Learned policies run with --learning ${learning} and params ${JSON.stringify(params)}: ` +
      "their miss ratios are not the policies' own.",
  );
}
// Speeds drop when other processes share the cores; say how busy the machine was.
console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);

async function measure(
  trace: MaterializedTrace,
  policy: string,
  capacity: number,
  ignoreSize: boolean,
): Promise<Measurement> {
  let best: Measurement | null = null;
  for (let i = 0; i < repeats; i++) {
    const { factory, training } = factoryFor(policy, ignoreSize);
    const started = process.cpuUsage();
    const [result] = await simulateMany(batchesOf(trace), [{ factory, capacity, ignoreSize }]);
    const cpuSeconds = cpuSince(started);
    const m: Measurement = {
      speed: result!.requests / cpuSeconds / 1e6,
      missRatio: result!.missRatio,
      cpuSeconds,
      trainingShare: training.seconds / cpuSeconds,
    };
    if (best === null || m.speed > best.speed) best = m;
  }
  return best!;
}

/**
 * The simulator's factory for a policy. A learned policy is built as the policy table builds it
 * (learned-policies.ts: a fresh synchronous trainer per cache, default parameters, unless
 * `--params` or `--learning` say otherwise), with the trainer wrapped to add up the CPU time of
 * its calls.
 */
function factoryFor(
  policy: string,
  ignoreSize: boolean,
): { factory: PolicyFactory; training: { seconds: number } } {
  const training = { seconds: 0 };
  if (!LEARNED.includes(policy)) {
    const factory = resolvePolicy(policy, ignoreSize);
    if (factory === undefined) throw new RangeError(`unknown policy ${policy}`);
    return { factory, training };
  }
  const inner = createSyncTrainer();
  const trainer: TrainerPort = {
    train(job) {
      const started = process.cpuUsage();
      const model = inner.train(job);
      training.seconds += cpuSince(started);
      return model;
    },
  };
  const base = policy.slice('ml-'.length) as MlBase;
  const learner =
    learning === 'online' ? { trainer } : learning === 'shipped' ? { scorer: shipped! } : {};
  return {
    factory: (options) => createMlHybridPolicy({ ...options, base, params, ...learner }),
    training,
  };
}

function cpuSince(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
}
