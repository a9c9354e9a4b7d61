import { describe, expect, it } from 'vitest';

import { createRandom } from '../util/random.ts';
import { FEATURE_COUNT } from './features.ts';
import { disagreement, judgeModel, robustSpread } from './model-gate.ts';
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
});
