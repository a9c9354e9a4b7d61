import { describe, expect, it } from 'vitest';
import { parseShebang } from './shebang.ts';

const parse = (body: string) => parseShebang(Buffer.from(body, 'latin1'));
const bodyOf = (body: string): string => {
  const parsed = parse(body);
  if ('error' in parsed) throw new Error(parsed.error);
  return Buffer.from(parsed.body).toString('latin1');
};

describe('parseShebang', () => {
  it('leaves a script without one as it is, writes allowed', () => {
    expect(parse('return 1')).toEqual({ body: Buffer.from('return 1'), noWrites: false });
  });

  it('reads the flags and blanks the line, keeping its line feed for the line numbers', () => {
    expect(bodyOf('#!lua flags=no-writes,allow-oom\nreturn 1')).toBe('\nreturn 1');
    expect(parse('#!lua flags=no-writes\nreturn 1')).toMatchObject({ noWrites: true });
    expect(parse('#!lua\nreturn 1')).toMatchObject({ noWrites: false });
    expect(parse('#!lua flags=\nreturn 1')).toMatchObject({ noWrites: false });
  });

  it("refuses what Redis refuses, in Redis's words", () => {
    expect(parse('#!lua')).toEqual({ error: 'ERR Invalid script shebang' });
    expect(parse('#!python\n')).toEqual({
      error: 'ERR Unexpected engine in script shebang: #!python',
    });
    expect(parse('#!lua name=x\n')).toEqual({ error: 'ERR Unknown lua shebang option: name=x' });
    expect(parse('#!lua flags=no-writes,bogus\n')).toEqual({
      error: 'ERR Unexpected flag in script shebang: bogus',
    });
  });
});
