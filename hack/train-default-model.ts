/**
 * Trains the model a node starts with (`mlcache node --policy ml-lru|ml-lfu`, `--model default`)
 * and writes ml-scorer/models/default.onnx: `make default-model`.
 *
 * Synthetic data only. The shared traces (/work/shared/traces) are what results are reported on,
 * so a default model trained on them would have seen the test set. The workload is
 * ml-scorer/src/learn/mixed-workload.ts (a skewed core, a loop larger than the cache, one-hit
 * wonders), with a per-key byte size drawn from a log-normal (as a node charges them: key, value
 * and 112 bytes of overhead), so the model meets sizes as a node sees them. It is replayed through
 * ML+LRU exactly as `mlcache train` does (trainFromTrace: online sampling, labels from the past
 * only, synchronous retraining, validation against the current model and the base) and the last
 * model the policy installed is written.
 *
 * Options: --out FILE (ml-scorer/models/default.onnx), --requests N (3000000), --seed N (42),
 *          --size FRACTION (0.1 of the working set's bytes).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEATURE_SCHEMA_VERSION } from '../node/src/policy/features.ts';
import { createRandom } from '../node/src/util/random.ts';
import type { RequestBatch } from '../ml-scorer/src/data/request-batch.ts';
import { exportOnnx } from '../ml-scorer/src/export/onnx-export.ts';
import { mixedWorkload } from '../ml-scorer/src/learn/mixed-workload.ts';
import { ONLINE_GBDT_PARAMS } from '../ml-scorer/src/learn/online-gbdt-params.ts';
import { trainFromTrace } from '../ml-scorer/src/learn/train-from-trace.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(import.meta.dirname, '../ml-scorer/models/default.onnx') },
    requests: { type: 'string', default: '3000000' },
    seed: { type: 'string', default: '42' },
    size: { type: 'string', default: '0.1' },
  },
});
const REQUESTS = Number(values.requests);
const SEED = Number(values.seed);
const SIZE = Number(values.size);
/** Per-key charge: 112 bytes of entry overhead + a key of ~16 bytes + a log-normal value. */
const OVERHEAD = 112 + 16;
const VALUE_LOG_MEAN = Math.log(256);
const VALUE_LOG_SIGMA = 1;

/** The mixed workload with per-key sizes (deterministic in the seed) and time in seconds. */
function workload(): { batch: RequestBatch; workingSetBytes: number } {
  const batch = mixedWorkload({ requests: REQUESTS, seed: SEED });
  const random = createRandom(SEED ^ 0x5eed);
  const sizeOf = new Map<number, number>();
  let workingSetBytes = 0;
  for (let i = 0; i < batch.length; i++) {
    const key = batch.keys[i]!;
    let size = sizeOf.get(key);
    if (size === undefined) {
      // Box–Muller from two uniforms: a standard normal.
      const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      size = OVERHEAD + Math.max(1, Math.round(Math.exp(VALUE_LOG_MEAN + VALUE_LOG_SIGMA * z)));
      sizeOf.set(key, size);
      workingSetBytes += size;
    }
    batch.sizes[i] = size;
  }
  return { batch, workingSetBytes };
}

/** The batch in simulator-sized chunks (an array would be read as a list of requests). */
function* chunks(whole: RequestBatch, size = 65_536): Generator<RequestBatch> {
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

const started = performance.now();
const { batch, workingSetBytes } = workload();
const capacity = Math.round(SIZE * workingSetBytes);
const trained = await trainFromTrace(chunks(batch), { capacity, ignoreSize: false, seed: SEED });
if (trained.model === null) {
  console.error(`no model validated (${trained.stats.trainings} trainings); try more requests`);
  process.exit(1);
}
const spec = `mixed-workload requests=${REQUESTS} seed=${SEED} (core 20000, loop 6000 at 0.2, one-hit 0.25)`;
const bytes = exportOnnx(trained.model, {
  modelId: `mlcache-default-f${FEATURE_SCHEMA_VERSION}-seed${SEED}`,
  trainedAt: new Date().toISOString(),
  trainingRows: trained.trainingRows,
  trainerParams: {
    ...ONLINE_GBDT_PARAMS,
    policy: 'ml-lru',
    source: spec,
    sizes: `${OVERHEAD} + lognormal(ln 256, 1) bytes per key`,
    capacity,
    workingSetBytes,
    seed: SEED,
    requests: trained.result.requests,
    missRatio: trained.result.missRatio,
    modelVersion: trained.stats.modelVersion,
    trainings: trained.stats.trainings,
    validationPairAccuracy: trained.stats.lastValidationCurrent,
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  },
});
await writeFile(values.out, bytes);
console.log(
  `wrote ${values.out} (${bytes.length} bytes): model ${trained.stats.modelVersion} of ` +
    `${trained.stats.trainings} trainings, ${trained.trainingRows} rows, ${trained.model.trees.length} ` +
    `trees; ${spec}; capacity ${capacity} of ${workingSetBytes} bytes; replay miss ratio ` +
    `${trained.result.missRatio.toFixed(4)}, model evictions ${trained.stats.modelEvictions}, ` +
    `base ${trained.stats.baseEvictions}; pair accuracy ${trained.stats.lastValidationCurrent.toFixed(3)}; ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);
