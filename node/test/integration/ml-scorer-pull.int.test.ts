import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadMlcacheService } from '../../src/platform/grpc-proto.ts';
import { SCORER_PROTO_PATH } from '../../src/scorer-client/scorer-proto.ts';
import type { ModelUpdate } from '../../src/scorer-client/scorer-proto.ts';
import type { RunningNode } from './start-node.ts';
import { cleanupsAfterEach } from './support/cleanups.ts';
import { adminJson, redisClient, startLocalNode } from './support/local-node.ts';
import { scrapeMetrics, series, until } from './support/metrics.ts';
import { setLatencyP99, staleFrequencyTraffic } from './support/ml-traffic.ts';
import { startScorer } from './support/start-scorer.ts';
import type { RunningScorer } from './support/start-scorer.ts';

// `mlcache node --scorer grpc://…` with the default `--scorer-rank local`, against a real
// `mlcache scorer` process: the node installs each model the service publishes and scores in
// process, its samples train the service, a newer published model replaces the one in use, and a
// scorer that dies leaves the node evicting with its last model. A stand-in WatchModel server
// publishes models the node must refuse (corrupt bytes, another feature schema).

const MODEL_PATH = join(import.meta.dirname, '../../../ml-scorer/models/default.onnx');

const cleanups = cleanupsAfterEach();
const redis = (node: RunningNode): Redis => redisClient(cleanups, node);

/**
 * Starts a node whose learned policy (`flags`) uses the scorer service on `port`. Learned
 * throughout: these loads of small values would make it run plain (--ml-plain-switch) after a
 * while, and the models and their evictions are what these tests follow.
 */
const startPulling = (flags: readonly string[], port: number): Promise<RunningNode> =>
  startLocalNode(cleanups, [
    ...flags,
    ...['--scorer', `grpc://127.0.0.1:${port}`, '--ml-plain-switch', 'off'],
  ]);

interface ScorerStatus {
  readonly modelVersion: number;
  readonly windowRows: number;
  readonly rowsReceived: number;
}

async function scorerStatus(scorer: RunningScorer): Promise<ScorerStatus> {
  return (await (await fetch(`http://127.0.0.1:${scorer.admin}/v1/status`)).json()) as ScorerStatus;
}

interface MlStats {
  readonly modelVersion: number;
  readonly evictions: { readonly model: number; readonly base: number };
  readonly scoring: { readonly remote: boolean };
  readonly pulled?: {
    readonly model?: { readonly version: number; readonly source: string };
    readonly installed: number;
    readonly refused: Readonly<Record<string, number>>;
  };
}

const mlStats = (node: RunningNode): Promise<{ ml: MlStats; config: Record<string, unknown> }> =>
  adminJson(node, '/v1/stats');

const version = (node: RunningNode): Promise<number> =>
  scrapeMetrics(node).then((text) => series(text, 'mlcache_node_ml_model_version'));

/** Waits until `node` uses model `wanted` (up to 20 s); fails the test if it does not. */
async function expectVersion(node: RunningNode, wanted: number): Promise<void> {
  expect(
    await until(
      () => version(node),
      (v) => v === wanted,
    ),
  ).toBe(wanted);
}

