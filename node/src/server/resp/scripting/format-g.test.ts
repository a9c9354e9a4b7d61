import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatG } from './format-g.ts';

describe('formatG (printf %.Ng)', () => {
  it("prints as C's printf, read from glibc's printf(1)", () => {
    const cases: [number, number, string][] = [
      [0, 14, '0'],
      [-0, 14, '-0'],
      [1, 14, '1'],
      [0.1, 14, '0.1'],
      [0.1, 17, '0.10000000000000001'],
      [10 / 3, 17, '3.3333333333333335'],
      [2 ** 53, 14, '9.007199254741e+15'],
      [2 ** 53, 17, '9007199254740992'],
      [1e15, 14, '1e+15'],
      [1e14, 14, '1e+14'],
      [99999999999999, 14, '99999999999999'],
      [1e-5, 14, '1e-05'],
      [0.0001, 14, '0.0001'],
      [123456.789, 5, '1.2346e+05'],
      // An exact tie rounds to even, as glibc does (JavaScript's toExponential rounds it up).
      [123456789012345, 14, '1.2345678901234e+14'],
      [5e-324, 14, '4.9406564584125e-324'],
      [1e100, 14, '1e+100'],
      [-2.5, 14, '-2.5'],
      [Number.POSITIVE_INFINITY, 14, 'inf'],
      [Number.NEGATIVE_INFINITY, 17, '-inf'],
      [Number.NaN, 14, 'nan'],
    ];
    for (const [x, precision, text] of cases) expect(formatG(x, precision), `${x}`).toBe(text);
  });

  it('reads back as the number it printed at 17 digits', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Number(formatG(x, 17))).toBe(x);
      }),
    );
  });
});
