/**
 * Trains the model a node starts with (`mlcache node --policy ml-lru|ml-lfu`, `--model default`)
 * and writes ml-scorer/models/default.onnx: `make default-model`.
 *
 * Synthetic data only. The shared traces (/work/shared/traces) are what results are reported on,
 * so a default model trained on them would have seen the test set. Nor is the demo's workload
 * (node/src/cluster-local/demo/workload.ts) used: the demo is where the default model is shown.
 *
 * A start model must rank candidates sensibly on traffic it has never seen, at whatever cache
 * size the node has, so it is trained on a mix of regimes rather than one: each scenario below is
 * replayed through a learned policy exactly as `mlcache train` does (online sampling, labels from
 * the past only, synchronous retraining, the gate), and the policy's last training window (its
 * newest labelled rows, as the model is asked about them) is kept. One model with the online
 * trainer's parameters is then fitted on all the windows together. Every scenario has per-key
 * byte sizes (as a node charges them: key, value and 112 bytes of overhead), because a node's
 * score adds ln(size) under a byte budget and the model must have seen sizes vary.
 *
 * Options: --out FILE (ml-scorer/models/default.onnx), --requests N per scenario (1500000),
 *          --seed N (42).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseScriptArgs } from '../node/src/platform/script-args.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../node/src/policy/features.ts';
import { createMlHybridPolicy } from '../node/src/policy/ml-hybrid.ts';
import type { MlHybridPolicy } from '../node/src/policy/ml-hybrid.ts';
import type { MlBase } from '../node/src/policy/ml-hybrid-params.ts';
import type { TrainingJob } from '../node/src/policy/scorer-port.ts';
import { createRandom } from '../node/src/util/random.ts';
import type { RequestBatch } from '../ml-scorer/src/data/request-batch.ts';
import { BatchBuilder } from '../ml-scorer/src/data/request-batch.ts';
import { exportOnnx } from '../ml-scorer/src/export/onnx-export.ts';
import { mixedWorkload } from '../ml-scorer/src/learn/mixed-workload.ts';
import { ONLINE_GBDT_PARAMS } from '../ml-scorer/src/learn/online-gbdt-params.ts';
import { createSyncTrainer } from '../ml-scorer/src/learn/sync-trainer.ts';
import { simulateMany } from '../ml-scorer/src/sim/simulator.ts';
import { unitHash } from '../ml-scorer/src/sim/workloads/value-distribution.ts';
import { generateWorkload } from '../ml-scorer/src/sim/workloads/workload.ts';
import { parseWorkloadSpec } from '../ml-scorer/src/sim/workloads/workload-spec.ts';
import { ZipfSampler } from '../ml-scorer/src/sim/workloads/zipf-sampler.ts';

const { values } = parseScriptArgs({
  options: {
    out: { type: 'string', default: join(import.meta.dirname, '../ml-scorer/models/default.onnx') },
    requests: { type: 'string', default: '1500000' },
    seed: { type: 'string', default: '42' },
  },
});
const REQUESTS = Number(values.requests);
const SEED = Number(values.seed);

/** One training regime: a request stream, a budget (fraction of its working set's bytes), a base. */
interface Scenario {
  readonly name: string;
  readonly base: MlBase;
  readonly budget: number;
  readonly requests: () => RequestBatch[];
}

/** A sim workload spec (ml-scorer/src/sim/workloads) with this run's length and seed. */
function simWorkload(spec: string, salt: number): () => RequestBatch[] {
  return () => [
    ...generateWorkload(parseWorkloadSpec(`${spec},requests=${REQUESTS},seed=${SEED + salt}`)),
  ];
}

/** mixed-workload.ts (a skewed core, a loop larger than the cache, one-hit wonders) with sizes. */
function mixed(): RequestBatch[] {
  const batch = mixedWorkload({ requests: REQUESTS, seed: SEED });
  const random = createRandom(SEED ^ 0x5eed);
  const sizeOf = new Map<number, number>();
  for (let i = 0; i < batch.length; i++) {
    const key = batch.keys[i]!;
    let size = sizeOf.get(key);
    if (size === undefined) {
      // 128 bytes (overhead and key) + a log-normal value: Box–Muller from two uniforms.
      const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      size = 128 + Math.max(1, Math.round(Math.exp(Math.log(256) + z)));
      sizeOf.set(key, size);
    }
    batch.sizes[i] = size;
  }
  return [batch];
}

/**
 * A Zipf core with bursts of sequential reads of cold keys (a batch job, a crawler): every
 * `every` requests, `length` keys from a cold range are read in order, a few of them again in
 * the next burst (partly overlapping scans). Sizes: 150 bytes + log-normal(ln 500, 1.3).
 */
