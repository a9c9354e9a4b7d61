import { describe, expect, it } from 'vitest';
import type { Split } from './histogram.ts';
import { createRandom } from '../../../node/src/util/random.ts';
import {
  FEATURE_STRIDE,
  buildHistogram,
  buildHistogramRows,
  findBestSplit,
  newHistogram,
  rowMajorBins,
  subtractHistogram,
} from './histogram.ts';

const blank = (): Split => ({ gain: 0, feature: -1, bin: -1, leftGrad: 0, leftCount: 0 });

describe('histograms', () => {
  // 2 features, 6 rows, column-major bins.
  const bins = Uint8Array.of(0, 0, 1, 1, 2, 2, /* f1 */ 0, 1, 0, 1, 0, 1);
  const grad = Float64Array.of(-3, -3, -3, 3, 3, 3);
  const features = Int32Array.of(0, 1);

  it('sums gradients and counts per bin, and a sibling is parent minus the other', () => {
    const parent = newHistogram(2);
    const rows = Int32Array.of(0, 1, 2, 3, 4, 5);
    buildHistogram(parent, bins, 6, features, rows, 0, 6, grad);
    expect(Array.from(parent.subarray(0, 6))).toEqual([-6, 2, 0, 2, 6, 2]);
    const left = newHistogram(2);
    const leftRows = Int32Array.of(0, 1, 2);
    buildHistogram(left, bins, 6, features, leftRows, 0, 3, Float64Array.of(-3, -3, -3));
    subtractHistogram(parent, left, features);
    const right = newHistogram(2);
    buildHistogram(right, bins, 6, features, Int32Array.of(3, 4, 5), 0, 3, grad.subarray(3));
    expect(Array.from(parent)).toEqual(Array.from(right));
  });

  it('finds the split with the largest gain, respecting the minimum rows', () => {
    const hist = newHistogram(2);
    buildHistogram(hist, bins, 6, features, Int32Array.of(0, 1, 2, 3, 4, 5), 0, 6, grad);
    const binCounts = Int32Array.of(3, 2);
    // Feature 0 has bins (-6, 0, +6) of 2 rows each: a split after bin 0 (2 | 4 rows) and after
    // bin 1 (4 | 2 rows) gain the same, and the lower bin wins the tie. Feature 1 gains less.
    const best = findBestSplit(hist, features, binCounts, 0, 6, 0, 1, blank());
    expect(best).toMatchObject({ feature: 0, bin: 0, leftGrad: -6, leftCount: 2 });
    expect(best.gain).toBeCloseTo(36 / 2 + 36 / 4, 9);
    // With at least 3 rows per side, only feature 1 (3 | 3 rows) can split.
    const wide = findBestSplit(hist, features, binCounts, 0, 6, 0, 3, blank());
    expect(wide).toMatchObject({ feature: 1, bin: 0, leftCount: 3 });
    // Too few rows to split at all.
    expect(findBestSplit(hist, features, binCounts, 0, 6, 0, 4, blank()).gain).toBe(0);
  });

  it('builds the same histogram, bit for bit, from row-major bins', () => {
    const random = createRandom(3);
    const nRows = 5000;
    const nFeatures = 6;
    const binCounts = Int32Array.of(256, 3, 256, 40, 256, 1);
    const bins = new Uint8Array(nRows * nFeatures);
    // A few bins per feature, one of them heavy, so that sums run long and rounding shows.
    for (let f = 0; f < nFeatures; f++) {
      for (let r = 0; r < nRows; r++) {
        bins[f * nRows + r] = random.next() < 0.5 ? 0 : random.int(binCounts[f]!);
      }
    }
    const grad = Float64Array.from({ length: nRows }, () => (random.next() - 0.5) * 1e3);
    const rowIdx = Int32Array.from({ length: 3000 }, (_, i) => (i * 7) % nRows);
    const ordered = Float64Array.from(rowIdx, (r) => grad[r]!);
    const rows = rowMajorBins(bins, nRows, nFeatures);
    expect(rows[3 * nFeatures + 2]).toBe(bins[2 * nRows + 3]);
    for (const features of [Int32Array.of(0, 1, 2, 3, 4, 5), Int32Array.of(1, 4, 5)]) {
      const byColumn = newHistogram(nFeatures).fill(7);
      buildHistogram(byColumn, bins, nRows, features, rowIdx, 100, 2900, ordered.subarray(100));
      // A reused buffer: stale sums in the bins in use, zeros past them (never written).
      const byRow = newHistogram(nFeatures);
      for (let f = 0; f < nFeatures; f++)
        byRow.fill(7, f * FEATURE_STRIDE, f * FEATURE_STRIDE + 2 * binCounts[f]!);
      const og = ordered.subarray(100);
      buildHistogramRows(byRow, rows, nFeatures, features, binCounts, rowIdx, 100, 2900, og);
      for (const f of features) {
        const at = f * FEATURE_STRIDE;
        const stride = (h: Float64Array) => Array.from(h.subarray(at, at + FEATURE_STRIDE));
        expect(stride(byRow)).toEqual(stride(byColumn));
      }
      // The sibling by subtraction, over the bins in use only, equals the full subtraction.
      const child = newHistogram(nFeatures);
      buildHistogramRows(child, rows, nFeatures, features, binCounts, rowIdx, 100, 1000, og);
      const full = byColumn.slice();
      const part = byRow.slice();
      subtractHistogram(full, child, features);
      subtractHistogram(part, child, features, binCounts);
      for (const f of features) {
        const at = f * FEATURE_STRIDE;
        expect(part[at + 1]).toBeLessThan(byRow[at + 1]!); // the child's rows came off
        expect(Array.from(part.subarray(at, at + FEATURE_STRIDE))).toEqual(
          Array.from(full.subarray(at, at + FEATURE_STRIDE)),
        );
      }
    }
  });

  it('finds the same split as a scan that does not skip empty bins', () => {
    const random = createRandom(4);
    for (let run = 0; run < 200; run++) {
      const nFeatures = 3;
      const hist = newHistogram(nFeatures);
      let sumGrad = 0;
      let count = 0;
      const binCounts = Int32Array.of(256, 1 + random.int(255), 2);
      for (let f = 0; f < nFeatures; f++) {
        for (let b = 0; b < binCounts[f]!; b++) {
          if (random.next() < 0.6) continue; // empty
          const c = 1 + random.int(30);
          // Some empty bins carry a rounding residue, as a subtracted histogram can.
          const g = random.next() < 0.1 ? 1e-12 : (random.next() - 0.3) * c;
          hist[f * FEATURE_STRIDE + 2 * b] = g;
          hist[f * FEATURE_STRIDE + 2 * b + 1] = g === 1e-12 ? 0 : c;
          if (f === 0) {
            sumGrad += g;
            count += g === 1e-12 ? 0 : c;
          }
        }
      }
      const features = Int32Array.of(0, 1, 2);
      const minRows = 1 + random.int(20);
      const got = findBestSplit(hist, features, binCounts, sumGrad, count, 1, minRows, blank());
      expect(got).toEqual(naiveBestSplit(hist, features, binCounts, sumGrad, count, 1, minRows));
    }
  });
});

/** findBestSplit as first written: every bin, empty or not. */
function naiveBestSplit(
  hist: Float64Array,
  features: Int32Array,
  binCounts: Int32Array,
  sumGrad: number,
  count: number,
  lambda: number,
  minRows: number,
): Split {
  const best = blank();
  if (count < 2 * minRows) return best;
  const parent = (sumGrad * sumGrad) / (count + lambda);
  for (const f of features) {
    const h = f * FEATURE_STRIDE;
    let gl = 0;
    let cl = 0;
    for (let b = 0; b < binCounts[f]! - 1; b++) {
      gl += hist[h + 2 * b]!;
      cl += hist[h + 2 * b + 1]!;
      if (cl < minRows) continue;
      const cr = count - cl;
      if (cr < minRows) break;
      const gr = sumGrad - gl;
      const gain = (gl * gl) / (cl + lambda) + (gr * gr) / (cr + lambda) - parent;
      if (gain > best.gain)
        Object.assign(best, { gain, feature: f, bin: b, leftGrad: gl, leftCount: cl });
    }
  }
  return best;
}
