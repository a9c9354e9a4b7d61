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

/** `target -= minus` over the given features: the sibling's histogram from its parent's. */
export function subtractHistogram(
  target: Float64Array,
  minus: Float64Array,
  features: Int32Array,
): void {
  for (let j = 0; j < features.length; j++) {
    const h = features[j]! * FEATURE_STRIDE;
    for (let i = h; i < h + FEATURE_STRIDE; i++) target[i] = target[i]! - minus[i]!;
  }
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
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const h = f * FEATURE_STRIDE;
    const last = binCounts[f]! - 1;
    let gl = 0;
    let cl = 0;
    for (let b = 0; b < last; b++) {
      gl += hist[h + 2 * b]!;
      cl += hist[h + 2 * b + 1]!;
      if (cl < minRows) continue;
      const cr = count - cl;
      if (cr < minRows) break;
      const gr = sumGrad - gl;
      const gain = (gl * gl) / (cl + lambda) + (gr * gr) / (cr + lambda) - parent;
      if (gain > best.gain) {
        best.gain = gain;
        best.feature = f;
        best.bin = b;
        best.leftGrad = gl;
        best.leftCount = cl;
      }
    }
  }
  return best;
}
