import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addLongDouble, formatLongDouble, parseLongDouble } from './long-double.ts';
import type { LongDouble } from './long-double.ts';

function ld(text: string): LongDouble {
  const value = parseLongDouble(text);
  if (typeof value === 'string') throw new Error(`${text}: ${value}`);
  return value;
}

/** Adds the increments one after another, as INCRBYFLOAT would, and prints each sum. */
function sums(...increments: string[]): string[] {
  let value = ld('0');
  return increments.map((text) => {
    const sum = addLongDouble(value, ld(text));
    if (sum === 'inf') return 'inf';
    // Redis stores the printed string and reads it back for the next increment.
    value = ld(formatLongDouble(sum));
    return formatLongDouble(sum);
  });
}

describe('long double (x87 extended precision)', () => {
  it('adds and prints as Redis does (figures read from redis-server 7.0 on x86-64)', () => {
    expect(sums('10.5', '0.1', '0.1')).toEqual(['10.5', '10.6', '10.7']);
    expect(sums('0.1', '0.1', '0.1')).toEqual(['0.1', '0.2', '0.3']);
    expect(sums('5.0e3', '2.0e2')).toEqual(['5000', '5200']);
    expect(sums('1e-20')).toEqual(['0']);
    expect(sums('1.5e20', '1')).toEqual(['150000000000000000000', '150000000000000000000']);
    expect(sums('3', '-3.5')).toEqual(['3', '-0.5']);
    expect(sums('0x10')).toEqual(['16']);
    expect(sums('123456789012345678', '0.5')).toEqual([
      '123456789012345678',
      '123456789012345678.5',
    ]);
    expect(sums('-0')).toEqual(['0']);
    expect(sums('1.23456789012345678901234')).toEqual(['1.23456789012345679']);
    expect(sums('1e-5')).toEqual(['0.00001']);
    expect(sums('2.5e-10')).toEqual(['0.00000000025']);
    expect(formatLongDouble(ld('1.7976931348623157e308'))).toMatch(/^17976931348623156999592/);
  });

  it("refuses what Redis's string2ld refuses, and reads inf", () => {
    for (const text of ['', ' 1', '1 ', 'abc', 'nan', '1e', '.', '0x', '1e-5000', '1e5000'])
      expect(parseLongDouble(text), text).toBe('invalid');
    expect(parseLongDouble('x'.repeat(10))).toBe('invalid');
    expect(parseLongDouble('1'.repeat(5120))).toBe('invalid');
    expect(parseLongDouble('inf')).toBe('inf');
    expect(parseLongDouble('-Infinity')).toBe('inf');
    expect(formatLongDouble(ld('0x1.8p3'))).toBe('12');
    expect(formatLongDouble(ld('0x0'))).toBe('0');
  });

  it('overflows to inf past the largest long double', () => {
    expect(addLongDouble(ld('1e4932'), ld('1e4932'))).toBe('inf');
    expect(addLongDouble(ld('1e4932'), ld('1'))).not.toBe('inf');
  });

  it('reads integers below 2^64 exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n) + 1n, max: 2n ** 64n - 1n }), (n) => {
        expect(formatLongDouble(ld(n.toString()))).toBe(n.toString());
      }),
    );
  });

  it('adds commutatively, with 0 as identity and x + -x as +0', () => {
    const value = fc
      .tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -40, max: 40 }))
      .map(([digits, power]) => ld(`${digits}e${power}`));
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(addLongDouble(a, b)).toEqual(addLongDouble(b, a));
        expect(addLongDouble(a, ld('0'))).toEqual(a);
        expect(addLongDouble(a, { ...a, neg: !a.neg })).toEqual({ neg: false, sig: 0n, exp: 0 });
      }),
    );
  });
});
