import { describe, expect, it } from 'vitest';

import { createRandom } from '../util/random.ts';
import { FEATURE_COUNT } from './features.ts';
import { disagreement, judgeModel, robustSpread, sizeTerms } from './model-gate.ts';
import { RowWindow } from './online-labeler.ts';
import type { Scorer } from './scorer-port.ts';

/** Held-out rows whose label is log1p(age): an LRU-like truth. */
function window(n: number): RowWindow {
  const w = new RowWindow(n, FEATURE_COUNT);
  const random = createRandom(3);
  const row = new Float32Array(FEATURE_COUNT);
  for (let i = 0; i < n; i++) {
    row[0] = Math.floor(random.next() * 10_000);
    row[1] = 1 + Math.floor(random.next() * 20);
    w.push(row, 0, Math.log1p(row[0]));
  }
  return w;
}

function scorer(score: (age: number, i: number) => number): Scorer {
  return {
    featureSchemaVersion: 1,
    nFeatures: FEATURE_COUNT,
    predict(rows, out, n) {
      for (let i = 0; i < n; i++) out[i] = score(rows[i * FEATURE_COUNT]!, i);
    },
  };
}

/**
 * Held-out rows of a byte budget: the next-access gap sits in feature 2 (which the base does not
 * read), the age in feature 0 is unrelated, and log2 size (feature 8) spans 0–16, or is
 * `log2Size` on every row when given.
 */
function sizedWindow(n: number, log2Size?: number): RowWindow {
  const w = new RowWindow(n, FEATURE_COUNT);
  const random = createRandom(11);
  const row = new Float32Array(FEATURE_COUNT);
  for (let i = 0; i < n; i++) {
    row[0] = Math.floor(random.next() * 10_000);
    row[2] = Math.floor(random.next() * 10_000);
    row[8] = log2Size ?? Math.floor(random.next() * 17);
    w.push(row, 0, Math.log1p(row[2]));
  }
  return w;
}

/** Predicts log1p(gap) × `scale` plus uniform noise of width `noise` (seeded, per row). */
function gapScorer(scale: number, noise: number): Scorer {
  const random = createRandom(17);
  const jitter = Float64Array.from({ length: 4096 }, () => noise * (random.next() - 0.5));
  return {
    featureSchemaVersion: 1,
    nFeatures: FEATURE_COUNT,
    predict(rows, out, n) {
      for (let i = 0; i < n; i++) {
        out[i] = scale * Math.log1p(rows[i * FEATURE_COUNT + 2]!) + jitter[i % jitter.length]!;
      }
    },
  };
}

describe('model gate', () => {
  const rows = window(2000);
  const options = { kind: 'lru' as const, pairs: 5000, seed: 1, minGain: 0, minRows: 64 };

  it('accepts a model only if it orders held-out rows better than the current one and the base', () => {
    const noisy = createRandom(5);
    const good = scorer((age) => Math.log1p(age));
    const worse = scorer((age) => Math.log1p(age) + 3 * noisy.next());
    expect(judgeModel(worse, null, rows, options).accept).toBe(false); // the base orders by age
    const verdict = judgeModel(good, worse, rows, options);
    expect(verdict.challenger).toBeGreaterThan(verdict.current);
    expect(judgeModel(worse, good, rows, options).accept).toBe(false);
  });

  it('disagreement is the robust spread of two models’ differences, ignoring a common shift', () => {
    const a = scorer((age) => Math.log1p(age));
    const shifted = scorer((age) => Math.log1p(age) + 5);
    expect(disagreement(a, shifted, rows)).toBe(0);
    const random = createRandom(9);
    const noise = Float64Array.from({ length: 2000 }, () => random.next() - 0.5);
    const noisy = scorer((age, i) => Math.log1p(age) + noise[i]!);
    // Uniform noise of width 1: median absolute deviation 0.25, so 1.4826 × 0.25.
    expect(disagreement(noisy, a, rows)).toBeCloseTo(1.4826 * 0.25, 1);
    // One wild row does not move it much (it is robust).
    expect(robustSpread(Float64Array.of(0, 1, 2, 3, 1e9))).toBeCloseTo(1.4826, 6);
  });

  describe('under a byte budget (sizeAware)', () => {
    const sized = sizedWindow(2000);
    const bySize = { ...options, sizeAware: true };
    // A perfect gap order on the wrong scale: 8 × log1p(gap) lets a predicted gap outweigh any
    // size difference, so eviction (score + ln size) misorders pairs that differ mostly in size.
    const overScaled = gapScorer(8, 0);
    // On the label's own scale, with noise: a slightly worse gap order, a far better one by
    // expected cost (gap × size), which is what eviction ranks by.
    const calibrated = gapScorer(1, 0.6);

    it('by the gap alone (the old gate), the over-scaled model wins', () => {
      const verdict = judgeModel(overScaled, calibrated, sized, options);
      expect(verdict.accept).toBe(true);
      expect(verdict.challenger).toBe(1);
      expect(judgeModel(calibrated, overScaled, sized, options).accept).toBe(false);
    });

    it('judges score + ln(size) against label + ln(size), as eviction ranks', () => {
      const verdict = judgeModel(calibrated, overScaled, sized, bySize);
      expect(verdict.accept).toBe(true);
      expect(verdict.challenger).toBeGreaterThan(verdict.current + 0.05);
      expect(judgeModel(overScaled, calibrated, sized, bySize).accept).toBe(false);
      // The base (age, blind to size) is judged as it evicts, against the same target: here it
      // knows nothing of the gap, and is beaten.
      expect(verdict.base).toBeLessThan(0.6);
    });

    it('changes nothing when sizes do not vary (an object budget, or equal sizes)', () => {
      for (const log2Size of [0, 10]) {
        const same = sizedWindow(2000, log2Size);
        expect(sizeTerms(same.rows, same.size)).toBeNull();
        for (const [a, b] of [
          [overScaled, calibrated],
          [calibrated, overScaled],
        ] as const) {
          expect(judgeModel(a, b, same, bySize)).toEqual(judgeModel(a, b, same, options));
        }
      }
    });

    it('reads ln(size) from the log2-size feature', () => {
      const terms = sizeTerms(sized.rows, 3)!;
      for (let i = 0; i < 3; i++) {
        expect(terms[i]).toBeCloseTo(Math.log(2 ** sized.rows[i * FEATURE_COUNT + 8]!), 9);
      }
    });
  });
});
