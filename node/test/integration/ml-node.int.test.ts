import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NODE_ARGS, runNode } from './start-node.ts';
import type { Exit, RunningNode } from './start-node.ts';
import { cleanupsAfterEach } from './support/cleanups.ts';
import { adminJson, freePort, redisClient, startLocalNode } from './support/local-node.ts';
import { scrapeMetrics, series } from './support/metrics.ts';
import { setLatencyP99, staleFrequencyTraffic } from './support/ml-traffic.ts';
import { startScorer } from './support/start-scorer.ts';

// ml-lru and ml-lfu in a real node process (`mlcache node`, whose CLI binds the learned-policy
// ports): eviction under a budget with the shipped model, the metrics, INFO and /v1/stats that
// report on it, refusal of unusable models, and a dead scorer service that must never block.

const cleanups = cleanupsAfterEach();
const start = (args: readonly string[]): Promise<RunningNode> => startLocalNode(cleanups, args);
const redis = (node: RunningNode): Redis => redisClient(cleanups, node);

/**
 * The learned state's upkeep is what these tests follow: their loads of small values would make
 * the nodes run plain (--ml-plain-switch) after a while; the test of running plain aside, they
 * stay learned.
 */
const LEARNED = ['--ml-plain-switch', 'off'];

/** Starts ml-lfu with a 1 MB budget and the scorer service on local `port`, and `flags`. */
const startLfuWithScorer = (port: number, flags: readonly string[]): Promise<RunningNode> =>
  start([
    '--policy',
    'ml-lfu',
    '--maxmemory',
    '1mb',
    '--scorer',
    `grpc://127.0.0.1:${port}`,
    ...LEARNED,
    ...flags,
  ]);

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
 * Scrapes `node`'s /metrics until `done` holds, at most `attempts` times, calling `between` after
 * each scrape that does not satisfy it; returns the last text scraped.
 */
async function metricsUntil(
  node: RunningNode,
  done: (text: string) => boolean,
  attempts: number,
  between: () => Promise<unknown>,
): Promise<string> {
  let text = '';
  for (let i = 0; i < attempts; i++) {
    text = await scrapeMetrics(node);
    if (done(text)) break;
    await between();
  }
  return text;
}

