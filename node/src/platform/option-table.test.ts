import { describe, expect, it } from 'vitest';
import { readOptionTable } from './option-table.ts';
import type { TableOption } from './option-table.ts';

const number = (text: string) =>
  /^\d+$/.test(text)
    ? ({ ok: true, value: Number(text) } as const)
    : ({ ok: false, problem: `'${text}' is not a number` } as const);
const text = (value: string) => ({ ok: true, value }) as const;

const OPTIONS: readonly TableOption<'port' | 'name' | 'peer'>[] = [
  { key: 'port', flag: 'port', env: 'X_PORT', defaultText: '1', parse: number },
  { key: 'name', flag: 'name', env: 'X_NAME', defaultText: '', parse: text },
  { key: 'peer', flag: 'peer', env: 'X_PEER', defaultText: '', parse: text, repeatable: true },
];

describe('readOptionTable', () => {
  it('takes flags over the environment over defaults', () => {
    const read = readOptionTable(OPTIONS, ['--name=b'], { X_PORT: '7', X_NAME: 'a' });
    expect(read).toEqual({
      kind: 'values',
      values: { port: 7, name: 'b', peer: '' },
      problems: [],
    });
  });

  it('joins a repeatable flag given several times, replacing the environment', () => {
    const read = readOptionTable(OPTIONS, ['--peer', 'a', '--peer', 'b'], { X_PEER: 'c' });
    expect(read.kind === 'values' && read.values.peer).toBe('a,b');
  });

  it('asks for help wherever --help or -h stands', () => {
    expect(readOptionTable(OPTIONS, ['--bogus=x', '-h'], {})).toEqual({ kind: 'help' });
  });

  it('lists every problem, naming where a bad value came from', () => {
    const read = readOptionTable(OPTIONS, ['stray', '--bogus', 'x', '--name'], { X_PORT: 'p' });
    expect(read.kind === 'values' && read.problems).toEqual([
      "'stray': unexpected argument (options start with --)",
      '--bogus: unknown option (see --help)',
      '--name: needs a value',
      "--port: 'p' is not a number (from X_PORT)",
    ]);
  });
});
