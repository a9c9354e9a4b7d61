import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../node/src/policy/features.ts';
import { trainGbdt } from '../train/gbdt.ts';
import { syntheticData } from '../train/synthetic-data.ts';
import { exportOnnx } from './onnx-export.ts';
import { inspectOnnx } from './onnx-inspect.ts';
import { fieldMessage, fieldText, readFields } from './protobuf-reader.ts';

const meta = {
  modelId: 'm-1',
  trainedAt: '2026-11-25T12:00:00.000Z',
  trainingRows: 4000,
  trainerParams: { trees: 5, seed: 2 },
};

/** The TreeEnsembleRegressor node's attributes, name → raw fields. */
function attributes(bytes: Uint8Array) {
  const graph = fieldMessage(readFields(bytes).find((f) => f.field === 7)!);
  const node = fieldMessage(graph.find((f) => f.field === 1)!);
  const out = new Map<string, ReturnType<typeof readFields>>();
  for (const a of node.filter((f) => f.field === 5).map(fieldMessage)) {
    out.set(fieldText(a.find((f) => f.field === 1)!), a);
  }
  return out;
}

describe('exportOnnx', () => {
  const data = syntheticData(4000, 12, 3);
  const model = trainGbdt(data.rows, data.labels, 12, { trees: 5, seed: 2 });
  const bytes = exportOnnx(model, meta);

  it('writes the header, opset, signature and metadata a loader checks', () => {
    const info = inspectOnnx(bytes);
    expect(info.irVersion).toBe(8);
    expect(info.opsets).toEqual([{ domain: 'ai.onnx.ml', version: 3 }]);
    expect(info.operators).toEqual(['ai.onnx.ml:TreeEnsembleRegressor']);
    expect(info.inputs).toEqual([{ name: 'X', elemType: 1, dims: ['N', 12] }]);
    expect(info.outputs).toEqual([{ name: 'Y', elemType: 1, dims: ['N', 1] }]);
    expect(info.metadata).toEqual({
      feature_schema_version: String(model.featureSchemaVersion),
      n_features: '12',
      feature_names: JSON.stringify(FEATURE_NAMES),
      training_rows: '4000',
      trained_at: meta.trainedAt,
      trainer_params: '{"trees":5,"seed":2}',
      model_id: 'm-1',
    });
  });

  it('lists every node once and every leaf as a target', () => {
    const attrs = attributes(bytes);
    const nodes = model.trees.reduce((n, t) => n + t.feature.length, 0);
    const leaves = model.trees.reduce((n, t) => n + t.feature.filter((f) => f < 0).length, 0);
    const packedLength = (name: string, bytesPer?: number): number => {
      const payload = attrs.get(name)!.find((f) => f.field === 7 || f.field === 8)!.bytes!;
      if (bytesPer !== undefined) return payload.length / bytesPer;
      return payload.filter((b) => b < 0x80).length; // one final byte per varint
    };
    expect(packedLength('nodes_nodeids')).toBe(nodes);
    expect(packedLength('nodes_values', 4)).toBe(nodes);
    expect(attrs.get('nodes_modes')!.filter((f) => f.field === 9)).toHaveLength(nodes);
    expect(packedLength('target_nodeids')).toBe(leaves);
    expect(packedLength('target_weights', 4)).toBe(leaves);
    expect(attrs.get('aggregate_function')!.map((f) => f.field)).toContain(4);
  });

  it('names features f0… when they are not the standard schema, and checks counts', () => {
    const small = syntheticData(500, 4, 1);
    const m = trainGbdt(small.rows, small.labels, 4, { trees: 1, minRowsPerLeaf: 10 });
    expect(inspectOnnx(exportOnnx(m, meta)).metadata.feature_names).toBe('["f0","f1","f2","f3"]');
    expect(() => exportOnnx(m, { ...meta, featureNames: ['a'] })).toThrow(RangeError);
  });

  it('is deterministic', () => {
    expect(Buffer.from(exportOnnx(model, meta)).equals(Buffer.from(bytes))).toBe(true);
  });
});
