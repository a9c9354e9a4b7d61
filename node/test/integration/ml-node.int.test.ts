import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NODE_ARGS, MLCACHE_BIN, runNode, startNode } from './start-node.ts';
import type { Exit, RunningNode } from './start-node.ts';

// ml-lru and ml-lfu in a real node process (`mlcache node`, whose CLI binds the learned-policy
// ports): eviction under a budget with the shipped model, the metrics, INFO and /v1/stats that
// report on it, refusal of unusable models, and a dead scorer service that must never block.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(args: readonly string[]): Promise<RunningNode> {
  const node = await startNode([...LOCAL_NODE_ARGS, ...args]);
  cleanups.push(() => node.stop());
  return node;
}

function redis(node: RunningNode): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: node.listening.resp,
    maxRetriesPerRequest: 0,
  });
  cleanups.push(() => client.disconnect());
  return client;
}

async function metrics(node: RunningNode): Promise<string> {
  return (await fetch(`http://127.0.0.1:${node.listening.admin}/metrics`)).text();
}

/** The value of the series `name{…labels…}` whose labels include all of `labels`; NaN if none. */
function series(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return Number.NaN;
}

/**
 * SETs of `keys` keys of 100 bytes (several rounds over a skewed key set, with GETs), pipelined,
 * so a budget far below the key set evicts all the time; returns the total ms spent.
 */
async function traffic(client: Redis, keys: number, rounds: number): Promise<number> {
  const value = 'v'.repeat(100);
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const pipeline = client.pipeline();
    for (let i = 0; i < keys; i++) {
      // A hot tenth of the keys is read every round, the rest are written once per round.
      const key = `k:${(i * 7919 + round) % keys}`;
      pipeline.set(key, value);
      if (i % 4 === 0) pipeline.get(`k:${i % Math.ceil(keys / 10)}`);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) expect(error).toBeNull();
  }
  return performance.now() - started;
}

/**
 * LFU's blind spot, where a model earns its keep: keys read often that then go cold keep high
 * counts, so LFU evicts the newer, live keys instead; their age gives them away to the model.
 */
