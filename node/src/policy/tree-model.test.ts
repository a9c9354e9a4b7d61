import { describe, expect, it } from 'vitest';
import type { TreeEnsemble } from './tree-model.ts';
import { averageEnsembles, FlatEnsemble, nodeCount, predict } from './tree-model.ts';

/** x0 <= 1 ? (x1 <= 5 ? 10 : 20) : 30, plus a stump on x1, base 0.5. */
const model: TreeEnsemble = {
  featureSchemaVersion: 1,
  nFeatures: 2,
  baseScore: 0.5,
  trees: [
    {
      feature: Int32Array.of(0, 1, -1, -1, -1),
      threshold: Float32Array.of(1, 5, 0, 0, 0),
      left: Int32Array.of(1, 2, 0, 0, 0),
      right: Int32Array.of(4, 3, 0, 0, 0),
      value: Float32Array.of(0, 0, 10, 20, 30),
    },
    {
      feature: Int32Array.of(1, -1, -1),
      threshold: Float32Array.of(0, 0, 0),
      left: Int32Array.of(1, 0, 0),
      right: Int32Array.of(2, 0, 0),
      value: Float32Array.of(0, -1, 1),
    },
  ],
};

describe('tree model', () => {
  const rows = Float32Array.of(1, 5, 1, 6, 2, -1, Number.NaN, 0);
  const expected = [10.5 + 1, 20.5 + 1, 30.5 - 1, 30.5 - 1]; // NaN goes right

  it('predict walks each tree (left when x <= threshold, NaN right) and adds the base', () => {
    const out = new Float64Array(4);
    predict(model, rows, 2, out);
    expect(Array.from(out)).toEqual(expected);
    expect(nodeCount(model)).toBe(8);
  });

  it('FlatEnsemble scores the same and carries the model’s schema', () => {
    const flat = new FlatEnsemble(model);
    const out = new Float64Array(4);
    flat.predict(rows, out, 4);
    expect(Array.from(out)).toEqual(expected);
    expect([flat.featureSchemaVersion, flat.nFeatures, flat.treeCount]).toEqual([1, 2, 2]);
  });

  it('refuses buffers that do not fit', () => {
    expect(() => predict(model, rows, 3, new Float64Array(4))).toThrow(RangeError);
    expect(() => new FlatEnsemble(model).predict(rows, new Float64Array(2), 4)).toThrow(RangeError);
  });

  it('averageEnsembles scores the mean of both models, without changing them', () => {
    const other: TreeEnsemble = { ...model, baseScore: 2.5, trees: [model.trees[1]!] };
    const mean = averageEnsembles(model, other);
    const out = new Float64Array(4);
    new FlatEnsemble(mean).predict(rows, out, 4);
    const second = [2.5 + 1, 2.5 + 1, 2.5 - 1, 2.5 - 1];
    expect(Array.from(out)).toEqual(expected.map((x, i) => (x + second[i]!) / 2));
    expect(mean.trees.length).toBe(3);
    expect(model.trees[0]!.value[2]).toBe(10);
    expect(() => averageEnsembles(model, { ...other, nFeatures: 3 })).toThrow(RangeError);
  });
});
