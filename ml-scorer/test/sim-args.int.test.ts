import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPolicyNames } from '../src/sim/policy-table.ts';
import { parseSimArgs, UsageError } from '../src/cli/simulate.ts';

describe('parseSimArgs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-args-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.csv'), 'key\n1\n');
  writeFileSync(join(dir, 'b.lis'), '1 1 0 0\n');
  writeFileSync(join(dir, 'notes.md'), '');
  const parse = (...argv: string[]) => parseSimArgs(argv, 2);

  it('has defaults: every policy plus belady, 1/5/10 %, byte budget, a table', () => {
    const args = parse('--workload', 'zipf:keys=10');
    expect(args.policies).toEqual(defaultPolicyNames());
    expect(args.policies.at(-1)).toBe('belady');
    expect(args.policies).not.toContain('noeviction');
    expect(args.sizes.map((s) => s.text)).toEqual(['0.01', '0.05', '0.1']);
    expect(args).toMatchObject({ ignoreSize: false, json: false, jobs: 2, progress: true });
  });

  it('expands a folder into the trace files inside it, sorted', () => {
    const args = parse('--trace', dir, '--trace', join(dir, 'a.csv'), '--format', 'csv');
    expect(args.sources).toEqual([
      { kind: 'trace', path: join(dir, 'a.csv'), format: 'csv' },
      { kind: 'trace', path: join(dir, 'b.lis'), format: 'csv' },
      { kind: 'trace', path: join(dir, 'a.csv'), format: 'csv' },
    ]);
  });

  it.each([
    [['--trace', '/nonexistent/x.csv'], /no such file or folder/],
    [
      ['--workload', 'zipf:keys=10', '--policies', 'lru,nope'],
      /unknown policy nope; valid: lru,.*belady/,
    ],
    [['--workload', 'zipf:keys=10', '--sizes', 'huge'], /'huge' is neither a fraction/],
    [['--workload', 'zipf:bogus=1'], /--workload: unknown parameter 'bogus'/],
    [['--workload', 'zipf:keys=10', '--format', 'xml'], /--format xml: expected auto, csv/],
    [['--workload', 'zipf:keys=10', '--plot', 'out.pdf'], /must end in \.svg or \.png/],
    [['--workload', 'zipf:keys=10', '--jobs', '0'], /--jobs 0/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [[], /at least one --trace or --workload/],
  ])('rejects %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('rejects a folder without traces', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => parse('--trace', empty)).toThrow(/holds no trace files/);
  });
});