describe('mlcache node --scorer grpc:// (rank local): models pulled from a live scorer service', () => {
  it('installs the published model, evicts with it in process, feeds the service samples, and installs a newer one', async () => {
    const scorer = await startScorer(cleanups, ['--model', MODEL_PATH]);
    const node = await startPulling(
      ['--policy', 'ml-lfu', '--maxmemory', '1mb', '--node-name', 'pull-1'],
      scorer.grpc,
    );
    // The service's model (version 1) arrives down WatchModel, before any eviction.
    await expectVersion(node, 1);
    const before = await scorerStatus(scorer);

    const client = redis(node);
    await staleFrequencyTraffic(client, 'a:');
    // INFO counts the models the policy installed: the start model (the shipped one), the
    // service's first, and any it trained from this node's samples meanwhile (the scorer
    // retrains after 1024 rows). All but the start model were pulled.
    const installs = Number(/ml_model_version:(\d+)/.exec(await client.info('ml'))?.[1]);
    expect(installs).toBeGreaterThanOrEqual(2);
    const pulled = installs - 1;
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(evicted).toBeGreaterThan(30_000);

    let text = await scrapeMetrics(node);
    const labels = { node: 'pull-1', policy: 'ml-lfu' };
    const model = series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'model' });
    // Model-driven evictions, every batch scored in process, none sent to the service.
    expect(model).toBeGreaterThan(0);
    expect(
      model + series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'base' }),
    ).toBe(evicted);
    expect(
      series(text, 'mlcache_node_ml_score_batch_rows_count', { ...labels, scorer: 'local' }),
    ).toBeGreaterThan(0);
    expect(
      series(text, 'mlcache_node_ml_score_batch_rows_count', { ...labels, scorer: 'remote' }),
    ).toBe(0);
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { ...labels, reason: 'noModel' })).toBe(
      0,
    );
    expect(series(text, 'mlcache_node_ml_breaker_state', labels)).toBe(0);
    expect(series(text, 'mlcache_node_ml_models_pulled_total', labels)).toBeGreaterThanOrEqual(
      pulled,
    );
    expect(series(text, 'mlcache_node_ml_model_version', labels)).toBeGreaterThanOrEqual(1);
    expect(
      series(text, 'mlcache_node_ml_models_pull_refused_total', { ...labels, reason: 'corrupt' }),
    ).toBe(0);
    expect(series(text, 'mlcache_node_ml_model_age_seconds', labels)).toBeGreaterThanOrEqual(0);
    // No training in the node: the samples went to the service.
    expect(series(text, 'mlcache_node_ml_trainings_total', labels)).toBe(0);
    const fed = await until(
      () => scorerStatus(scorer),
      (status) => status.windowRows > before.windowRows,
    );
    expect(fed.rowsReceived).toBeGreaterThan(before.rowsReceived);
    expect(fed.windowRows).toBeGreaterThan(before.windowRows);
    const stats = await mlStats(node);
    expect(stats.config).toMatchObject({ scorerRank: 'local', scorerDeadlineMs: 2 });
    expect(stats.ml.scoring.remote).toBe(false);

    // A newer model published on the service's admin port replaces the one in use.
    const put = await fetch(`http://127.0.0.1:${scorer.admin}/v1/model`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: readFileSync(MODEL_PATH),
    });
    expect(put.status).toBe(200);
    const published = ((await put.json()) as { version: number }).version;
    expect(published).toBeGreaterThanOrEqual(2);
    // (or a later one, should the service train again from this node's samples meanwhile).
    const installed = await until(
      () => version(node),
      (v) => v >= published,
    );
    expect(installed).toBeGreaterThanOrEqual(published);
    text = await scrapeMetrics(node);
    expect(series(text, 'mlcache_node_ml_models_pulled_total', labels)).toBeGreaterThanOrEqual(
      pulled + 1,
    );
    const after = await mlStats(node);
    expect(after.ml.pulled?.model?.version).toBeGreaterThanOrEqual(published);
    expect(after.ml.pulled?.installed).toBeGreaterThanOrEqual(2);
    // Model-driven evictions go on with the new model.
    await staleFrequencyTraffic(client, 'b:', 2);
    text = await scrapeMetrics(node);
    expect(
      series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'model' }),
    ).toBeGreaterThan(model);
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });

  it('keeps serving with its last model when the scorer service dies', async () => {
    // One training at most (the service's first, after 1024 rows). Whether the model beats its
    // base on this traffic is not what this test is about: where it trails, the shadow rightly
    // falls back (on this stream it can, since a node scores fresh candidates at every eviction),
    // with or without the service. What the death must not cause is a fallback for want of it.
    const scorer = await startScorer(cleanups, [
      '--model',
      MODEL_PATH,
      '--retrain-every',
      '1000000000',
    ]);
    const node = await startPulling(['--policy', 'ml-lfu', '--maxmemory', '1mb'], scorer.grpc);
    await expectVersion(node, 1);
    const client = redis(node);
    await staleFrequencyTraffic(client, 'a:', 2);
    // Evictions the model decided, or that went to the base on the shadow's verdict (the model's
    // own record against its base): both need the model and neither needs the service.
    const judged = (text: string): number =>
      series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' }) +
      series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'shadow' });
    const before = judged(await scrapeMetrics(node));
    expect(
      series(await scrapeMetrics(node), 'mlcache_node_ml_evictions_total', { decider: 'model' }),
    ).toBeGreaterThan(0);

    const died = new Promise((resolve) => scorer.child.once('exit', resolve));
    scorer.child.kill('SIGKILL');
    await died;
    // Version 1, or one the scorer trained from this node's samples meanwhile.
    const inUse = await version(node);
    expect(inUse).toBeGreaterThanOrEqual(1);
    // Unpipelined commands answer promptly: nothing waits for the service.
    expect(await setLatencyP99(client, 200, 2000)).toBeLessThan(250);
    await staleFrequencyTraffic(client, 'b:', 2);
    const text = await scrapeMetrics(node);
    expect(series(text, 'mlcache_node_ml_model_version')).toBe(inUse);
    expect(judged(text)).toBeGreaterThan(before);
    for (const reason of ['noModel', 'breakerOpen', 'scorerError', 'notScored']) {
      expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason }), reason).toBe(0);
    }
    expect(series(text, 'mlcache_node_ml_breaker_state')).toBe(0);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });
});

