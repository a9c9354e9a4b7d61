/**
 * Histogram gradient boosting of regression trees with L2 loss (research note §4.4): bin the
 * features once, then fit each tree to the residuals of the trees before it. Pure and
 * synchronous; train-in-worker.ts runs it off the serving thread.
 */
import { createRandom } from '../../../node/src/util/random.ts';
import type { Random } from '../../../node/src/util/random.ts';
import { binRows, computeBinEdges } from './binning.ts';
import type { GbdtParams } from './params.ts';
import { resolveParams } from './params.ts';
import type { BinnedTree } from './tree-builder.ts';
import { TreeBuilder } from './tree-builder.ts';
import type { Tree, TreeEnsemble } from './tree-ensemble.ts';

/**
 * Trains on `labels.length` rows of `nFeatures` floats (row-major in `rows`). Finite inputs are
 * expected (use sentinels, not NaN). The same data and `params.seed` give the same model.
 */
export function trainGbdt(
  rows: Float32Array,
  labels: Float32Array,
  nFeatures: number,
  overrides: Partial<GbdtParams> = {},
): TreeEnsemble {
  const params = resolveParams(overrides);
  const nRows = labels.length;
  if (!Number.isInteger(nFeatures) || nFeatures < 1) {
    throw new RangeError(`nFeatures must be a positive integer, got ${nFeatures}`);
  }
  if (rows.length < nRows * nFeatures) {
    throw new RangeError(`${rows.length} values cannot hold ${nRows} rows of ${nFeatures}`);
  }
  let mean = 0;
  for (let r = 0; r < nRows; r++) mean += labels[r]!;
  const baseScore = Math.fround(nRows > 0 ? mean / nRows : 0);
  const model = { featureSchemaVersion: params.featureSchemaVersion, nFeatures, baseScore };
  if (nRows === 0 || params.trees === 0) return { ...model, trees: [] };

  const random = createRandom(params.seed);
  const { maxBins, binSampleRows } = params;
  const edges = computeBinEdges(rows, nRows, nFeatures, maxBins, binSampleRows, random);
  const bins = binRows(rows, nRows, nFeatures, edges);
  const builder = new TreeBuilder(bins, nRows, edges, params);

  const pred = new Float64Array(nRows).fill(baseScore);
  const grad = new Float64Array(nRows);
  const rowIdx = new Int32Array(nRows);
  const outOfBag = new Int32Array(nRows);
  const allFeatures = Int32Array.from({ length: nFeatures }, (_, f) => f);
  const trees: Tree[] = [];
  for (let k = 0; k < params.trees; k++) {
    for (let r = 0; r < nRows; r++) grad[r] = pred[r]! - labels[r]!;
    const nUsed = sampleRows(rowIdx, outOfBag, nRows, params.rowSubsample, random);
    const features = sampleFeatures(allFeatures, params.featureSubsample, random);
    const tree = builder.grow(grad, rowIdx, nUsed, features);
    builder.addToGrownRows(pred, rowIdx, tree);
    addTree(pred, tree, bins, nRows, outOfBag, nRows - nUsed);
    trees.push({
      feature: tree.feature,
      threshold: tree.threshold,
      left: tree.left,
      right: tree.right,
      value: tree.value,
    });
  }
  return { ...model, trees };
}

/**
 * Splits the rows into those a tree is grown on (`rowIdx`, ascending; the count is returned) and
 * the others (`outOfBag`, ascending), keeping each row with probability `fraction`.
 */
function sampleRows(
  rowIdx: Int32Array,
  outOfBag: Int32Array,
  nRows: number,
  fraction: number,
  random: Random,
): number {
  let n = 0;
  let o = 0;
  if (fraction >= 1) {
    for (let r = 0; r < nRows; r++) rowIdx[n++] = r;
    return n;
  }
  for (let r = 0; r < nRows; r++) {
    if (random.next() < fraction) rowIdx[n++] = r;
    else outOfBag[o++] = r;
  }
  // Never grow on nothing: a tiny data set could otherwise sample zero rows.
  if (n === 0) {
    rowIdx[n++] = outOfBag[0]!;
    outOfBag.copyWithin(0, 1, o);
  }
  return n;
}

/** A sorted random subset of round(fraction × F) features (at least one). */
function sampleFeatures(all: Int32Array, fraction: number, random: Random): Int32Array {
  if (fraction >= 1) return all;
  const take = Math.max(1, Math.round(all.length * fraction));
  const pool = all.slice();
  for (let i = 0; i < take; i++) {
    const j = i + random.int(pool.length - i);
    const swap = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = swap;
  }
  return pool.subarray(0, take).sort();
}

/** Adds a tree's output to the predictions of the listed rows, routing them by their bins. */
function addTree(
  pred: Float64Array,
  tree: BinnedTree,
  bins: Uint8Array,
  nRows: number,
  list: Int32Array,
  n: number,
): void {
  const { feature, splitBin, left, right, value } = tree;
  for (let j = 0; j < n; j++) {
    const r = list[j]!;
    let i = 0;
    let f = feature[0]!;
    while (f >= 0) {
      i = bins[f * nRows + r]! <= splitBin[i]! ? left[i]! : right[i]!;
      f = feature[i]!;
    }
    pred[r] = pred[r]! + value[i]!;
  }
}
