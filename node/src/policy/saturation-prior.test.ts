import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from './features.ts';
import {
  countNow,
  FREQ_FEATURE,
  LOG2_SIZE_FEATURE,
  priorFeature,
  priorVictimRow,
  rawPrediction,
  saturationLevel,
} from './saturation-prior.ts';

/** A batch of rows with the given accesses, log2 sizes and scores. */
function batch(rows: { freq: number; log2Size?: number; score: number }[]) {
  const features = new Float32Array(rows.length * FEATURE_COUNT);
  const scores = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    features[i * FEATURE_COUNT + FREQ_FEATURE] = r.freq;
    features[i * FEATURE_COUNT + LOG2_SIZE_FEATURE] = r.log2Size ?? 0;
    scores[i] = r.score;
  });
  return { features, scores };
}

describe('saturation prior', () => {
  it('places the cap level at log1p(cap) less the tolerance', () => {
    expect(saturationLevel(192, 0)).toBeCloseTo(Math.log(193), 12);
    expect(saturationLevel(192, 0.1)).toBeCloseTo(Math.log(193) - 0.1, 12);
  });

  it('removes the size term of size-aware scores only', () => {
    expect(rawPrediction(5 + 3 * Math.LN2, 3, true)).toBeCloseTo(5, 12);
    expect(rawPrediction(5, 3, false)).toBe(5);
    expect(rawPrediction(5, 0, true)).toBe(5);
  });

  it('takes a saturated row seen fewer times than the head, the fewest-seen first', () => {
    const { features, scores } = batch([
      { freq: 9, score: 5.3 }, // the head, skipped (from = 1)
      { freq: 2, score: 5.3 },
      { freq: 1, score: 5.25 },
      { freq: 1, score: 5.28 },
      { freq: 3, score: 5.3 },
    ]);
    expect(priorVictimRow(features, scores, 1, 5, 5.2, 3, true)).toBe(3);
    // The head is seen no more often than any row: nothing is taken.
    expect(priorVictimRow(features, scores, 1, 5, 5.2, 1, true)).toBe(-1);
    // From the row with 2 accesses up only (n bounds the batch).
    expect(priorVictimRow(features, scores, 1, 2, 5.2, 3, true)).toBe(1);
  });

  it('leaves rows the model ranks below the cap to the model', () => {
    const { features, scores } = batch([
      { freq: 1, score: 4.0 },
      { freq: 1, score: 5.0 },
      { freq: 2, score: 5.3 },
    ]);
    expect(priorVictimRow(features, scores, 0, 3, 5.2, 3, false)).toBe(2);
    expect(priorVictimRow(features, scores, 0, 2, 5.2, 3, false)).toBe(-1);
  });

  it('judges saturation on the prediction, not on the size-aware score', () => {
    // ln(8) added by size-aware ranking lifts 3.5 to 5.58, but the prediction is below the level.
    const { features, scores } = batch([{ freq: 1, log2Size: 3, score: 3.5 + 3 * Math.LN2 }]);
    expect(priorVictimRow(features, scores, 0, 1, 5.2, 2, true)).toBe(-1);
    expect(priorVictimRow(features, scores, 0, 1, 5.2, 2, false)).toBe(0);
  });

  it('counts with all accesses or with a decayed counter', () => {
    expect(priorFeature(0)).toBe(FREQ_FEATURE);
    expect([10, 13, 16].map(priorFeature)).toEqual([5, 6, 7]);
    expect(() => priorFeature(12)).toThrow(RangeError);
    expect(countNow(3, 5000, 0)).toBe(3);
    expect(countNow(3, 1024, 10)).toBeCloseTo(1.5, 12);
    expect(countNow(3, 0, 13)).toBe(3);
  });

  it('compares decayed counts when given their feature', () => {
    const features = new Float32Array(2 * FEATURE_COUNT);
    const scores = new Float64Array([6, 6]);
    features[FREQ_FEATURE] = 5; // many accesses, long ago:
    features[6] = 0.2; // little of them left
    features[FEATURE_COUNT + FREQ_FEATURE] = 1;
    features[FEATURE_COUNT + 6] = 0.9;
    expect(priorVictimRow(features, scores, 0, 2, 5, 1, false, 6)).toBe(0);
    expect(priorVictimRow(features, scores, 0, 2, 5, 2, false, FREQ_FEATURE)).toBe(1);
  });
});
