/**
 * Replays exactly the request stream of `mlcache demo` (node/src/cluster-local/demo/workload.ts)
 * through the simulator, so that the demo's hit ratios can be reproduced, and explained, without
 * starting any process: `node hack/demo-workload-sim.ts [options]`.
 *
 * What a demo node sees, reproduced request by request:
 * - the key id is the node's hash of the key string (node/src/core/key-hash.ts), so the shadow's
 *   hashed key sample is the node's;
 * - an entry is charged key + value + ENTRY_OVERHEAD (112) bytes (node/src/core/entry-size.ts)
 *   plus the policy's own per-entry state (`EvictionPolicy.entryOverhead`, the learned
 *   policies') against the demo's --maxmemory, parsed as the node parses it (`8mb` = 8 MiB);
 * - GET then SET NX on a miss: a read-through cache, which the simulator's miss-then-insert is.
 *
 * The learned policies run with a synchronous trainer (as `mlcache sim` does: reproducible), and
 * each of them twice: learning from scratch (`ml-lru`), and starting from a model file as a
 * `--scorer local` node does (`ml-lru+model`, the shipped default model unless --model says).
 * `+frozen` variants keep that model and never retrain (what the model alone is worth).
 *
 * Options: --requests N (the demo's 200000), --seed N (42), --maxmemory SIZE (8mb),
 *          --policies LIST (lru,lfu,s3fifo,wtinylfu,ml-lru,ml-lfu,ml-lru+model,ml-lfu+model),
 *          --model FILE (ml-scorer/models/default.onnx), --workload JSON (WorkloadOptions
 *          overrides), --params JSON (MlHybridParams overrides), --json (one line per policy),
 *          --sim-workload SPEC (replay a simulator workload, `mlcache sim --workload`, instead of
 *          the demo's: to check that a start model helps beyond the demo).
 */
import { join } from 'node:path';
import { parseScriptArgs } from '../node/src/platform/script-args.ts';
import { readOnnxModel } from '../ml-scorer/src/export/onnx-import.ts';
import type { RequestBatch } from '../ml-scorer/src/data/request-batch.ts';
import { BatchBuilder } from '../ml-scorer/src/data/request-batch.ts';
import { createSyncTrainer } from '../ml-scorer/src/learn/sync-trainer.ts';
import { resolvePolicy } from '../ml-scorer/src/sim/policy-table.ts';
import { simulateMany } from '../ml-scorer/src/sim/simulator.ts';
import { generateWorkload } from '../ml-scorer/src/sim/workloads/workload.ts';
import { parseWorkloadSpec } from '../ml-scorer/src/sim/workloads/workload-spec.ts';
import { createWorkload } from '../node/src/cluster-local/demo/workload.ts';
import type { WorkloadOptions } from '../node/src/cluster-local/demo/workload.ts';
import { DEMO_DEFAULTS } from '../node/src/cluster-local/demo/demo-options.ts';
import { ENTRY_OVERHEAD } from '../node/src/core/entry-size.ts';
import { hashKey } from '../node/src/core/key-hash.ts';
import type { EvictionPolicy, PolicyFactory } from '../node/src/policy/eviction-policy.ts';
import { createMlHybridPolicy } from '../node/src/policy/ml-hybrid.ts';
import type { MlHybridPolicy } from '../node/src/policy/ml-hybrid.ts';
import type { MlHybridParams } from '../node/src/policy/ml-hybrid-params.ts';
import type { TreeEnsemble } from '../node/src/policy/tree-model.ts';
import { parseBytes } from '../node/src/util/bytes.ts';

