import { describe, expect, it } from 'vitest';
import { CommandArgs } from './command-args.ts';
import { splitInline } from './inline.ts';

function split(line: string): string[] | undefined {
  const bytes = Buffer.from(line, 'latin1');
  const args = new CommandArgs();
  if (!splitInline(bytes, 0, bytes.length, args)) return undefined;
  return Array.from({ length: args.count }, (_, i) => args.latin1(i));
}

describe('splitInline (sdssplitargs)', () => {
  it.each([
    ['set k v', ['set', 'k', 'v']],
    ['  set\t k  ', ['set', 'k']],
    ['', []],
    ['   ', []],
    ['"a b" c', ['a b', 'c']],
    ['"\\x41\\x4a\\xzz"', ['AJxzz']],
    ['"\\n\\r\\t\\b\\a\\q\\\\"', ['\n\r\t\b\x07q\\']],
    ["'it\\'s' x", ["it's", 'x']],
    ["'a\\nb'", ['a\\nb']],
    ['foo"bar baz"', ['foobar baz']],
    ['a\x0bb', ['a\x0bb']],
    ['a\x00b c', ['a']],
    ['""', ['']],
  ] as const)('splits %j', (line, expected) => {
    expect(split(line)).toEqual(expected);
  });

  it.each(['"abc', "'abc", '"a"b', "'a'b", '"a\\"'])('refuses unbalanced quotes in %j', (line) => {
    expect(split(line)).toBeUndefined();
  });
});
