import { describe, expect, it } from 'vitest';
import { ScoreMemo } from './score-memo.ts';
import type { Scorer } from './scorer-port.ts';

/** Scores a row as the sum of its values, counting its calls. */
function summing(nFeatures: number): Scorer & { calls: number } {
  return {
    featureSchemaVersion: 1,
    nFeatures,
    calls: 0,
    predict(rows, out, n) {
      this.calls++;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let f = 0; f < nFeatures; f++) s += rows[r * nFeatures + f]!;
        out[r] = s / 3;
      }
    },
  };
}

describe('ScoreMemo', () => {
  it('answers a repeated call on the same rows from its copy, bit for bit', () => {
    const inner = summing(2);
    const memo = new ScoreMemo(inner);
    const rows = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const first = new Float64Array(3);
    const again = new Float64Array(3).fill(Number.NaN);
    memo.predict(rows, first, 3);
    memo.predict(rows, again, 3);
    expect(inner.calls).toBe(1);
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(first[0]).toBe(1);
  });

  it('scores again for other rows or another count', () => {
    const inner = summing(2);
    const memo = new ScoreMemo(inner);
    const rows = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const out = new Float64Array(3);
    memo.predict(rows, out, 2);
    memo.predict(rows, out, 3);
    memo.predict(rows.slice(), out, 3);
    expect(inner.calls).toBe(3);
    expect(out[2]).toBe(11 / 3);
  });
});
