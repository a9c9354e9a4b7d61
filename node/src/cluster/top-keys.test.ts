import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { TopKeys } from './top-keys.ts';

/** A skewed stream over a small alphabet: key i drawn with weight ~ 1/(i+1), random weights. */
const stream = fc.array(
  fc.tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.nat(3) },
      { weight: 3, arbitrary: fc.nat(15) },
      { weight: 1, arbitrary: fc.nat(200) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) },
    ),
  ),
  { maxLength: 400 },
);

describe('TopKeys (Space-Saving)', () => {
  it('keeps the Space-Saving guarantees on any stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), stream, (capacity, requests) => {
        const top = new TopKeys(capacity);
        const truth = new Map<string, number>();
        for (const [id, weight] of requests) {
          const key = `k${id}`;
          top.record(key, weight);
          truth.set(key, (truth.get(key) ?? 0) + weight);
        }
        const total = requests.reduce((sum, [, weight]) => sum + weight, 0);
        expect(top.total).toBe(total);
        const summary = top.top();
        expect(summary.length).toBe(Math.min(capacity, truth.size));
        // Counters only ever gain weight, and every unit of weight lands on one counter.
        expect(summary.reduce((sum, entry) => sum + entry.count, 0)).toBe(total);
        for (const { key, count, error } of summary) {
          const real = truth.get(key)!;
          expect(count).toBeGreaterThanOrEqual(real);
          expect(count - error).toBeLessThanOrEqual(real);
          expect(top.estimate(key)).toEqual({ key, count, error });
        }
        // Any key above N / K is counted.
        for (const [key, real] of truth) {
          if (real > total / capacity) expect(top.estimate(key)).toBeDefined();
        }
        // Highest count first.
        for (let i = 1; i < summary.length; i++) {
          expect(summary[i - 1]!.count).toBeGreaterThanOrEqual(summary[i]!.count);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds the heavy hitters of a large stream full of one-off keys', () => {
    const top = new TopKeys(64);
    // Keys 0–4 get 1000, 500, 334, 250, 200 hits among 5000 one-off keys: N ≈ 7300, N/K ≈ 114.
    for (let round = 0; round < 1000; round++) {
      for (let k = 0; k < 5; k++) if (round % (k + 1) === 0) top.record(`hot:${k}`);
      for (let j = 0; j < 5; j++) top.record(`cold:${round}:${j}`);
    }
    // A one-off key can have a high count, but all of it is error: rank by the guaranteed part.
    const guaranteed = top
      .top()
      .map(({ key, count, error }) => ({ key, sure: count - error }))
      .sort((a, b) => b.sure - a.sure);
    expect(guaranteed.slice(0, 5).map((entry) => entry.key)).toEqual([
      'hot:0',
      'hot:1',
      'hot:2',
      'hot:3',
      'hot:4',
    ]);
    expect(top.estimate('hot:0')!.count).toBeGreaterThanOrEqual(1000);
  });

  it('starts over after clear() and refuses a capacity below 1', () => {
    const top = new TopKeys(2);
    top.record('a', 3);
    top.clear();
    expect(top.total).toBe(0);
    expect(top.top()).toEqual([]);
    top.record('b');
    expect(top.top()).toEqual([{ key: 'b', count: 1, error: 0 }]);
    expect(() => new TopKeys(0)).toThrow(RangeError);
  });
});
