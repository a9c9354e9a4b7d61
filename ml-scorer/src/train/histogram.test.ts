import { describe, expect, it } from 'vitest';
import type { Split } from './histogram.ts';
import { buildHistogram, findBestSplit, newHistogram, subtractHistogram } from './histogram.ts';

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
});