async function staleFrequencyTraffic(client: Redis): Promise<void> {
  const value = 'v'.repeat(100);
  const old = client.pipeline();
  for (let i = 0; i < 3000; i++) {
    old.set(`old:${i}`, value);
    for (let j = 0; j < 8; j++) old.get(`old:${i}`);
  }
  await old.exec();
  for (let round = 0; round < 4; round++) {
    const pipeline = client.pipeline();
    for (let i = 0; i < 10_000; i++) {
      pipeline.set(`new:${round}:${i}`, value);
      if (i % 2 === 0) pipeline.get(`hot:${i % 1500}`);
      else pipeline.set(`hot:${i % 1500}`, value);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) expect(error).toBeNull();
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('mlcache node --policy ml-lfu|ml-lru', () => {
  it('evicts under a budget with the shipped model, and reports it in /metrics, INFO and /v1/stats', async () => {
    const node = await start(['--policy', 'ml-lfu', '--maxmemory', '1mb', '--node-name', 'ml-1']);
    const client = redis(node);
    await staleFrequencyTraffic(client);
    const info = await client.info();
    const evicted = Number(/evicted_keys:(\d+)/.exec(info)?.[1]);
    expect(evicted).toBeGreaterThan(30_000);
    expect(info).toContain('maxmemory_policy:ml-lfu');
    expect(info).toContain('# ML\r\nml_policy:ml-lfu\r\n');
    expect(Number(/ml_model_version:(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(1);
    expect(await client.info('ml')).toMatch(/^# ML\r\n/);
    expect(await client.info('memory')).not.toContain('# ML');

    const text = await metrics(node);
    const labels = { node: 'ml-1', policy: 'ml-lfu' };
    const model = series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'model' });
    const base = series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'base' });
    expect(model).toBeGreaterThan(0);
    expect(model + base).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_model_version', labels)).toBeGreaterThanOrEqual(1);
    expect(series(text, 'mlcache_node_ml_breaker_state', labels)).toBe(0);
    expect(series(text, 'mlcache_node_ml_model_age_seconds', labels)).toBeGreaterThanOrEqual(0);
    expect(series(text, 'mlcache_node_ml_score_batches_total', labels)).toBeGreaterThan(0);
    expect(
      series(text, 'mlcache_node_ml_score_batch_rows_count', { ...labels, scorer: 'local' }),
    ).toBeGreaterThan(0);
    expect(
      series(text, 'mlcache_node_ml_score_duration_seconds_count', { ...labels, scorer: 'local' }),
    ).toBeGreaterThan(0);
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { ...labels, reason: 'noModel' })).toBe(
      0,
    );
    expect(
      series(text, 'mlcache_node_ml_shadow_hit_ratio', { ...labels, variant: 'live' }),
    ).toBeGreaterThanOrEqual(0);
    expect(text).toContain(
      'mlcache_node_ml_models_refused_total{node="ml-1",policy="ml-lfu",reason="version"} 0',
    );

    const stats = (await (
      await fetch(`http://127.0.0.1:${node.listening.admin}/v1/stats`)
    ).json()) as {
      policy: string;
      ml: {
        modelVersion: number;
        evictions: { model: number; base: number };
        breaker: { state: string };
      };
      config: { scorer: string; scorerRank: string; model: string; scorerDeadlineMs: number };
    };
    expect(stats.policy).toBe('ml-lfu');
    expect(stats.ml.modelVersion).toBeGreaterThanOrEqual(1);
    expect(stats.ml.evictions.model).toBeGreaterThan(0);
    expect(stats.ml.breaker.state).toBe('closed');
    expect(stats.config).toMatchObject({
      scorer: 'local',
      scorerRank: 'local',
      model: 'default',
      scorerDeadlineMs: 2,
    });

    expect((await node.stop()).code).toBe(0);
  });

  it('starts ml-lru without a model (--model none) and learns one online in a worker thread', async () => {
    const node = await start(['--policy', 'ml-lru', '--maxmemory', '1mb', '--model', 'none']);
    const client = redis(node);
    const before = await metrics(node);
    expect(series(before, 'mlcache_node_ml_model_version', { policy: 'ml-lru' })).toBe(0);
    await traffic(client, 20_000, 3);
    // The first model needs firstTrainAt labels, then a training in the worker.
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await metrics(node);
      if (series(text, 'mlcache_node_ml_model_version', { policy: 'ml-lru' }) >= 1) break;
      await traffic(client, 2_000, 1);
    }
    expect(
      series(text, 'mlcache_node_ml_model_version', { policy: 'ml-lru' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      series(text, 'mlcache_node_ml_trainings_total', { policy: 'ml-lru' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      series(text, 'mlcache_node_ml_training_duration_seconds_count', { policy: 'ml-lru' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      series(text, 'mlcache_node_ml_fallbacks_total', { policy: 'ml-lru', reason: 'noModel' }),
    ).toBeGreaterThan(0);
  });

  it('keeps serving with base evictions when the scorer service is dead (rank remote), counting fallbacks, never blocking', async () => {
    const dead = await freePort();
    const node = await start([
      '--policy',
      'ml-lfu',
      '--maxmemory',
      '1mb',
      '--scorer',
      `grpc://127.0.0.1:${dead}`,
      // Ask-ahead remote ranking, on the in-process deadline: every batch fails or is late.
      '--scorer-rank',
      'remote',
      '--scorer-deadline',
      '2',
    ]);
    const client = redis(node);
    // Unpipelined commands first: each must answer promptly although no scorer answers.
    const single: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = performance.now();
      await client.set(`s:${i}`, 'v'.repeat(4000));
      single.push(performance.now() - started);
    }
    single.sort((a, b) => a - b);
    expect(single[Math.floor(single.length * 0.99)]).toBeLessThan(250);
    await traffic(client, 20_000, 2);
    // Time for late rejections to land and the breaker to count them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await traffic(client, 5_000, 1);
    const info = await client.info('stats');
    const evicted = Number(/evicted_keys:(\d+)/.exec(info)?.[1]);
    expect(evicted).toBeGreaterThan(10_000);

    const text = await metrics(node);
    const labels = { policy: 'ml-lfu' };
    expect(series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'model' })).toBe(
      0,
    );
    expect(series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'base' })).toBe(
      evicted,
    );
    const fallback = (reason: string): number =>
      series(text, 'mlcache_node_ml_fallbacks_total', { ...labels, reason });
    // Failed or late batches open the breaker. Evictions count `noModel` while the scorer never
    // answered with a model (the policy checks that first), `breakerOpen` once one had.
    expect(
      fallback('scorerError') + fallback('deadline') + fallback('breakerOpen'),
    ).toBeGreaterThan(0);
    expect(fallback('noModel') + fallback('breakerOpen')).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_breaker_opens_total', labels)).toBeGreaterThan(0);
    expect(series(text, 'mlcache_node_ml_model_version', labels)).toBe(0);
    const breaker = series(text, 'mlcache_node_ml_breaker_state', labels);
    expect([1, 2]).toContain(breaker);
    expect((await node.stop()).code).toBe(0);
  });
});

/** Starts `mlcache scorer` on free ports with `args`; resolves once it listens. */
async function startScorer(args: readonly string[]): Promise<{ grpc: number; admin: number }> {
  const child = spawn(
    process.execPath,
    [MLCACHE_BIN, 'scorer', '--port', '0', '--admin-port', '0', '--log-level', 'warn', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line) as { grpc: number; admin: number });
    });
    child.once('exit', (code) => reject(new Error(`mlcache scorer exited with ${code}`)));
  });
}