function scans(every: number, length: number, alpha: number, salt: number): () => RequestBatch[] {
  return () => {
    const random = createRandom(SEED + salt);
    const coreKeys = 30_000;
    const zipf = new ZipfSampler(coreKeys, alpha, random);
    const builder = new BatchBuilder(REQUESTS, false);
    const sizeOf = (key: number): number => {
      const u1 = 1 - unitHash(key, salt, 0);
      const u2 = unitHash(key, salt + 1, 0);
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return 150 + Math.max(1, Math.round(Math.exp(Math.log(500) + 1.3 * z)));
    };
    let scanAt = 0;
    let left = 0;
    for (let i = 0; i < REQUESTS; i++) {
      if (left === 0 && i > 0 && i % every === 0) {
        left = length;
        scanAt = Math.max(0, scanAt - Math.floor(length / 4));
      }
      let key: number;
      if (left > 0) {
        left--;
        key = coreKeys + 1 + scanAt++;
      } else {
        key = zipf.next();
      }
      builder.push(i, key, sizeOf(key), 0);
    }
    return [builder.take()];
  };
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'mixed (core 20000, loop 6000 at 0.2, one-hit 0.25)',
    base: 'lru',
    budget: 0.1,
    requests: mixed,
  },
  {
    name: 'shifting zipf 0.9 (50000 keys, 20% of the hot set replaced every 100000 requests)',
    base: 'lfu',
    budget: 0.05,
    requests: simWorkload(
      'shifting:keys=50000,alpha=0.9,period=100000,shift=0.2,sizes=lognormal:6.5,1.2',
      1,
    ),
  },
  {
    name: 'zipf 0.8 core + scans (4000 cold keys every 30000 requests)',
    base: 'lru',
    budget: 0.1,
    requests: scans(30_000, 4000, 0.8, 2),
  },
  {
    name: 'zipf 1.0 + one-hit wonders 0.3 (80000 keys)',
    base: 'lfu',
    budget: 0.02,
    requests: simWorkload('onehit:keys=80000,alpha=1.0,share=0.3,sizes=lognormal:7,1.5', 3),
  },
  {
    name: 'zipf 0.9 + loop of 15000 keys at 0.3 (20000 keys)',
    base: 'lfu',
    budget: 0.1,
    requests: simWorkload(
      'loop:keys=20000,loop=15000,share=0.3,alpha=0.9,sizes=uniform:100-4000',
      4,
    ),
  },
  {
    name: 'zipf 0.7 (200000 keys)',
    base: 'lru',
    budget: 0.2,
    requests: simWorkload('zipf:keys=200000,alpha=0.7,sizes=lognormal:6,0.8', 5),
  },
];

/** Bytes of the distinct keys requested (each key's size is fixed). */
function workingSetBytes(batches: readonly RequestBatch[]): number {
  const seen = new Set<number>();
  let bytes = 0;
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i]!;
      if (seen.has(key)) continue;
      seen.add(key);
      bytes += batch.sizes[i]!;
    }
  }
  return bytes;
}

/** The batches in simulator-sized chunks (an array would be read as a list of requests). */
function* chunks(batches: readonly RequestBatch[], size = 65_536): Generator<RequestBatch> {
  for (const whole of batches) {
    for (let at = 0; at < whole.length; at += size) {
      const end = Math.min(whole.length, at + size);
      yield {
        length: end - at,
        keys: whole.keys.subarray(at, end),
        sizes: whole.sizes.subarray(at, end),
        timestamps: whole.timestamps.subarray(at, end),
        ttls: null,
        nextAccess: null,
      };
    }
  }
}

interface Replayed {
  readonly job: TrainingJob;
  readonly hitRatio: number;
  readonly trainings: number;
  readonly modelVersion: number;
  readonly capacity: number;
}

/** Replays a scenario through its learned policy; returns the last training window. */
async function replay(scenario: Scenario): Promise<Replayed> {
  const batches = scenario.requests();
  const capacity = Math.round(scenario.budget * workingSetBytes(batches));
  const trainer = createSyncTrainer();
  let last: TrainingJob | null = null;
  let policy: MlHybridPolicy | undefined;
  const [result] = await simulateMany(chunks(batches), [
    {
      factory: (o) =>
        (policy = createMlHybridPolicy({
          ...o,
          base: scenario.base,
          trainer: {
            train: (job) => {
              last = job;
              return trainer.train(job);
            },
          },
        })),
      capacity,
      seed: SEED,
    },
  ]);
  if (last === null) throw new Error(`${scenario.name}: no training window; try more requests`);
  const stats = policy!.stats();
  return {
    job: last,
    hitRatio: 1 - result!.missRatio,
    trainings: stats.trainings,
    modelVersion: stats.modelVersion,
    capacity,
  };
}

const started = performance.now();
const windows: Replayed[] = [];
for (const scenario of SCENARIOS) {
  const replayed = await replay(scenario);
  windows.push(replayed);
  console.log(
    `${scenario.name}: ml-${scenario.base} at ${scenario.budget * 100}% ` +
      `(${replayed.capacity} bytes), hit ratio ${(100 * replayed.hitRatio).toFixed(2)}%, ` +
      `${replayed.trainings} trainings, ${replayed.job.labels.length} rows kept`,
  );
}
const rowCount = windows.reduce((sum, w) => sum + w.job.labels.length, 0);
const rows = new Float32Array(rowCount * FEATURE_COUNT);
const labels = new Float32Array(rowCount);
let at = 0;
for (const { job } of windows) {
  rows.set(job.rows.subarray(0, job.labels.length * FEATURE_COUNT), at * FEATURE_COUNT);
  labels.set(job.labels, at);
  at += job.labels.length;
}
const model = createSyncTrainer().train({ rows, labels, nFeatures: FEATURE_COUNT, seed: SEED });
const spec = SCENARIOS.map((s) => `${s.name} [ml-${s.base}, ${s.budget * 100}%]`).join('; ');
const bytes = exportOnnx(model, {
  modelId: `mlcache-default-f${FEATURE_SCHEMA_VERSION}-mix${SCENARIOS.length}-seed${SEED}`,
  trainedAt: new Date().toISOString(),
  trainingRows: rowCount,
  trainerParams: {
    ...ONLINE_GBDT_PARAMS,
    source: `synthetic mix, ${REQUESTS} requests each, seed ${SEED}: ${spec}`,
    seed: SEED,
    requestsPerScenario: REQUESTS,
    scenarioHitRatios: windows.map((w) => Number(w.hitRatio.toFixed(4))),
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  },
});
await writeFile(values.out, bytes);
console.log(
  `wrote ${values.out} (${bytes.length} bytes): ${model.trees.length} trees on ${rowCount} rows ` +
    `from ${SCENARIOS.length} scenarios; ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
