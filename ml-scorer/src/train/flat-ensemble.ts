/**
 * A TreeEnsemble packed into one set of node arrays with absolute child indices: the serving
 * path scores candidates with it 20–30% faster than `predict`, which walks the per-tree
 * objects (ml-scorer/README.md has the numbers). Same results, bit for bit.
 */
import type { TreeEnsemble } from './tree-ensemble.ts';

export class FlatEnsemble {
  readonly nFeatures: number;
  readonly #baseScore: number;
  readonly #roots: Int32Array;
  readonly #feature: Int32Array;
  readonly #threshold: Float32Array;
  readonly #left: Int32Array;
  readonly #right: Int32Array;
  readonly #value: Float32Array;

  constructor(model: TreeEnsemble) {
    let n = 0;
    for (const t of model.trees) n += t.feature.length;
    this.nFeatures = model.nFeatures;
    this.#baseScore = model.baseScore;
    this.#roots = new Int32Array(model.trees.length);
    this.#feature = new Int32Array(n);
    this.#threshold = new Float32Array(n);
    this.#left = new Int32Array(n);
    this.#right = new Int32Array(n);
    this.#value = new Float32Array(n);
    let at = 0;
    model.trees.forEach((t, k) => {
      this.#roots[k] = at;
      this.#feature.set(t.feature, at);
      this.#threshold.set(t.threshold, at);
      this.#value.set(t.value, at);
      for (let i = 0; i < t.feature.length; i++) {
        this.#left[at + i] = t.left[i]! + at;
        this.#right[at + i] = t.right[i]! + at;
      }
      at += t.feature.length;
    });
  }

  /** Scores `n` rows (row-major, from `rows[0]`) into `out[0 … n)`, like `predict`. */
  predict(rows: Float32Array, out: Float32Array | Float64Array, n: number): void {
    const nf = this.nFeatures;
    if (n * nf > rows.length || n > out.length) {
      throw new RangeError(`${n} rows do not fit the given buffers`);
    }
    const roots = this.#roots;
    const feature = this.#feature;
    const threshold = this.#threshold;
    const left = this.#left;
    const right = this.#right;
    const value = this.#value;
    for (let r = 0; r < n; r++) {
      const base = r * nf;
      let sum = this.#baseScore;
      for (let k = 0; k < roots.length; k++) {
        let i = roots[k]!;
        let f = feature[i]!;
        while (f >= 0) {
          i = rows[base + f]! <= threshold[i]! ? left[i]! : right[i]!;
          f = feature[i]!;
        }
        sum += value[i]!;
      }
      out[r] = sum;
    }
  }
}
