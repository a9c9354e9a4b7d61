import { describe, expect, it } from 'vitest';
import { FlatEnsemble } from './flat-ensemble.ts';
import { trainGbdt } from './gbdt.ts';
import { syntheticData } from './synthetic-data.ts';
import { predict } from './tree-ensemble.ts';

describe('FlatEnsemble', () => {
  it('scores exactly like predict', () => {
    const data = syntheticData(10_000, 7, 4);
    const model = trainGbdt(data.rows, data.labels, 7, { trees: 20 });
    const probe = syntheticData(3_000, 7, 5);
    const a = new Float64Array(3_000);
    const b = new Float64Array(3_000);
    predict(model, probe.rows, 7, a);
    new FlatEnsemble(model).predict(probe.rows, b, 3_000);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('scores a model without trees as its base score, and checks buffer sizes', () => {
    const flat = new FlatEnsemble({
      featureSchemaVersion: 1,
      nFeatures: 2,
      baseScore: 1.5,
      trees: [],
    });
    const out = new Float32Array(2);
    flat.predict(new Float32Array(4), out, 2);
    expect(Array.from(out)).toEqual([1.5, 1.5]);
    expect(() => flat.predict(new Float32Array(3), out, 2)).toThrow(RangeError);
  });
});