describe('mlcache node --policy ml-lfu|ml-lru', () => {
  it('evicts under a budget with the shipped model, and reports it in /metrics, INFO and /v1/stats', async () => {
    const node = await start([
      ...['--policy', 'ml-lfu', '--maxmemory', '1mb', '--node-name', 'ml-1'],
      ...LEARNED,
    ]);
    const client = redis(node);
    // A skewed key set, on which the shipped model decides more than half of the evictions at
    // any budget from 800kb to 1200kb.
    await traffic(client, 20_000, 3);
    const info = await client.info();
    const evicted = Number(/evicted_keys:(\d+)/.exec(info)?.[1]);
    expect(evicted).toBeGreaterThan(30_000);
    expect(info).toContain('maxmemory_policy:ml-lfu');
    expect(info).toContain('# ML\r\nml_policy:ml-lfu\r\n');
    expect(Number(/ml_model_version:(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(1);
    expect(await client.info('ml')).toMatch(/^# ML\r\n/);
    // The order proposing victims, the own base's or the other's (the base selector's choice).
    const order = /ml_base_order:(lru|lfu)\r\n/.exec(info)?.[1];
    expect(order).toBeDefined();
    expect(Number(/ml_base_order_switches:(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(0);
    // The table counts against the budget and may hold 5% of it: 655 keys of 80 bytes in 1mb,
    // which the evictions fill.
    expect(Number(/ml_evicted_keys_capacity:(\d+)/.exec(info)?.[1])).toBe(655);
    expect(Number(/ml_evicted_keys_remembered:(\d+)/.exec(info)?.[1])).toBe(655);
    expect(await client.info('memory')).not.toContain('# ML');

    const text = await scrapeMetrics(node);
    const labels = { node: 'ml-1', policy: 'ml-lfu' };
    const model = series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'model' });
    const base = series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'base' });
    // The model decides most evictions (about 60-66% on this traffic at 800kb to 1200kb), and
    // the shadow never judged it worse than LFU. A guard that falls back on a model it never let
    // act (the shadow starting empty, the defect of 34fe495) fails here, not only a dead model.
    expect(model).toBeGreaterThan(0.5 * evicted);
    expect(model + base).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { ...labels, reason: 'shadow' })).toBe(
      0,
    );
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
    expect(series(text, 'mlcache_node_ml_base_order', { ...labels, order: order! })).toBe(1);

    const stats = await adminJson<{
      policy: string;
      ml: {
        modelVersion: number;
        evictions: { model: number; base: number };
        breaker: { state: string };
        order: { active: string; switches: number };
      };
      config: { scorer: string; scorerRank: string; model: string; scorerDeadlineMs: number };
    }>(node, '/v1/stats');
    expect(stats.policy).toBe('ml-lfu');
    expect(stats.ml.modelVersion).toBeGreaterThanOrEqual(1);
    expect(stats.ml.evictions.model).toBeGreaterThan(0);
    expect(stats.ml.breaker.state).toBe('closed');
    expect(stats.ml.order.active).toBe(order);
    expect(stats.config).toMatchObject({
      scorer: 'local',
      scorerRank: 'local',
      model: 'default',
      scorerDeadlineMs: 2,
    });

    expect((await node.stop()).code).toBe(0);
  });

  it('starts ml-lru without a model (--model none) and learns one online in a worker thread', async () => {
    const node = await start([
      ...['--policy', 'ml-lru', '--maxmemory', '1mb', '--model', 'none'],
      ...['--ml-evicted-keys', '300'],
      ...LEARNED,
    ]);
    const client = redis(node);
    const before = await scrapeMetrics(node);
    expect(series(before, 'mlcache_node_ml_model_version', { policy: 'ml-lru' })).toBe(0);
    await traffic(client, 20_000, 3);
    // The first model needs firstTrainAt labels, then a training in the worker.
    const text = await metricsUntil(
      node,
      (t) => series(t, 'mlcache_node_ml_model_version', { policy: 'ml-lru' }) >= 1,
      100,
      () => traffic(client, 2_000, 1),
    );
    const lru = (name: string, labels: Record<string, string> = {}): number =>
      series(text, `mlcache_node_ml_${name}`, { policy: 'ml-lru', ...labels });
    expect(lru('model_version')).toBeGreaterThanOrEqual(1);
    expect(lru('trainings_total')).toBeGreaterThanOrEqual(1);
    expect(lru('training_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(lru('fallbacks_total', { reason: 'noModel' })).toBeGreaterThan(0);
    expect(lru('evicted_keys_capacity')).toBe(300);
    expect(lru('evicted_keys_remembered')).toBe(300);
  });

  it('runs as the plain base on uniform keys of small values, holding more keys, unless --ml-plain-switch off', async () => {
    const uniformSets = async (client: Redis, sets: number): Promise<void> => {
      const pipeline = client.pipeline();
      for (let i = 0; i < sets; i++) {
        pipeline.set(`u:${(i * 7919) % 4_000}`, 'v'.repeat(100));
      }
      await pipeline.exec();
    };
    const args = ['--policy', 'ml-lfu', '--maxmemory', '256kb'];
    const [plain, learned] = await Promise.all([
      start(args),
      start([...args, '--ml-plain-switch', 'off']),
    ]);
    for (const node of [plain, learned]) await uniformSets(redis(node), 20_000);
    const lfu = (text: string, name: string): number =>
      series(text, `mlcache_node_ml_${name}`, { policy: 'ml-lfu' });
    const text = await metricsUntil(
      plain,
      (t) => lfu(t, 'plain_mode') === 1,
      100,
      () => uniformSets(redis(plain), 5_000),
    );
    expect(
      series(text, 'mlcache_node_ml_plain_switches_total', { policy: 'ml-lfu', to: 'plain' }),
    ).toBe(1);
    await uniformSets(redis(plain), 5_000);
    await uniformSets(redis(learned), 50_000);
    expect(lfu(await scrapeMetrics(learned), 'plain_mode')).toBe(0);
    // 256 KiB: about 1,120 keys of 234 bytes as LFU charges them, 650 with the learned state.
    const keys = async (node: RunningNode): Promise<number> => redis(node).dbsize();
    expect(await keys(learned)).toBeLessThan(700);
    expect(await keys(plain)).toBeGreaterThan(1_000);
    expect(await redis(plain).info('ml')).toContain('ml_plain_mode:1');
  });

  it('keeps serving with base evictions when the scorer service is dead (rank remote), counting fallbacks, never blocking', async () => {
    const dead = await freePort();
    // Ask-ahead remote ranking, on the in-process deadline: every batch fails or is late.
    const node = await startLfuWithScorer(dead, [
      '--scorer-rank',
      'remote',
      '--scorer-deadline',
      '2',
    ]);
    const client = redis(node);
    // Unpipelined commands first: each must answer promptly although no scorer answers.
    expect(await setLatencyP99(client, 300, 4000)).toBeLessThan(250);
    await traffic(client, 20_000, 2);
    // Time for late rejections to land and the breaker to count them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await traffic(client, 5_000, 1);
    const info = await client.info('stats');
    const evicted = Number(/evicted_keys:(\d+)/.exec(info)?.[1]);
    expect(evicted).toBeGreaterThan(10_000);

    const text = await scrapeMetrics(node);
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

describe('mlcache node --scorer grpc:// --scorer-rank remote with a live scorer service', () => {
  it('scores remotely with the service model and reports remote batches and its model version', async () => {
    const modelPath = join(import.meta.dirname, '../../../ml-scorer/models/default.onnx');
    const scorer = await startScorer(cleanups, ['--model', modelPath]);
    // The default deadline of remote ranking (250 ms) is checked below.
    const node = await startLfuWithScorer(scorer.grpc, [
      '--model',
      'none',
      '--scorer-rank',
      'remote',
    ]);
    const client = redis(node);
    await staleFrequencyTraffic(client);
    const text = await metricsUntil(
      node,
      (t) => series(t, 'mlcache_node_ml_score_batch_rows_count', { scorer: 'remote' }) > 0,
      50,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await traffic(client, 2_000, 1);
      },
    );
    // Batches went to the service (none were scored in process) and its model is reported.
    const scored = (name: string, scorer: string): number =>
      series(text, `mlcache_node_ml_${name}`, { scorer });
    expect(scored('score_batch_rows_count', 'remote')).toBeGreaterThan(0);
    expect(scored('score_duration_seconds_count', 'remote')).toBeGreaterThan(0);
    expect(scored('score_batch_rows_count', 'local')).toBe(0);
    expect(series(text, 'mlcache_node_ml_model_version', {})).toBeGreaterThanOrEqual(1);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(
      series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' }) +
        series(text, 'mlcache_node_ml_evictions_total', { decider: 'base' }),
    ).toBeLessThanOrEqual(evicted);
    const stats = await adminJson<{
      ml: { scoring: { remote: boolean }; remoteModel?: { version: number }; pulled?: unknown };
      config: { scorerRank: string; scorerDeadlineMs: number };
    }>(node, '/v1/stats');
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
