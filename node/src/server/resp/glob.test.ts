import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.ts';

describe("globMatch (Redis's stringmatchlen)", () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['key:*', 'key:1', true],
    ['key:*', 'kex:1', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hbllo', true],
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hallo', false],
    ['[\\]]', ']', true],
    ['a[bc', 'ab', true],
    ['a[bc', 'ac', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['*a*a*a*a*a*a*b', 'a'.repeat(60), false],
    ['**', 'x', true],
    ['x\\', 'x\\', true],
  ] as const)('%j against %j is %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('ignores case when asked (CONFIG GET)', () => {
    expect(globMatch('MAXMEMORY*', 'maxmemory-policy', true)).toBe(true);
    expect(globMatch('MAXMEMORY*', 'maxmemory-policy')).toBe(false);
    expect(globMatch('[A-C]', 'b', true)).toBe(true);
  });

  it('agrees with a regular expression on patterns without classes or escapes (property)', () => {
    const piece = fc.constantFrom('a', 'b', '*', '?');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }),
        fc.stringMatching(/^[ab]{0,10}$/),
        (pieces, text) => {
          const pattern = pieces.join('');
          const regex = new RegExp(`^${pattern.replaceAll('*', '.*').replaceAll('?', '.')}$`, 's');
          expect(globMatch(pattern, text)).toBe(regex.test(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
