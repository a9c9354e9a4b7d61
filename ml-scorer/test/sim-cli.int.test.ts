import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSim } from '../src/cli/simulate.ts';
import { REPO_ROOT } from './traces.ts';

/** Runs the real executable, as a user would, with a private cache folder. */
function mlcache(args: string[], cacheHome: string) {
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'mlcache.js'), 'sim', ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mlcache sim (end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-sim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A tiny generated trace: Belady's anomaly, twice, with sizes.
  const keys = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
  const trace = join(dir, 'tiny.csv');
  writeFileSync(
    trace,
    `timestamp,key,size\n${keys.map((k, i) => `${i},${k},${k * 10}`).join('\n')}\n`,
  );

  it('prints one JSON row per policy and size', () => {
    const { code, stdout, stderr } = mlcache(
      [
        '--trace',
        trace,
        '--policies',
        'lru,belady',
        '--sizes',
        '3,4',
        '--ignore-size',
        '--json',
        '--jobs',
        '1',
      ],
      dir,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => [r.policy, r.cacheSize, r.hits])).toEqual([
      ['lru', 3, 2],
      ['belady', 3, 5],
      ['lru', 4, 4],
      ['belady', 4, 6],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([
      'trace',
      'policy',
      'cacheSize',
      'sizeFraction',
      'ignoreSize',
      'requests',
      'hits',
      'misses',
      'missRatio',
      'byteMissRatio',
      'seconds',
    ]);
    expect(rows[0]).toMatchObject({
      trace: 'tiny',
      sizeFraction: null,
      ignoreSize: true,
      requests: 12,
      misses: 10,
    });
  });

  it('runs a workload at fractions of its working set in worker threads, and plots', () => {
    const plot = join(dir, 'out.svg');
    const { code, stdout } = mlcache(
      [
        '--workload',
        'zipf:alpha=1,keys=2000,requests=20000',
        '--policies',
        'lru,belady',
        '--sizes',
        '0.05,0.2',
        '--ignore-size',
        '--json',
        '--jobs',
        '2',
        '--plot',
        plot,
      ],
      dir,
    );
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            policy: string;
            missRatio: number;
            sizeFraction: number;
            cacheSize: number;
          },
      );
    expect(rows).toHaveLength(4);
    for (const fraction of [0.05, 0.2]) {
      const [lru, belady] = ['lru', 'belady'].map((p) =>
        rows.find((r) => r.policy === p && r.sizeFraction === fraction)!,
      );
      expect(belady!.missRatio).toBeLessThan(lru!.missRatio);
    }
    expect(readFileSync(plot, 'utf8')).toContain('<svg');
  });

  it('exits 2 on a malformed trace, naming the line', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,key,size\n0,1,1\n1,2\n');
    const { code, stderr } = mlcache(['--trace', bad, '--sizes', '5', '--jobs', '2'], dir);
    expect(code).toBe(2);
    expect(stderr).toContain('bad.csv:3: expected 3 comma-separated fields, found 2');
  });
});

/** The command in this process, with captured output (no spawn: fast). */
async function runInProcess(args: string[], cacheDir?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runSim(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    cacheDir,
    cores: 1,
  });
  return { code, stdout, stderr };
}

describe('mlcache sim (in process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-sim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const trace = join(dir, 'tiny.csv');
  writeFileSync(trace, 'timestamp,key,size\n0,1,10\n1,2,20\n2,1,10\n3,3,30\n');

  it('prints a table by default, marking the best online policy', async () => {
    const { code, stdout } = await runInProcess([
      '--trace',
      trace,
      '--policies',
      'lru,fifo,belady',
      '--sizes',
      '50%',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^trace\s+mode\s+size\s+cache size\s+policy\s+miss ratio/);
    expect(stdout).toMatch(/tiny\s+byte\s+50%\s+30B\s+lru\s+0\.7500 \*/);
  });

  it('remembers the working set in its cache folder', async () => {
    const cache = join(dir, 'cache');
    await runInProcess(['--trace', trace, '--policies', 'lru', '--sizes', '0.5', '--json'], cache);
    expect(readdirSync(cache)).toHaveLength(1);
    const again = await runInProcess(
      ['--trace', trace, '--policies', 'lru', '--sizes', '0.5', '--json'],
      cache,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ cacheSize: 30, sizeFraction: 0.5 });
  });

  it.each([
    [['--trace', 'TRACE', '--policies', 'lru,bogus'], /unknown policy bogus; valid: lru/],
    [['--trace', '/nonexistent/missing.csv'], /no such file or folder/],
    [['--workload', 'zipf:keys=-1'], /keys=-1/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with a clear message on bad input: %j', async (args, message) => {
    const { code, stderr } = await runInProcess(args.map((a) => (a === 'TRACE' ? trace : a)));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^mlcache sim: /);
  });

  it('prints its help', async () => {
    const { code, stdout } = await runInProcess(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: mlcache sim');
  });
});
