import { describe, expect, it } from 'vitest';

import { createRandom } from '../util/random.ts';
import type { Random } from '../util/random.ts';
import { CompiledEnsemble, MAX_COMPILED_NODES, scorerFor } from './compiled-ensemble.ts';
import type { Tree, TreeEnsemble } from './tree-model.ts';
import { FlatEnsemble } from './tree-model.ts';

/** A random tree of `leaves` leaves over `nf` features, with float32 thresholds and values. */
function randomTree(random: Random, nf: number, leaves: number): Tree {
  const feature: number[] = [-1];
  const threshold: number[] = [0];
  const left: number[] = [0];
  const right: number[] = [0];
  const value: number[] = [random.next() * 4 - 2];
  const open = [0];
  for (let made = 1; made < leaves; made++) {
    const at = open.splice(random.int(open.length), 1)[0]!;
    feature[at] = random.int(nf);
    threshold[at] = random.next() < 0.1 ? 1e9 : random.next() * 100 - 10;
    value[at] = 0;
    for (const side of [left, right]) {
      side[at] = feature.length;
      open.push(feature.length);
      feature.push(-1);
      threshold.push(0);
      left.push(0);
      right.push(0);
      value.push(random.next() * 4 - 2);
    }
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float32Array.from(value),
  };
}

function randomModel(seed: number, trees: number, leaves: number, nf = 12): TreeEnsemble {
  const random = createRandom(seed);
  return {
    featureSchemaVersion: 1,
    nFeatures: nf,
    baseScore: Math.fround(random.next() * 10),
    trees: Array.from({ length: trees }, () => randomTree(random, nf, leaves)),
  };
}

describe('CompiledEnsemble', () => {
  it('scores bit for bit like FlatEnsemble, NaN and the MISSING sentinel included', () => {
    for (const seed of [1, 2, 3, 4]) {
      const model = randomModel(seed, 8, 32);
      const random = createRandom(seed + 100);
      const n = 500;
      const rows = new Float32Array(n * 12);
      for (let i = 0; i < rows.length; i++) {
        const u = random.next();
        rows[i] = u < 0.05 ? Number.NaN : u < 0.1 ? 1e9 : random.next() * 120 - 15;
      }
      // Exact threshold values too: `<=` must send them left in both.
      rows[0] = model.trees[0]!.threshold[0]!;
      const flat = new Float64Array(n);
      const compiled = new Float64Array(n);
      new FlatEnsemble(model).predict(rows, flat, n);
      new CompiledEnsemble(model).predict(rows, compiled, n);
      expect(Array.from(compiled)).toEqual(Array.from(flat));
    }
  });

  it('carries the schema and tree count, scores a stump, and refuses buffers that do not fit', () => {
    const stump: TreeEnsemble = {
      featureSchemaVersion: 3,
      nFeatures: 2,
      baseScore: 0.5,
      trees: [randomTree(createRandom(9), 2, 1)],
    };
    const compiled = new CompiledEnsemble(stump);
    expect([compiled.featureSchemaVersion, compiled.nFeatures, compiled.treeCount]).toEqual([
      3, 2, 1,
    ]);
    const out = new Float64Array(1);
    compiled.predict(Float32Array.of(1, 2), out, 1);
    expect(out[0]).toBe(0.5 + stump.trees[0]!.value[0]!);
    expect(() => compiled.predict(Float32Array.of(1, 2), new Float64Array(1), 2)).toThrow(
      RangeError,
    );
  });

  it('scorerFor compiles when asked and the model is small enough, else stays flat', () => {
    const small = randomModel(5, 8, 32);
    expect(scorerFor(small, true)).toBeInstanceOf(CompiledEnsemble);
    expect(scorerFor(small, false)).toBeInstanceOf(FlatEnsemble);
    const big = randomModel(6, Math.ceil(MAX_COMPILED_NODES / 63) + 1, 32);
    expect(scorerFor(big, true)).toBeInstanceOf(FlatEnsemble);
  });

  it('refuses a split on a feature the rows do not have', () => {
    const tree: Tree = {
      feature: Int32Array.of(2, -1, -1),
      threshold: Float32Array.of(1, 0, 0),
      left: Int32Array.of(1, 0, 0),
      right: Int32Array.of(2, 0, 0),
      value: Float32Array.of(0, 1, 2),
    };
    const bad: TreeEnsemble = {
      featureSchemaVersion: 1,
      nFeatures: 2,
      baseScore: 0,
      trees: [tree],
    };
    expect(() => new CompiledEnsemble(bad)).toThrow(RangeError);
  });
});
