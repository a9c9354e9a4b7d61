import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { loadPackageDefinition, Server, ServerCredentials } from '@grpc/grpc-js';
import type {
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SCORER_PROTO_PATH } from '../../src/scorer-client/scorer-proto.ts';
import { LOCAL_NODE_ARGS, MLCACHE_BIN, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';

// `mlcache node --scorer grpc://…` with the default `--scorer-rank local`, against a real
// `mlcache scorer` process: the node installs each model the service publishes and scores in
// process, its samples train the service, a newer published model replaces the one in use, and a
// scorer that dies leaves the node evicting with its last model. A stand-in WatchModel server
// publishes models the node must refuse (corrupt bytes, another feature schema).

const MODEL_PATH = join(import.meta.dirname, '../../../ml-scorer/models/default.onnx');

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

/** Polls `read` every 100 ms until `done` holds (up to `ms`); returns the last value read. */
async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/**
 * LFU's blind spot, where a model earns its keep: keys read often that then go cold keep high
 * counts, so LFU evicts the newer, live keys instead; their age gives them away to the model.
 * `tag` keeps the keys of two calls apart.
 */
async function staleFrequencyTraffic(client: Redis, tag: string, rounds = 4): Promise<void> {
  const value = 'v'.repeat(100);
  const old = client.pipeline();
  for (let i = 0; i < 3000; i++) {
    old.set(`${tag}:old:${i}`, value);
    for (let j = 0; j < 8; j++) old.get(`${tag}:old:${i}`);
  }
  await old.exec();
  for (let round = 0; round < rounds; round++) {
    const pipeline = client.pipeline();
    for (let i = 0; i < 10_000; i++) {
      pipeline.set(`${tag}:new:${round}:${i}`, value);
      if (i % 2 === 0) pipeline.get(`${tag}:hot:${i % 1500}`);
      else pipeline.set(`${tag}:hot:${i % 1500}`, value);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) expect(error).toBeNull();
  }
}

interface Scorer {
  readonly grpc: number;
  readonly admin: number;
  readonly child: ChildProcessByStdio<null, Readable, null>;
}

/** Starts `mlcache scorer` on free ports with `args`; resolves once it listens. */
async function startScorer(args: readonly string[]): Promise<Scorer> {
  const child = spawn(
    process.execPath,
    [MLCACHE_BIN, 'scorer', '--port', '0', '--admin-port', '0', '--log-level', 'warn', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const ports = await new Promise<{ grpc: number; admin: number }>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line) as { grpc: number; admin: number });
    });
    child.once('exit', (code) => reject(new Error(`mlcache scorer exited with ${code}`)));
  });
  return { ...ports, child };
}

interface ScorerStatus {
  readonly modelVersion: number;
  readonly windowRows: number;
  readonly rowsReceived: number;
}

async function scorerStatus(scorer: Scorer): Promise<ScorerStatus> {
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

async function mlStats(
  node: RunningNode,
): Promise<{ ml: MlStats; config: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${node.listening.admin}/v1/stats`);
  return (await response.json()) as { ml: MlStats; config: Record<string, unknown> };
}

const version = (node: RunningNode): Promise<number> =>
  metrics(node).then((text) => series(text, 'mlcache_node_ml_model_version'));

describe('mlcache node --scorer grpc:// (rank local): models pulled from a live scorer service', () => {
  it('installs the published model, evicts with it in process, feeds the service samples, and installs a newer one', async () => {
    const scorer = await startScorer(['--model', MODEL_PATH]);
    const node = await start([
      ...['--policy', 'ml-lfu', '--maxmemory', '1mb', '--node-name', 'pull-1'],
      ...['--scorer', `grpc://127.0.0.1:${scorer.grpc}`],
    ]);
    // The service's model (version 1) arrives down WatchModel, before any eviction.
    expect(
      await until(
        () => version(node),
        (v) => v === 1,
      ),
    ).toBe(1);
    const before = await scorerStatus(scorer);

    const client = redis(node);
    await staleFrequencyTraffic(client, 'a');
    // INFO counts the models the policy installed: the service's first, and any it trained
    // from this node's samples meanwhile (the scorer retrains after 1024 rows).
    const installs = Number(/ml_model_version:(\d+)/.exec(await client.info('ml'))?.[1]);
    expect(installs).toBeGreaterThanOrEqual(1);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(evicted).toBeGreaterThan(30_000);

    let text = await metrics(node);
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
      installs,
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
    text = await metrics(node);
    expect(series(text, 'mlcache_node_ml_models_pulled_total', labels)).toBeGreaterThanOrEqual(
      installs + 1,
    );
    const after = await mlStats(node);
    expect(after.ml.pulled?.model?.version).toBeGreaterThanOrEqual(published);
    expect(after.ml.pulled?.installed).toBeGreaterThanOrEqual(2);
    // Model-driven evictions go on with the new model.
    await staleFrequencyTraffic(client, 'b', 2);
    text = await metrics(node);
    expect(
      series(text, 'mlcache_node_ml_evictions_total', { ...labels, decider: 'model' }),
    ).toBeGreaterThan(model);
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });

  it('keeps serving with its last model when the scorer service dies', async () => {
    const scorer = await startScorer(['--model', MODEL_PATH]);
    const node = await start([
      ...['--policy', 'ml-lfu', '--maxmemory', '1mb'],
      ...['--scorer', `grpc://127.0.0.1:${scorer.grpc}`],
    ]);
    expect(
      await until(
        () => version(node),
        (v) => v === 1,
      ),
    ).toBe(1);
    const client = redis(node);
    await staleFrequencyTraffic(client, 'a', 2);
    const before = series(await metrics(node), 'mlcache_node_ml_evictions_total', {
      decider: 'model',
    });
    expect(before).toBeGreaterThan(0);

    const died = new Promise((resolve) => scorer.child.once('exit', resolve));
    scorer.child.kill('SIGKILL');
    await died;
    // Version 1, or one the scorer trained from this node's samples meanwhile.
    const inUse = await version(node);
    expect(inUse).toBeGreaterThanOrEqual(1);
    // Unpipelined commands answer promptly: nothing waits for the service.
    const single: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await client.set(`s:${i}`, 'v'.repeat(2000));
      single.push(performance.now() - started);
    }
    single.sort((a, b) => a - b);
    expect(single[Math.floor(single.length * 0.99)]).toBeLessThan(250);
    await staleFrequencyTraffic(client, 'b', 2);
    const text = await metrics(node);
    expect(series(text, 'mlcache_node_ml_model_version')).toBe(inUse);
    expect(series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' })).toBeGreaterThan(
      before,
    );
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'noModel' })).toBe(0);
    expect(series(text, 'mlcache_node_ml_breaker_state')).toBe(0);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });
});

