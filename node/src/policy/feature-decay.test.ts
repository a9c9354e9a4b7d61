import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decayFactor } from './feature-decay.ts';

describe('decayFactor', () => {
  it('is 1 for no elapsed time and for a clock that moved back', () => {
    expect(decayFactor(0, 10)).toBe(1);
    expect(decayFactor(-5, 10)).toBe(1);
  });

  it('halves exactly once per half-life', () => {
    for (const shift of [0, 10, 13, 16]) {
      for (let q = 0; q < 40; q++) expect(decayFactor(q * 2 ** shift, shift)).toBe(2 ** -q);
    }
  });

  it('is 0 once the factor underflows, including huge gaps', () => {
    expect(decayFactor(1075 * 1024, 10)).toBe(0);
    expect(decayFactor(2 ** 40, 16)).toBe(0);
    expect(decayFactor(1e15, 10)).toBe(0);
  });

  it('agrees with Math.pow to 1e-14 relative over the whole range', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 10, 13, 16),
        fc.integer({ min: 0, max: 1074 * 65536 }),
        (shift, delta) => {
          const expected = Math.pow(2, -delta / 2 ** shift);
          const actual = decayFactor(delta, shift);
          if (expected < 1e-300) return Math.abs(actual - expected) < 1e-300;
          return Math.abs(actual - expected) <= 1e-14 * expected;
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
