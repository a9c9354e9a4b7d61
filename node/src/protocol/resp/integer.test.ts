import { describe, expect, it } from 'vitest';
import { decimalLength, parseBigIntAt, parseIntegerAt } from './integer.ts';

const parse = (text: string): number => {
  const bytes = Buffer.from(text, 'latin1');
  return parseIntegerAt(bytes, 0, bytes.length);
};

describe('parseIntegerAt (string2ll rules)', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['1234567890', 1234567890],
    ['9223372036854775807', 9223372036854775807],
    ['-9223372036854775808', -9223372036854775808],
  ])('accepts %s', (text, value) => {
    expect(parse(text)).toBe(value);
  });

  it.each([
    '',
    '-',
    '+1',
    '01',
    '-0',
    ' 1',
    '1 ',
    '1.5',
    '1e3',
    '9223372036854775808',
    '-9223372036854775809',
    'abc',
  ])('refuses %j', (text) => {
    expect(parse(text)).toBeNaN();
  });

  it('parses exact big integers', () => {
    const bytes = Buffer.from('x9223372036854775807x');
    expect(parseBigIntAt(bytes, 1, bytes.length - 1)).toBe(9223372036854775807n);
    expect(parseBigIntAt(Buffer.from('12'), 0, 2)).toBe(12n);
    expect(parseBigIntAt(Buffer.from('1x'), 0, 2)).toBeUndefined();
  });

  it('counts digits', () => {
    for (const n of [0, 9, 10, 99999, 100000, 123456789, 2 ** 53 - 1])
      expect(decimalLength(n)).toBe(String(n).length);
  });
});
