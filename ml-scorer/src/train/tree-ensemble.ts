/**
 * The trained model: a sum of regression trees, as plain typed arrays so that it survives
 * structured cloning (worker → main thread) and maps one-to-one onto an ONNX
 * TreeEnsembleRegressor (export/onnx-export.ts).
 */

/**
 * One tree in parallel arrays over its nodes; node 0 is the root. A node is a leaf when
 * `feature[i] < 0`. A split sends a row left when `x[feature] <= threshold` (NaN goes right).
 */
export interface Tree {
  readonly feature: Int32Array;
  /** Float32 so that the TS and ONNX comparisons see the same number. */
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf output with the learning rate applied; 0 on splits. */
  readonly value: Float32Array;
}

export interface TreeEnsemble {
  /** The FEATURE_SCHEMA_VERSION of the rows the model was trained on. */
  readonly featureSchemaVersion: number;
  /** Values per row. */
  readonly nFeatures: number;
  /** Added to the sum of the trees (the label mean); a float32 value, as ONNX stores it. */
  readonly baseScore: number;
  readonly trees: readonly Tree[];
}

/**
 * Scores `n` rows of `nFeatures` floats each (row-major, from `rows[0]`) into `out[0 … n)`.
 * Plain TS, allocation-free; agrees with onnxruntime to float32 rounding.
 */
export function predict(
  model: TreeEnsemble,
  rows: Float32Array,
  nFeatures: number,
  out: Float32Array | Float64Array,
  n: number = Math.floor(rows.length / nFeatures),
): void {
  if (nFeatures !== model.nFeatures) {
    throw new RangeError(`model expects ${model.nFeatures} features per row, got ${nFeatures}`);
  }
  if (n * nFeatures > rows.length || n > out.length) {
    throw new RangeError(`${n} rows do not fit the given buffers`);
  }
  const trees = model.trees;
  for (let r = 0; r < n; r++) {
    const base = r * nFeatures;
    let sum = model.baseScore;
    for (let k = 0; k < trees.length; k++) {
      const { feature, threshold, left, right, value } = trees[k]!;
      let i = 0;
      let f = feature[0]!;
      while (f >= 0) {
        i = rows[base + f]! <= threshold[i]! ? left[i]! : right[i]!;
        f = feature[i]!;
      }
      sum += value[i]!;
    }
    out[r] = sum;
  }
}

/** Number of nodes over all trees (splits and leaves). */
export function nodeCount(model: TreeEnsemble): number {
  let n = 0;
  for (const tree of model.trees) n += tree.feature.length;
  return n;
}