describe('mlcache node --scorer grpc:// (rank local): no scorer service at all', () => {
  it('evicts with the base policy, without a model, and never waits for the service', async () => {
    const probe = new Server();
    const dead = await new Promise<number>((resolve, reject) =>
      probe.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    probe.forceShutdown();
    const node = await start([
      ...['--policy', 'ml-lru', '--maxmemory', '1mb'],
      ...['--scorer', `grpc://127.0.0.1:${dead}`],
    ]);
    const client = redis(node);
    const single: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await client.set(`s:${i}`, 'v'.repeat(4000));
      single.push(performance.now() - started);
    }
    single.sort((a, b) => a - b);
    expect(single[Math.floor(single.length * 0.99)]).toBeLessThan(250);
    await staleFrequencyTraffic(client, 'a', 2);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(evicted).toBeGreaterThan(10_000);
    const text = await metrics(node);
    expect(series(text, 'mlcache_node_ml_model_version')).toBe(0);
    expect(series(text, 'mlcache_node_ml_evictions_total', { decider: 'base' })).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'noModel' })).toBe(evicted);
    expect(series(text, 'mlcache_node_ml_models_pulled_total')).toBe(0);
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });
});

/** A model as WatchModel sends it. */
interface Update {
  readonly version: number;
  readonly feature_schema_version: number;
  readonly n_features: number;
  readonly onnx: Buffer;
  readonly installed_at_ms: number;
  readonly training_rows: number;
  readonly source: string;
}

/**
 * A stand-in scorer service that publishes the models it is given down every WatchModel stream
 * (a real `mlcache scorer` validates what it publishes, so it cannot send a bad one).
 */
async function startPublisher(): Promise<{ port: number; publish(update: Update): void }> {
  const definition = loadSync(SCORER_PROTO_PATH, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition) as unknown as {
    mlcache: { v1: { Scorer: { service: ServiceDefinition } } };
  };
  const streams: ServerWritableStream<unknown, Update>[] = [];
  const published: Update[] = [];
  const implementation: UntypedServiceImplementation = {
    WatchModel: (call: ServerWritableStream<unknown, Update>) => {
      streams.push(call);
      for (const update of published) call.write(update);
    },
  };
  const server = new Server();
  server.addService(loaded.mlcache.v1.Scorer.service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  cleanups.push(() => server.forceShutdown());
  return {
    port,
    publish(update: Update): void {
      published.push(update);
      for (const stream of streams) if (!stream.cancelled) stream.write(update);
    },
  };
}

describe('mlcache node --scorer grpc:// (rank local): models it must refuse', () => {
  it('logs and counts a corrupt model and one of another feature schema, and keeps the model in use', async () => {
    const publisher = await startPublisher();
    const good = readFileSync(MODEL_PATH);
    const update = (version: number, onnx: Buffer, schema = 1): Update => ({
      version,
      feature_schema_version: schema,
      n_features: 12,
      onnx,
      installed_at_ms: Date.now() - 1000,
      training_rows: 0,
      source: 'file',
    });
    publisher.publish(update(1, good));
    const node = await start([
      ...['--policy', 'ml-lru', '--maxmemory', '1mb', '--node-name', 'pull-2'],
      ...['--scorer', `grpc://127.0.0.1:${publisher.port}`],
    ]);
    expect(
      await until(
        () => version(node),
        (v) => v === 1,
      ),
    ).toBe(1);

    publisher.publish(update(2, Buffer.from('not an onnx model, just some bytes')));
    publisher.publish(update(3, good, 99));
    const refused = (text: string, reason: string): number =>
      series(text, 'mlcache_node_ml_models_pull_refused_total', { reason });
    let text = await until(
      () => metrics(node),
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
    await staleFrequencyTraffic(client, 'a', 2);
    text = await metrics(node);
    expect(series(text, 'mlcache_node_ml_evictions_total', { decider: 'model' })).toBeGreaterThan(
      0,
    );
    expect(series(text, 'mlcache_node_ml_fallbacks_total', { reason: 'noModel' })).toBe(0);

    // A good model after the refusals is installed.
    publisher.publish(update(4, good));
    expect(
      await until(
        () => version(node),
        (v) => v === 4,
      ),
    ).toBe(4);
    expect((await mlStats(node)).ml.pulled).toMatchObject({
      installed: 2,
      refused: { corrupt: 1, feature_version: 1 },
    });
    client.disconnect();
    expect((await node.stop()).code).toBe(0);
  });
});
