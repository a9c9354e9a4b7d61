// The exported ONNX model, run by onnxruntime-node, must score exactly like the TS trees: the
// TS path is the fast path, ONNX the portable, verifiable artifact (research note §4.5).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION, MISSING } from '../../node/src/policy/features.ts';
import { createRandom } from '../../node/src/util/random.ts';
import { exportOnnx } from '../src/export/onnx-export.ts';
import type { ModelMetadata } from '../src/export/onnx-export.ts';
import { ModelError, OnnxScorer } from '../src/serve/onnx-session.ts';
import { trainGbdt } from '../src/train/gbdt.ts';
import { syntheticData } from '../src/train/synthetic-data.ts';
import type { TreeEnsemble } from '../src/train/tree-ensemble.ts';
import { predict } from '../src/train/tree-ensemble.ts';

const F = FEATURE_COUNT;
const meta: ModelMetadata = {
  modelId: 'parity-test',
  trainedAt: '2026-11-25T00:00:00.000Z',
  trainingRows: 30_000,
  trainerParams: { seed: 17 },
};

/**
 * Probe rows: held-out data, rows sitting exactly on split thresholds and one float32 step to
 * either side, sentinels and extremes.
 */
function probeRows(model: TreeEnsemble): Float32Array {
  const random = createRandom(99);
  const rows: number[] = [];
  const base = syntheticData(2_000, F, 1234);
  rows.push(...base.rows);
  const below = (x: number): number => {
    const f = Float32Array.of(x);
    const i = new Int32Array(f.buffer);
    i[0]! += x > 0 ? -1 : 1;
    return f[0]!;
  };
  for (const tree of model.trees) {
    for (let i = 0; i < tree.feature.length; i++) {
      const f = tree.feature[i]!;
      if (f < 0) continue;
      const thr = tree.threshold[i]!;
      for (const x of [thr, below(thr), -below(-thr)]) {
        const row: number[] = [];
        const from = random.int(2_000) * F;
        for (let k = 0; k < F; k++) row.push(base.rows[from + k]!);
        row[f] = x;
        rows.push(...row);
      }
    }
  }
  const specials = [0, -0, 1, -1, MISSING, -MISSING, 3.4e38, -3.4e38, 1e-40, 65535];
  for (let r = 0; r < 500; r++) {
    for (let k = 0; k < F; k++) rows.push(specials[random.int(specials.length)]!);
  }
  return Float32Array.from(rows);
}

describe('ONNX export parity with onnxruntime-node', () => {
  let dir: string;
  let model: TreeEnsemble;
  let bytes: Uint8Array;
  let scorer: OnnxScorer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlcache-onnx-'));
    const data = syntheticData(30_000, F, 7);
    model = trainGbdt(data.rows, data.labels, F, { seed: 17 });
    bytes = exportOnnx(model, meta);
    await writeFile(join(dir, 'model.onnx'), bytes);
    scorer = await OnnxScorer.load(join(dir, 'model.onnx'));
  });

  afterAll(async () => {
    await scorer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads with its metadata', () => {
    expect(scorer.modelId).toBe('parity-test');
    expect(scorer.nFeatures).toBe(F);
    expect(scorer.info.metadata.feature_schema_version).toBe(String(FEATURE_SCHEMA_VERSION));
  });

  it('scores ≥ 5,000 rows like the TS predict (max abs diff ≤ 1e-4)', async () => {
    const rows = probeRows(model);
    const n = rows.length / F;
    expect(n).toBeGreaterThanOrEqual(5_000);
    const expected = new Float32Array(n);
    predict(model, rows, F, expected);
    const actual = await scorer.score(rows, n);
    let worst = 0;
    for (let r = 0; r < n; r++) worst = Math.max(worst, Math.abs(actual[r]! - expected[r]!));
    expect(worst).toBeLessThanOrEqual(1e-4);
    // The same in the serving shape: batches of 16 read from an offset view.
    for (let at = 0; at + 16 <= 512; at += 16) {
      const y = await scorer.score(rows.subarray(at * F), 16);
      for (let r = 0; r < 16; r++)
        expect(Math.abs(y[r]! - expected[at + r]!)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('scores an ensemble without trees as its base score', async () => {
    const empty = {
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      nFeatures: F,
      baseScore: 2.5,
      trees: [],
    };
    const s = await OnnxScorer.load(exportOnnx(empty, meta));
    expect(Array.from(await s.score(new Float32Array(2 * F), 2))).toEqual([2.5, 2.5]);
    expect(await s.score(new Float32Array(0), 0)).toHaveLength(0);
    await expect(s.score(new Float32Array(F), 2)).rejects.toThrow(RangeError);
    await s.close();
  });

  async function refusal(source: string | Uint8Array, options = {}): Promise<ModelError> {
    try {
      await OnnxScorer.load(source, options);
    } catch (error) {
      expect(error).toBeInstanceOf(ModelError);
      return error as ModelError;
    }
    throw new Error('the model was accepted');
  }

  it('refuses a truncated, empty or garbage file as MODEL_E_CORRUPT', async () => {
    for (const cut of [1, 100, bytes.length >> 1, bytes.length - 1]) {
      expect((await refusal(bytes.subarray(0, cut))).code).toBe('MODEL_E_CORRUPT');
    }
    expect((await refusal(new Uint8Array(0))).code).toBe('MODEL_E_CORRUPT');
    const random = createRandom(5);
    const garbage = Uint8Array.from({ length: 4096 }, () => random.int(256));
    expect((await refusal(garbage)).code).toBe('MODEL_E_CORRUPT');
    await writeFile(join(dir, 'garbage.onnx'), garbage);
    expect((await refusal(join(dir, 'garbage.onnx'))).code).toBe('MODEL_E_CORRUPT');
  });

  it('refuses a well-formed file that onnxruntime cannot run as MODEL_E_CORRUPT', async () => {
    // Same length, unknown operator: passes our checks, fails in onnxruntime.
    const text = Buffer.from(bytes);
    const at = text.indexOf('TreeEnsembleRegressor');
    const broken = Buffer.from(text);
    broken.write('TreeEnsembleRegressoX', at);
    const error = await refusal(broken);
    expect(error.code).toBe('MODEL_E_CORRUPT');
    expect(error.cause).toBeDefined();
  });

  it('refuses another feature schema as MODEL_E_FEATURE_VERSION', async () => {
    const other = { ...model, featureSchemaVersion: FEATURE_SCHEMA_VERSION + 1 };
    const error = await refusal(exportOnnx(other, meta));
    expect(error.code).toBe('MODEL_E_FEATURE_VERSION');
    expect(error.message).toContain(`feature schema ${FEATURE_SCHEMA_VERSION + 1}, this build`);
    expect((await refusal(bytes, { featureSchemaVersion: 0 })).code).toBe(
      'MODEL_E_FEATURE_VERSION',
    );
  });

  it('refuses a model for another number of features as MODEL_E_SIGNATURE', async () => {
    const small = syntheticData(2_000, 5, 3);
    const m = trainGbdt(small.rows, small.labels, 5, { trees: 2 });
    expect((await refusal(exportOnnx(m, meta))).code).toBe('MODEL_E_SIGNATURE');
  });

  it('reports a missing file as MODEL_E_IO', async () => {
    expect((await refusal(join(dir, 'nope.onnx'))).code).toBe('MODEL_E_IO');
  });
});
