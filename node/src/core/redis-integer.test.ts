import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { addInt64, formatInt64, INT64_MAX, INT64_MIN, parseInt64 } from './redis-integer.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Redis's string2ll, restated as a regular expression plus a range check. */
function reference(text: string): bigint | undefined {
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return undefined;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

describe('parseInt64', () => {
  it('agrees with the reference on integers, near misses and noise', () => {
    const text = fc.oneof(
      fc.bigInt({ min: INT64_MIN * 2n, max: INT64_MAX * 2n }).map(String),
      fc.integer().map(String),
      fc.stringMatching(/^[-+ 0]{0,2}[0-9]{0,21}[ x]?$/),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parseInt64(bytes(t));
        const expected = reference(t);
        expect(parsed === undefined ? undefined : BigInt(parsed)).toBe(expected);
        if (typeof parsed === 'number') expect(Number.isSafeInteger(parsed)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a sub-view of a larger buffer', () => {
    const pool = bytes('xx12345678901234567890yy');
    expect(parseInt64(pool.subarray(2, 21))).toBe(1234567890123456789n);
    expect(parseInt64(pool.subarray(2, 7))).toBe(12345);
  });
});

describe('addInt64 and formatInt64', () => {
  it('adds exactly, reports overflow, and gives numbers for safe sums', () => {
    const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
    fc.assert(
      fc.property(fc.oneof(int64, fc.bigInt({ min: -99n, max: 99n })), int64, (a, delta) => {
        const start = parseInt64(bytes(String(a)))!;
        const sum = addInt64(start, delta);
        const exact = a + delta;
        if (exact > INT64_MAX || exact < INT64_MIN) {
          expect(sum).toBeUndefined();
          return;
        }
        expect(BigInt(sum!)).toBe(exact);
        expect(typeof sum).toBe(
          Number.isSafeInteger(Number(exact)) && BigInt(Number(exact)) === exact
            ? 'number'
            : 'bigint',
        );
        expect(formatInt64(sum!)).toEqual(bytes(String(exact)));
      }),
      { numRuns: 2000 },
    );
  });
});