describe('mlcache node --scorer grpc:// --scorer-rank remote with a live scorer service', () => {
  it('scores remotely with the service model and reports remote batches and its model version', async () => {
    const modelPath = join(import.meta.dirname, '../../../ml-scorer/models/default.onnx');
    const scorer = await startScorer(['--model', modelPath]);
    const node = await start([
      '--policy',
      'ml-lfu',
      '--maxmemory',
      '1mb',
      '--scorer',
      `grpc://127.0.0.1:${scorer.grpc}`,
      '--model',
      'none',
      // The default deadline of remote ranking (250 ms) is checked below.
      '--scorer-rank',
      'remote',
    ]);
    const client = redis(node);
    await staleFrequencyTraffic(client);
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await metrics(node);
      if (series(text, 'mlcache_node_ml_score_batch_rows_count', { scorer: 'remote' }) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await traffic(client, 2_000, 1);
    }
    // Batches went to the service (none were scored in process) and its model is reported.
    expect(
      series(text, 'mlcache_node_ml_score_batch_rows_count', { scorer: 'remote' }),
    ).toBeGreaterThan(0);
    expect(
      series(text, 'mlcache_node_ml_score_duration_seconds_count', { scorer: 'remote' }),
    ).toBeGreaterThan(0);
    expect(series(text, 'mlcache_node_ml_score_batch_rows_count', { scorer: 'local' })).toBe(0);
    expect(series(text, 'mlcache_node_ml_model_version', {})).toBeGreaterThanOrEqual(1);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(
      series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' }) +
        series(text, 'mlcache_node_ml_evictions_total', { decider: 'base' }),
    ).toBeLessThanOrEqual(evicted);
    const stats = (await (
      await fetch(`http://127.0.0.1:${node.listening.admin}/v1/stats`)
    ).json()) as {
      ml: { scoring: { remote: boolean }; remoteModel?: { version: number }; pulled?: unknown };
      config: { scorerRank: string; scorerDeadlineMs: number };
    };
    expect(stats.config).toMatchObject({ scorerRank: 'remote', scorerDeadlineMs: 250 });
    expect(stats.ml.scoring.remote).toBe(true);
    // Nothing pulled: the model stays in the service.
    expect(stats.ml.pulled).toBeUndefined();
    expect(series(text, 'mlcache_node_ml_models_pulled_total', {})).toBe(0);
    expect(stats.ml.remoteModel?.version).toBeGreaterThanOrEqual(1);
    expect((await node.stop()).code).toBe(0);
  });
});

describe('mlcache node: unusable models and missing ports are configuration errors (exit 2)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlcache-ml-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a corrupt model file, naming it', async () => {
    const path = join(dir, 'corrupt.onnx');
    writeFileSync(path, Buffer.from('not an onnx model, just some bytes'));
    const exit = await runNode([...LOCAL_NODE_ARGS, '--policy', 'ml-lfu', '--model', path]);
    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toContain('mlcache node: invalid configuration:');
    expect(exit.stderr).toContain(`--model: cannot use '${path}'`);
    expect(exit.stderr).toContain('MODEL_E_CORRUPT');
  });

  it('refuses a missing model file with MODEL_E_IO', async () => {
    const path = join(dir, 'missing.onnx');
    const exit = await runNode([...LOCAL_NODE_ARGS, '--policy', 'ml-lru', '--model', path]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain(`MODEL_E_IO: cannot read ${path} (ENOENT)`);
  });

  it('refuses bad learned-policy flags', async () => {
    const exit = await runNode([
      ...LOCAL_NODE_ARGS,
      '--policy',
      'lfu',
      '--scorer',
      'grpc://127.0.0.1:1',
      '--scorer-deadline',
      'soon',
    ]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain("--scorer-deadline: 'soon' is not a duration in milliseconds");
    const rank = await runNode([
      ...LOCAL_NODE_ARGS,
      '--policy',
      'ml-lru',
      '--scorer-rank',
      'remote',
    ]);
    expect(rank.code).toBe(2);
    expect(rank.stderr).toContain(
      "--scorer-rank: 'remote' needs a scorer service (--scorer grpc://HOST:PORT)",
    );
  });

  it("refuses ml policies in node/src/main.ts without the CLI's ports, and still runs plain ones", async () => {
    const main = join(import.meta.dirname, '../../src/main.ts');
    const script = (policy: string): string =>
      `import { run } from ${JSON.stringify(main)};` +
      `process.exitCode = await run(${JSON.stringify([...LOCAL_NODE_ARGS, '--policy', policy])});`;
    const runScript = (policy: string, stopAfterMs: number): Promise<Exit> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script(policy)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('"event":"listening"'))
            setTimeout(() => child.kill('SIGTERM'), stopAfterMs);
        });
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
    const refused = await runScript('ml-lfu', 0);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--policy: 'ml-lfu' needs the learned-policy ports");
    const plain = await runScript('lfu', 50);
    expect(plain.stdout).toContain('"event":"listening"');
    expect(plain.code).toBe(0);
  });
});
