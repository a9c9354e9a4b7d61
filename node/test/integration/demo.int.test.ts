import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { MLCACHE_BIN } from './start-node.ts';

// `mlcache demo` (what `npm start` runs) as a user runs it: a real scorer, four real nodes and a
// mirroring gateway, started, driven, and stopped by the demo.
type Child = ChildProcessByStdio<null, Readable, Readable>;

const FREE_PORTS = [
  ...['--port', '0', '--admin-port', '0', '--node-port', '0', '--node-admin-port', '0'],
  ...['--scorer-port', '0', '--scorer-admin-port', '0'],
];

interface Demo {
  readonly child: Child;
  readonly dir: string;
  stdout(): string;
  readonly exited: Promise<number | null>;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startDemo(args: readonly string[]): Demo {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-demo-test-'));
  dirs.push(dir);
  const child = spawn(
    process.execPath,
    [MLCACHE_BIN, 'demo', ...FREE_PORTS, '--dir', dir, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    listeners.forEach((listener) => listener());
  });
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    dir,
    stdout: () => stdout,
    exited,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (stdout.includes(text)) resolve();
        };
        listeners.push(check);
        check();
        void exited.then((code) =>
          reject(new Error(`demo exited (${code}) before '${text}':\n${stdout}`)),
        );
      }),
  };
}

/** The pids of the processes the demo started, from the `listening` lines of their logs. */
function childPids(dir: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.log'))) {
    const line = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .find((text) => text.startsWith('{"event":"listening"'));
    if (line !== undefined) pids.set(file, (JSON.parse(line) as { pid: number }).pid);
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The table's rows: policy → [role, hit ratio, p50, p99, evictions, lookups]. */
function tableRows(stdout: string): Map<string, string[]> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => line.startsWith('policy '));
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(header + 2)) {
    if (line.trim() === '') break;
    const [policy, ...cells] = line.split(/\s{2,}/);
    rows.set(policy!, cells);
  }
  return rows;
}

const POLICIES = ['lru', 'lfu', 'ml-lru', 'ml-lfu'];

describe('mlcache demo', () => {
  it('replays the workload, prints a row per policy, stops everything and exits 0', async () => {
    const demo = startDemo([
      '--requests',
      '10000',
      '--maxmemory',
      '2mb',
      '--no-wait',
      '--seed',
      '7',
    ]);
    expect(await demo.exited).toBe(0);
    const stdout = demo.stdout();
    const rows = tableRows(stdout);
    expect([...rows.keys()]).toEqual(POLICIES);
    for (const [policy, cells] of rows) {
      const [role, hitRatio, p50, p99, evictions, lookups] = cells;
      expect(role).toBe(policy === 'lru' ? 'primary' : 'mirror');
      expect(Number(hitRatio!.replace(' %', ''))).toBeGreaterThan(10);
      expect(Number(p50)).toBeGreaterThan(0);
      expect(Number(p99)).toBeGreaterThanOrEqual(Number(p50));
      expect(Number(evictions)).toBeGreaterThan(0);
      // Fairness: every policy served the very same lookups.
      expect(lookups).toBe('10000');
    }
    expect(stdout).toMatch(/gateway {2}redis-cli -p \d+/);
    expect(stdout).toMatch(/scorer +grpc \d+ +admin http/);
    const pids = childPids(demo.dir);
    expect([...pids.keys()].sort()).toEqual([
      'gateway.log',
      'node-lfu.log',
      'node-lru.log',
      'node-ml-lfu.log',
      'node-ml-lru.log',
      'scorer.log',
    ]);
    expect([...pids.values()].filter(alive)).toEqual([]);
  });

  it('serves clients until Ctrl-C, then stops everything and exits 0', async () => {
    const demo = startDemo(['--requests', '2000', '--scorer', 'local']);
    await demo.waitFor('Ctrl-C to stop.');
    const port = Number(/gateway {2}redis-cli -p (\d+)/.exec(demo.stdout())![1]);
    const client = new Redis({ port, host: '127.0.0.1' });
    try {
      expect(await client.set('demo:hello', 'world')).toBe('OK');
      expect(await client.get('demo:hello')).toBe('world');
    } finally {
      client.disconnect();
    }
    // Prometheus can scrape every admin port listed (gateway and four nodes).
    const admins = [...demo.stdout().matchAll(/admin http:\/\/127\.0\.0\.1:(\d+)\/metrics/g)];
    expect(admins).toHaveLength(5);
    for (const [, admin] of admins) {
      const response = await fetch(`http://127.0.0.1:${admin}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('mlcache_');
    }
    const pids = childPids(demo.dir);
    expect(pids.size).toBe(5); // no scorer with --scorer local
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect([...pids.values()].filter(alive)).toEqual([]);
  });

  it('stops the others and exits 1 when one of its processes dies', async () => {
    const demo = startDemo(['--requests', '2000', '--scorer', 'local']);
    await demo.waitFor('Ctrl-C to stop.');
    const pids = childPids(demo.dir);
    process.kill(pids.get('node-lfu.log')!, 'SIGKILL');
    expect(await demo.exited).toBe(1);
    expect(demo.stdout()).toContain('node lfu (pid');
    expect([...pids.values()].filter(alive)).toEqual([]);
  });
});