const { values } = parseScriptArgs({
  options: {
    requests: { type: 'string', default: String(DEMO_DEFAULTS.requests) },
    seed: { type: 'string', default: String(DEMO_DEFAULTS.seed) },
    maxmemory: { type: 'string', default: DEMO_DEFAULTS.maxmemory },
    policies: {
      type: 'string',
      default: 'lru,lfu,s3fifo,wtinylfu,ml-lru,ml-lfu,ml-lru+model,ml-lfu+model',
    },
    model: {
      type: 'string',
      default: join(import.meta.dirname, '../ml-scorer/models/default.onnx'),
    },
    workload: { type: 'string', default: '{}' },
    params: { type: 'string', default: '{}' },
    json: { type: 'boolean', default: false },
    'sim-workload': { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const SEED = Number(values.seed);
const CAPACITY = parseBytes(values.maxmemory);
if (!(Number.isSafeInteger(REQUESTS) && REQUESTS > 0) || CAPACITY === undefined) {
  console.error('usage: --requests N (>= 1), --maxmemory SIZE (such as 8mb)');
  process.exit(2);
}
const workloadOptions = JSON.parse(values.workload) as Partial<WorkloadOptions>;
const params = JSON.parse(values.params) as Partial<MlHybridParams>;

/** The demo's requests as simulator batches: node key ids, node byte charges. */
function* demoBatches(): Generator<RequestBatch> {
  if (values['sim-workload'] !== undefined) {
    yield* generateWorkload(parseWorkloadSpec(values['sim-workload']));
    return;
  }
  const workload = createWorkload({ ...workloadOptions, seed: SEED });
  const builder = new BatchBuilder(65_536, false);
  for (let i = 0; i < REQUESTS; i++) {
    const request = workload.next();
    // Keys are ASCII, so their length is their byte length.
    const charge = request.key.length + request.valueSize + ENTRY_OVERHEAD;
    builder.push(i, hashKey(request.key), charge, 0);
    if (builder.length >= 65_536) yield builder.take();
  }
  if (builder.length > 0) yield builder.take();
}

let startModel: TreeEnsemble | null = null;
const policies = values.policies.split(',').map((name) => name.trim());
if (policies.some((name) => name.includes('+'))) {
  startModel = (await readOnnxModel(values.model)).model;
}

const learned = new Map<string, MlHybridPolicy>();
function factoryFor(name: string): PolicyFactory {
  const match = /^ml-(lru|lfu)(\+model|\+frozen)?$/.exec(name);
  if (match === null) {
    const factory = resolvePolicy(name, false);
    if (factory === undefined) throw new RangeError(`unknown policy ${name}`);
    return factory;
  }
  const variant = match[2];
  return (options): EvictionPolicy => {
    const policy = createMlHybridPolicy({
      ...options,
      base: match[1] as 'lru' | 'lfu',
      params,
      ...(variant === '+frozen' ? {} : { trainer: createSyncTrainer() }),
      ...(variant === undefined ? {} : { scorer: startModel! }),
    });
    learned.set(name, policy);
    return policy;
  };
}

// The sizes already carry ENTRY_OVERHEAD; entryOverhead 0 adds the policy's own per-entry
// state on top and keeps what it reserves out of the budget, as the node's store does (the
// learned policies: 200 bytes per entry, and their evicted-keys table).
const specs = policies.map((name) => ({
  factory: factoryFor(name),
  capacity: CAPACITY,
  seed: 1,
  entryOverhead: 0,
}));
const results = await simulateMany(demoBatches(), specs);
const rows = policies.map((name, i) => {
  const result = results[i]!;
  const s = learned.get(name)?.stats();
  return {
    policy: name,
    requests: result.requests,
    hitRatio: 1 - result.missRatio,
    byteHitRatio: 1 - result.byteMissRatio,
    seconds: result.seconds,
    ml:
      s === undefined
        ? null
        : {
            modelVersion: s.modelVersion,
            trainings: s.trainings,
            refused: s.modelsRefusedValidation,
            modelEvictions: s.modelEvictions,
            baseEvictions: s.baseEvictions,
            noModel: s.fallbacks.noModel,
            shadowFallbacks: s.shadowFallbacks,
            shadowFallbackEvictions: s.fallbacks.shadow,
            shadowWindows: s.shadowWindows,
            shadowLive: s.shadowLiveHitRatio,
            shadowBase: s.shadowBaseHitRatio,
            margin: s.challengeMargin,
            pairAccuracy: [s.lastValidation, s.lastValidationCurrent, s.lastValidationBase],
          },
  };
});
if (values.json) {
  const source = values['sim-workload'] ?? `demo seed=${SEED}`;
  for (const { ml, ...row } of rows) {
    console.log(JSON.stringify({ source, maxmemory: values.maxmemory, ...row, ...ml }));
  }
} else {
  console.log(
    `${values['sim-workload'] ?? `demo workload: seed ${SEED}, ${REQUESTS} requests`}, ` +
      `maxmemory ${values.maxmemory} ` +
      `(${CAPACITY} bytes), workload ${values.workload}, params ${values.params}`,
  );
  for (const row of rows) {
    const ml = row.ml;
    const extra =
      ml === null
        ? ''
        : `  model v${ml.modelVersion} (${ml.trainings} trained, ${ml.refused} refused), ` +
          `evictions model ${ml.modelEvictions} / base ${ml.baseEvictions} ` +
          `(no model ${ml.noModel}, shadow ${ml.shadowFallbackEvictions}), shadow fallbacks ` +
          `${ml.shadowFallbacks} in ${ml.shadowWindows} windows (live ${pct(ml.shadowLive)} vs ` +
          `base ${pct(ml.shadowBase)}), margin ${ml.margin.toFixed(2)}, pair acc ` +
          ml.pairAccuracy.map((a) => a.toFixed(3)).join('/');
    console.log(
      `${row.policy.padEnd(14)} hit ${pct(row.hitRatio)}  byte hit ${pct(row.byteHitRatio)}  ` +
        `${row.seconds.toFixed(1)} s${extra}`,
    );
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
