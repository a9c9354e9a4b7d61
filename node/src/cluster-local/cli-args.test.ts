import { describe, expect, it } from 'vitest';
import { ArgReader, parseArgs, parseDuration } from './cli-args.ts';
import { CLUSTER_ACTIONS } from './cli-actions.ts';

const read = (action: string, argv: string[]) => {
  const spec = CLUSTER_ACTIONS[action]!;
  const reader = new ArgReader(parseArgs(argv, spec.flags));
  spec.prepare(reader);
  return reader.problems;
};

describe('mlcache cluster arguments', () => {
  it('accepts what the docs show', () => {
    expect(read('up', ['--dir', '/tmp/c', '--nodes=3', '--gateway-port', '0'])).toEqual([]);
    expect(read('scale', ['5', '--dir', 'x', '--timeout', '90s'])).toEqual([]);
    expect(read('move', ['12', 'node-1'])).toEqual([]);
    expect(read('status', ['--json'])).toEqual([]);
    expect(read('rebalance', ['--rounds', '2', '--cooldown', '0'])).toEqual([]);
  });

  it('lists every problem', () => {
    expect(read('up', ['--nodes', 'many', '--durability', 'fast', '--bogus', 'x'])).toEqual([
      '--bogus: unknown option (see --help)',
      "--nodes: expected an integer in [1, 64], got 'many'",
      "--durability: expected one of async, sync, none, got 'fast'",
      "unexpected argument 'x'",
    ]);
    expect(read('scale', [])).toEqual([
      'expected N, got nothing',
      "N: expected an integer in [1, 64], got ''",
    ]);
    expect(read('status', ['--json=yes', '--dir'])).toEqual([
      '--json: takes no value',
      '--dir: needs a value',
    ]);
  });

  it('reads durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
