/**
 * Gradient histograms and the best split they allow.
 *
 * A histogram holds, per feature and bin, the sum of gradients and the row count (the hessian of
 * L2 loss is 1 per row), interleaved: `h[(f * 256 + b) * 2]` is the gradient sum, `+ 1` the
 * count. Only the features a tree may use are filled.
 */

/** Doubles per feature in a histogram. */
export const FEATURE_STRIDE = 256 * 2;

/** A histogram buffer for `nFeatures` features. */
export function newHistogram(nFeatures: number): Float64Array {
  return new Float64Array(nFeatures * FEATURE_STRIDE);
}

/**
 * Fills `hist` for the rows `rowIdx[start … end)`: `orderedGrad[k - start]` is the gradient of
 * row `rowIdx[k]` (gathered once per leaf, so the inner loop reads it sequentially).
 */
export function buildHistogram(
  hist: Float64Array,
  bins: Uint8Array,
  nRows: number,
  features: Int32Array,
  rowIdx: Int32Array,
  start: number,
  end: number,
  orderedGrad: Float64Array,
): void {
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const h = f * FEATURE_STRIDE;
    hist.fill(0, h, h + FEATURE_STRIDE);
    const column = f * nRows;
    for (let k = start; k < end; k++) {
      const at = h + (bins[column + rowIdx[k]!]! << 1);
      hist[at] = hist[at]! + orderedGrad[k - start]!;
      hist[at + 1] = hist[at + 1]! + 1;
    }
  }
}

/**
 * `buildHistogram` on a row-major bin matrix (`rowBins[r * nFeatures + f]`): one row's bins are
 * read together, and its features' sums are independent, so the loop does not wait on the
 * previous row's update of the same bin as the column-by-column loop does. Each bin still adds
 * its rows in the order of `rowIdx`, so the sums are the same, bit for bit.
 */
export function buildHistogramRows(
  hist: Float64Array,
  rowBins: Uint8Array,
  nFeatures: number,
  features: Int32Array,
  binCounts: Int32Array,
  rowIdx: Int32Array,
  start: number,
  end: number,
  orderedGrad: Float64Array,
): void {
  const nf = features.length;
  for (let j = 0; j < nf; j++) {
    // Only the feature's bins in use: the others are never written, so they stay 0.
    const f = features[j]!;
    const h = f * FEATURE_STRIDE;
    hist.fill(0, h, h + 2 * binCounts[f]!);
  }
  if (nf === nFeatures) {
    // Every feature: the offsets are f * FEATURE_STRIDE, no lookup of `features` needed.
    for (let k = start; k < end; k++) {
      const g = orderedGrad[k - start]!;
      const row = rowIdx[k]! * nFeatures;
      for (let f = 0, h = 0; f < nFeatures; f++, h += FEATURE_STRIDE) {
        const at = h + (rowBins[row + f]! << 1);
        hist[at] = hist[at]! + g;
        hist[at + 1] = hist[at + 1]! + 1;
      }
    }
    return;
  }
  for (let k = start; k < end; k++) {
    const g = orderedGrad[k - start]!;
    const row = rowIdx[k]! * nFeatures;
    for (let j = 0; j < nf; j++) {
      const f = features[j]!;
      const at = f * FEATURE_STRIDE + (rowBins[row + f]! << 1);
      hist[at] = hist[at]! + g;
      hist[at + 1] = hist[at + 1]! + 1;
    }
  }
}

/** The row-major copy of a column-major bin matrix (`bins[f * nRows + r]`). */
export function rowMajorBins(bins: Uint8Array, nRows: number, nFeatures: number): Uint8Array {
  const rows = new Uint8Array(nRows * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const column = f * nRows;
    for (let r = 0, at = f; r < nRows; r++, at += nFeatures) rows[at] = bins[column + r]!;
  }
  return rows;
}

/**
 * `target -= minus` over the given features: the sibling's histogram from its parent's. With
 * `binCounts`, only each feature's bins in use (bins past a feature's count are 0 in both, as
 * `buildHistogramRows` leaves them).
 */
export function subtractHistogram(
  target: Float64Array,
  minus: Float64Array,
  features: Int32Array,
  binCounts?: Int32Array,
): void {
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const h = f * FEATURE_STRIDE;
    const end = h + (binCounts === undefined ? FEATURE_STRIDE : 2 * binCounts[f]!);
    subtractRange(target, minus, h, end);
  }
}

/**
 * `target[i] -= minus[i]` for i in [from, end). A function of its own: as the inner loop of
 * `subtractHistogram` it was compiled on-stack (OSR) and deoptimised at every exit from the
 * inner loop, so the subtraction ran mostly in the interpreter (40% of a training's CPU); called
 * once per feature, it is optimised as a whole function.
 */
function subtractRange(target: Float64Array, minus: Float64Array, from: number, end: number): void {
  for (let i = from; i < end; i++) target[i] = target[i]! - minus[i]!;
}

/** The best split of one leaf, or `gain <= 0` when there is none. */
export interface Split {
  gain: number;
  feature: number;
  /** Rows with bin <= this go left. */
  bin: number;
  leftGrad: number;
  leftCount: number;
}

/**
 * Scans every allowed feature's bins for the split with the largest L2 gain
 *   G_L²/(C_L+λ) + G_R²/(C_R+λ) − G²/(C+λ)
 * whose sides keep at least `minRows` rows each. Ties go to the lower feature, then the lower
 * bin, so the result is deterministic. Writes into `best` and returns it.
 */
export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  binCounts: Int32Array,
  sumGrad: number,
  count: number,
  lambda: number,
  minRows: number,
  best: Split,
): Split {
  best.gain = 0;
  best.feature = -1;
  best.bin = -1;
  best.leftGrad = 0;
  best.leftCount = 0;
  if (count < 2 * minRows) return best;
  const parent = (sumGrad * sumGrad) / (count + lambda);
  // The best so far in locals (written back once): the scan is the trainer's second hottest loop.
  let bestGain = 0;
  let bestFeature = -1;
  let bestBin = -1;
  let bestGrad = 0;
  let bestCount = 0;
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const h = f * FEATURE_STRIDE;
    const end = h + 2 * (binCounts[f]! - 1);
    let gl = 0;
    let cl = 0;
    for (let at = h; at < end; at += 2) {
      const g = hist[at]!;
      const c = hist[at + 1]!;
      // An empty bin (no rows, and exactly 0 left of a subtraction) leaves both sides as they
      // were at the bin before, whose gain was already weighed: skipping it changes nothing.
      if (c === 0 && g === 0) continue;
      gl += g;
      cl += c;
      if (cl < minRows) continue;
      const cr = count - cl;
      if (cr < minRows) break;
      const gr = sumGrad - gl;
      const gain = (gl * gl) / (cl + lambda) + (gr * gr) / (cr + lambda) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = (at - h) >> 1;
        bestGrad = gl;
        bestCount = cl;
      }
    }
  }
  best.gain = bestGain;
  best.feature = bestFeature;
  best.bin = bestBin;
  best.leftGrad = bestGrad;
  best.leftCount = bestCount;
  return best;
}
