import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_SCHEMA_VERSION, MISSING } from '../../../node/src/policy/features.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import { FlatEnsemble, predict } from '../../../node/src/policy/tree-model.ts';
import { trainGbdt } from '../train/gbdt.ts';
import { syntheticData } from '../train/synthetic-data.ts';
import { exportOnnx } from './onnx-export.ts';
import { ModelImportError, importOnnx, readOnnxModel } from './onnx-import.ts';

const meta = {
  modelId: 'm-7',
  trainedAt: '2026-11-25T12:00:00.000Z',
  trainingRows: 6000,
  trainerParams: { trees: 12 },
};

const dir = mkdtempSync(join(tmpdir(), 'mlcache-onnx-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelImportError);
    return (error as ModelImportError).code;
  }
  throw new Error('expected a ModelImportError');
}

/** Rows with the corner values a split can meet: NaN, the MISSING sentinel, ties. */
function probeRows(data: Float32Array, nFeatures: number): Float32Array {
  const extra = new Float32Array(3 * nFeatures);
  extra.fill(Number.NaN, 0, nFeatures);
  extra.fill(MISSING, nFeatures, 2 * nFeatures);
  const rows = new Float32Array(data.length + extra.length);
  rows.set(data);
  rows.set(extra, data.length);
  return rows;
}

describe('importOnnx', () => {
  const data = syntheticData(6000, 12, 5);
  const model = trainGbdt(data.rows, data.labels, 12, {
    trees: 12,
    seed: 3,
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  });

  it('round-trips export → import with identical predictions, bit for bit', () => {
    const imported = importOnnx(exportOnnx(model, meta));
    expect(imported.modelId).toBe('m-7');
    expect(imported.model.featureSchemaVersion).toBe(FEATURE_SCHEMA_VERSION);
    expect(imported.model.nFeatures).toBe(12);
    expect(imported.model.trees).toHaveLength(12);
    expect(imported.model.baseScore).toBe(model.baseScore);
    const rows = probeRows(data.rows, 12);
    const n = rows.length / 12;
    const want = new Float64Array(n);
    const got = new Float64Array(n);
    const flat = new Float64Array(n);
    predict(model, rows, 12, want, n);
    predict(imported.model, rows, 12, got, n);
    new FlatEnsemble(imported.model).predict(rows, flat, n);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(flat)).toEqual(Array.from(want));
    // And the trees themselves, node for node.
    imported.model.trees.forEach((tree, k) => {
      const original = model.trees[k]!;
      expect(Array.from(tree.feature)).toEqual(
        Array.from(original.feature, (f) => (f < 0 ? -1 : f)),
      );
      expect(Array.from(tree.left).filter((_, i) => tree.feature[i]! >= 0)).toEqual(
        Array.from(original.left).filter((_, i) => original.feature[i]! >= 0),
      );
    });
  });

  it('round-trips an ensemble without trees (the score is the base)', () => {
    const empty: TreeEnsemble = { ...model, trees: [] };
    const imported = importOnnx(exportOnnx(empty, meta)).model;
    const out = new Float64Array(1);
    predict(imported, new Float32Array(12), 12, out, 1);
    expect(out[0]).toBe(model.baseScore);
  });

  it('refuses corrupt bytes with MODEL_E_CORRUPT', () => {
    const bytes = exportOnnx(model, meta);
    expect(codeOf(() => importOnnx(bytes.subarray(0, bytes.length >> 1)))).toBe('MODEL_E_CORRUPT');
    expect(codeOf(() => importOnnx(Buffer.from('this is not a model at all')))).toBe(
      'MODEL_E_CORRUPT',
    );
    expect(codeOf(() => importOnnx(new Uint8Array(0)))).toBe('MODEL_E_CORRUPT');
  });

  it('refuses a model of another feature schema with MODEL_E_FEATURE_VERSION', () => {
    const other = exportOnnx({ ...model, featureSchemaVersion: FEATURE_SCHEMA_VERSION + 1 }, meta);
    expect(codeOf(() => importOnnx(other))).toBe('MODEL_E_FEATURE_VERSION');
    expect(() => importOnnx(other)).toThrow(/feature schema 2, this build computes 1/);
  });

  it('refuses a model of another width with MODEL_E_SIGNATURE', () => {
    const small = syntheticData(600, 4, 1);
    const narrow = trainGbdt(small.rows, small.labels, 4, {
      trees: 2,
      minRowsPerLeaf: 10,
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    });
    expect(codeOf(() => importOnnx(exportOnnx(narrow, meta)))).toBe('MODEL_E_SIGNATURE');
    expect(importOnnx(exportOnnx(narrow, meta), { nFeatures: 4 }).model.nFeatures).toBe(4);
  });

  it('refuses trees that are not trees (a cycle would never finish scoring)', () => {
    const cyclic: TreeEnsemble = {
      ...model,
      trees: [
        {
          feature: Int32Array.of(0, -1),
          threshold: Float32Array.of(0.5, 0),
          left: Int32Array.of(0, 0), // the root is its own left child
          right: Int32Array.of(1, 0),
          value: Float32Array.of(0, 1),
        },
      ],
    };
    expect(codeOf(() => importOnnx(exportOnnx(cyclic, meta)))).toBe('MODEL_E_CORRUPT');
    expect(() => importOnnx(exportOnnx(cyclic, meta))).toThrow(/not a tree/);
  });

  it('reads files, naming the file when it cannot (MODEL_E_IO)', async () => {
    const path = join(dir, 'model.onnx');
    writeFileSync(path, exportOnnx(model, meta));
    expect((await readOnnxModel(path)).model.trees).toHaveLength(12);
    const missing = join(dir, 'missing.onnx');
    await expect(readOnnxModel(missing)).rejects.toMatchObject({
      code: 'MODEL_E_IO',
      message: expect.stringContaining(missing) as unknown,
    });
  });
});