describe('mlcache node --scorer grpc:// (rank local): no scorer service at all', () => {
  it('ranks with the shipped model (--model default) until the service publishes one', async () => {
    const node = await startPulling(['--policy', 'ml-lru', '--maxmemory', '1mb'], await deadPort());
    const client = redis(node);
    await staleFrequencyTraffic(client, 'a:', 2);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(evicted).toBeGreaterThan(10_000);
    const text = await scrapeMetrics(node);
    // No model of the service yet (version 0), but the start model decides evictions.
    expect(series(text, 'mlcache_node_ml_model_version')).toBe(0);
    expect(series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' })).toBeGreaterThan(
      0,
    );
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'noModel' })).toBe(0);
    expect(series(text, 'mlcache_node_ml_models_pulled_total')).toBe(0);
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });

  it('evicts with the base policy, without a model (--model none), and never waits for the service', async () => {
    const node = await startPulling(
      ['--policy', 'ml-lru', '--maxmemory', '1mb', '--model', 'none'],
      await deadPort(),
    );
    const client = redis(node);
    expect(await setLatencyP99(client, 200, 4000)).toBeLessThan(250);
    await staleFrequencyTraffic(client, 'a:', 2);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(evicted).toBeGreaterThan(10_000);
    const text = await scrapeMetrics(node);
    expect(series(text, 'mlcache_node_ml_model_version')).toBe(0);
    expect(series(text, 'mlcache_node_ml_evictions_total', { decider: 'base' })).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'noModel' })).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_models_pulled_total')).toBe(0);
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });
});

/** A port on 127.0.0.1 that nothing listens on (a scorer service that is down). */
async function deadPort(): Promise<number> {
  const probe = new Server();
  const port = await new Promise<number>((resolve, reject) =>
    probe.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  probe.forceShutdown();
  return port;
}

/**
 * A stand-in scorer service that publishes the models it is given down every WatchModel stream
 * (a real `mlcache scorer` validates what it publishes, so it cannot send a bad one).
 */
async function startPublisher(): Promise<{ port: number; publish(update: ModelUpdate): void }> {
  const streams: ServerWritableStream<unknown, ModelUpdate>[] = [];
  const published: ModelUpdate[] = [];
  const implementation: UntypedServiceImplementation = {
    WatchModel: (call: ServerWritableStream<unknown, ModelUpdate>) => {
      streams.push(call);
      for (const update of published) call.write(update);
    },
  };
  const server = new Server();
  server.addService(loadMlcacheService(SCORER_PROTO_PATH, 'Scorer').service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  cleanups.add(() => server.forceShutdown());
  return {
    port,
    publish(update: ModelUpdate): void {
      published.push(update);
      for (const stream of streams) if (!stream.cancelled) stream.write(update);
    },
  };
}

describe('mlcache node --scorer grpc:// (rank local): models it must refuse', () => {
  it('logs and counts a corrupt model and one of another feature schema, and keeps the model in use', async () => {
    const publisher = await startPublisher();
    const good = readFileSync(MODEL_PATH);
    const update = (version: number, onnx: Buffer, schema = 1): ModelUpdate => ({
      version,
      feature_schema_version: schema,
      n_features: 12,
      onnx,
      installed_at_ms: Date.now() - 1000,
      training_rows: 0,
      source: 'file',
    });
    publisher.publish(update(1, good));
    const node = await startPulling(
      ['--policy', 'ml-lru', '--maxmemory', '1mb', '--node-name', 'pull-2'],
      publisher.port,
    );
    await expectVersion(node, 1);

    publisher.publish(update(2, Buffer.from('not an onnx model, just some bytes')));
    publisher.publish(update(3, good, 99));
    const refused = (text: string, reason: string): number =>
      series(text, 'mlcache_node_ml_models_pull_refused_total', { reason });
    let text = await until(
      () => scrapeMetrics(node),
      (t) => refused(t, 'corrupt') === 1 && refused(t, 'feature_version') === 1,
    );
    expect(refused(text, 'corrupt')).toBe(1);
    expect(refused(text, 'feature_version')).toBe(1);
    expect(series(text, 'mlcache_node_ml_model_version')).toBe(1);
    expect(series(text, 'mlcache_node_ml_models_pulled_total')).toBe(1);
    expect(node.stderr()).toContain('scorer service model refused');
    expect(node.stderr()).toContain('MODEL_E_CORRUPT');

    // The refused models changed nothing: the node still evicts with version 1.
    const client = redis(node);
    await staleFrequencyTraffic(client, 'a:', 2);
    text = await scrapeMetrics(node);
    expect(series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' })).toBeGreaterThan(
      0,
    );
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'noModel' })).toBe(0);

    // A good model after the refusals is installed.
    publisher.publish(update(4, good));
    await expectVersion(node, 4);
    expect((await mlStats(node)).ml.pulled).toMatchObject({
      installed: 2,
      refused: { corrupt: 1, feature_version: 1 },
    });
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });
});
