import { describe, expect, it } from 'vitest';
import { createMlHybridPolicy } from './ml-hybrid.ts';
import type { Scorer } from './scorer-port.ts';
import { drive, scorer, zipf } from './test-ml-drive.ts';

/** Scores log1p(age) and counts the rows it scored. */
function ageScorer(): { model: Scorer; rows: () => number } {
  const byAge = scorer((r, at) => Math.log1p(r[at]!));
  let rows = 0;
  return {
    model: {
      ...byAge,
      predict(rowsIn, out, n) {
        rows += n;
        byAge.predict(rowsIn, out, n);
      },
    },
    rows: () => rows,
  };
}

describe('ML hybrid: the base victim is scored again as it ages (headRescore)', () => {
  it('scores an untouched base victim once with 0, again after a share of the window with > 0', () => {
    const ops = zipf(20_000, 3);
    const once = ageScorer();
    const a = createMlHybridPolicy({ base: 'lfu', capacity: 100, scorer: once.model });
    drive(a, ops, 100);
    const again = ageScorer();
    const b = createMlHybridPolicy({
      base: 'lfu',
      capacity: 100,
      scorer: again.model,
      params: { headRescore: 0.05 },
    });
    drive(b, ops, 100);
    expect(a.stats().modelEvictions).toBeGreaterThan(100);
    // Same fresh candidates per eviction, plus the base's victim each time its score expired.
    expect(again.rows()).toBeGreaterThan(once.rows());
  });

  it('is refused when negative', () => {
    expect(() =>
      createMlHybridPolicy({ base: 'lru', capacity: 10, params: { headRescore: -1 } }),
    ).toThrow(/headRescore/);
  });
});
