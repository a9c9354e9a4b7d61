import { describe, expect, it } from 'vitest';
import { parseReplies, parseReply, RespErrorReply } from './reply-parser.ts';

function parse(text: string) {
  return parseReply(Buffer.from(text, 'latin1'))?.value;
}

describe('parseReply', () => {
  it('reads RESP2 replies', () => {
    expect(parse('+OK\r\n')).toBe('OK');
    expect(parse('-ERR x\r\n')).toEqual(new RespErrorReply('ERR x'));
    expect(parse(':-3\r\n')).toBe(-3);
    expect(parse(':9223372036854775807\r\n')).toBe(9223372036854775807n);
    expect(parse('$2\r\nab\r\n')).toEqual(Buffer.from('ab'));
    expect(parse('$-1\r\n')).toBeNull();
    expect(parse('*-1\r\n')).toBeNull();
    expect(parse('*2\r\n:1\r\n$0\r\n\r\n')).toEqual([1, Buffer.alloc(0)]);
  });

  it('lowers RESP3 replies to the RESP2 shape of the same value', () => {
    expect(parse('_\r\n')).toBeNull();
    expect(parse('%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n')).toEqual([
      Buffer.from('a'),
      1,
      Buffer.from('b'),
      null,
    ]);
    expect(parse('~2\r\n+x\r\n+y\r\n')).toEqual(['x', 'y']);
    expect(parse('>2\r\n+message\r\n:1\r\n')).toEqual(['message', 1]);
    expect(parse('=8\r\ntxt:ab\r\n\r\n')).toEqual(Buffer.from('ab\r\n'));
    expect(parse('#t\r\n')).toBe(1);
    expect(parse('#f\r\n')).toBe(0);
    expect(parse(',1.5\r\n')).toEqual(Buffer.from('1.5'));
    expect(parse('(12345678901234567890\r\n')).toBe(12345678901234567890n);
    expect(parse('!5\r\nERR x\r\n')).toEqual(new RespErrorReply('ERR x'));
    expect(parse('|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n')).toEqual(Buffer.from('v'));
  });

  it('waits for the rest of an incomplete RESP3 reply', () => {
    const whole = Buffer.from('%1\r\n$1\r\nk\r\n=7\r\ntxt:abc\r\n_\r\n');
    for (let cut = 1; cut < whole.length - 3; cut++) {
      expect(parseReply(whole.subarray(0, cut))).toBeUndefined();
    }
    const { values, consumed } = parseReplies(whole);
    expect(values).toEqual([[Buffer.from('k'), Buffer.from('abc')], null]);
    expect(consumed).toBe(whole.length);
  });

  it('refuses bytes that are no reply', () => {
    expect(() => parse('?x\r\n')).toThrow(TypeError);
  });
});
