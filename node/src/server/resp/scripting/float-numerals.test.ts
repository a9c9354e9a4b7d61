import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatNumerals } from './float-numerals.ts';

const rewrite = (source: string): string =>
  Buffer.from(floatNumerals(Buffer.from(source, 'latin1'))).toString('latin1');

describe('floatNumerals', () => {
  it('makes integer numerals floats and leaves every other numeral alone', () => {
    expect(rewrite('return 1')).toBe('return 1.0');
    expect(rewrite('local x = 0x1F + 0XfF')).toBe('local x = 0x1F.0 + 0XfF.0');
    expect(rewrite('return 1.5, .5, 1e5, 1E-5, 2e+3, 0x1p4, 0xA.8, 3.')).toBe(
      'return 1.5, .5, 1e5, 1E-5, 2e+3, 0x1p4, 0xA.8, 3.',
    );
    expect(rewrite('t[1] = a1 + _2 + x_3y')).toBe('t[1.0] = a1 + _2 + x_3y');
    expect(rewrite('return a..1 .. 2')).toBe('return a..1.0 .. 2.0');
    expect(rewrite('for i=1,10 do end')).toBe('for i=1.0,10.0 do end');
  });

  it('leaves strings and comments as they are', () => {
    expect(rewrite('return "1 2", \'3\', "a\\"4"')).toBe('return "1 2", \'3\', "a\\"4"');
    expect(rewrite('return [[ 1 ]], [==[ ]] 2 ]==], 3')).toBe(
      'return [[ 1 ]], [==[ ]] 2 ]==], 3.0',
    );
    expect(rewrite('-- 1\nreturn 2 --[[ 3\n 4 ]] + 5')).toBe(
      '-- 1\nreturn 2.0 --[[ 3\n 4 ]] + 5.0',
    );
    expect(rewrite('--[==[ ]] 1 ]==] 2')).toBe('--[==[ ]] 1 ]==] 2.0');
    expect(rewrite('return "unfinished 1\nreturn 2')).toBe('return "unfinished 1\nreturn 2.0');
    expect(rewrite('return t[ [[1]] ]')).toBe('return t[ [[1]] ]');
  });

  it('keeps every line where it was, and a second pass changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '1',
            '0x2',
            '3.5',
            ' ',
            '\n',
            '"',
            "'",
            '[[',
            ']]',
            '--',
            'a',
            '.',
            '[=[',
            ']=]',
            '\\',
            'e',
            '+',
          ),
          { maxLength: 40 },
        ),
        (parts) => {
          const source = parts.join('');
          const once = rewrite(source);
          expect(once.split('\n').length).toBe(source.split('\n').length);
          expect(rewrite(once)).toBe(once);
          expect(once.replaceAll('.0', '')).toBe(source.replaceAll('.0', ''));
        },
      ),
    );
  });
});
