// The scorer service in process, driven over real sockets (gRPC and HTTP on 127.0.0.1, port 0) by
// a raw grpc-js client and by the node's own client (node/src/scorer-client).
import { credentials, Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../node/src/policy/features.ts';
import { FlatEnsemble } from '../../node/src/policy/tree-model.ts';
import type { TreeEnsemble } from '../../node/src/policy/tree-model.ts';
// The end-to-end test of the pair: the node's client against the real service. Production code
// of the scorer never imports the node's client (eslint zone); this test is about both.
// eslint-disable-next-line import-x/no-restricted-paths
import { createScorerClient } from '../../node/src/scorer-client/scorer-client.ts';
// eslint-disable-next-line import-x/no-restricted-paths
import type { ModelNotice, ScorerClient } from '../../node/src/scorer-client/scorer-client.ts';
import { createSystemClock } from '../../node/src/util/clock.ts';
import { createLogger } from '../../node/src/util/logger.ts';
import { exportOnnx } from '../src/export/onnx-export.ts';
import { ONLINE_GBDT_PARAMS } from '../src/learn/online-gbdt-params.ts';
import { createWorkerTrainer } from '../src/learn/worker-trainer.ts';
import { OnnxScorer } from '../src/serve/onnx-session.ts';
import { loadScorerService } from '../src/serve/scorer-proto.ts';
import type { ModelUpdate } from '../src/serve/scorer-proto.ts';
import { startScorer } from '../src/serve/scorer-server.ts';
import type { RunningScorer } from '../src/serve/scorer-server.ts';
import { trainGbdt } from '../src/train/gbdt.ts';
import { syntheticData } from '../src/train/synthetic-data.ts';

const F = FEATURE_COUNT;
const clock = createSystemClock();
const logger = createLogger({ level: 'silent', clock, write: () => {} });
const meta = (id: string) => ({
  modelId: id,
  trainedAt: '2026-11-25T00:00:00.000Z',
  trainingRows: 4000,
  trainerParams: {},
});

/** A model of the synthetic target (label = steps in features 0 and 1 + slope in 2). */
function goodModel(): TreeEnsemble {
  const data = syntheticData(4000, F, 7);
  return trainGbdt(data.rows, data.labels, F, { ...ONLINE_GBDT_PARAMS, seed: 3 });
}

/** A model of pure noise: ranks held-out rows no better than chance. */
function noiseModel(): TreeEnsemble {
  const data = syntheticData(4000, F, 8);
  const labels = data.labels.map((_, i) => (Math.imul(i, 2654435761) >>> 0) / 2 ** 32);
  return trainGbdt(data.rows, labels, F, { ...ONLINE_GBDT_PARAMS, seed: 4 });
}

async function start(
  options: { model?: Uint8Array; port?: number; firstTrainAt?: number } = {},
): Promise<RunningScorer> {
  const initialModel =
    options.model === undefined
      ? {}
      : { initialModel: { scorer: await OnnxScorer.load(options.model), onnx: options.model } };
  return startScorer({
    bind: '127.0.0.1',
    port: options.port ?? 0,
    adminPort: 0,
    clock,
    logger,
    registry: new Registry(),
    trainer: createWorkerTrainer(),
    seed: 1,
    windowRows: 8192,
    retrainEvery: 4096,
    ...(options.firstTrainAt === undefined ? {} : { firstTrainAt: options.firstTrainAt }),
    processMetrics: false,
    ...initialModel,
  });
}

type Raw = Client & Record<string, (...args: unknown[]) => unknown>;

/** A raw client of mlcache.v1.Scorer: requests in the proto's field names. */
function rawClient(port: number): {
  call<T>(method: string, request: object): Promise<T>;
  watch(afterVersion: number): AsyncIterable<ModelUpdate> & { cancel(): void };
  close(): void;
} {
  const pkg = loadScorerService().grpcPackage as unknown as {
    mlcache: { v1: { Scorer: new (address: string, creds: unknown) => Raw } };
  };
  const raw = new pkg.mlcache.v1.Scorer(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    call: <T>(method: string, request: object) =>
      new Promise<T>((resolve, reject) => {
        raw[method]!(request, { deadline: Date.now() + 5000 }, (error: Error | null, res: T) =>
          error ? reject(error) : resolve(res),
        );
      }),
    watch: (afterVersion) =>
      raw.WatchModel!({ after_version: afterVersion }) as AsyncIterable<ModelUpdate> & {
        cancel(): void;
      },
    close: () => raw.close(),
  };
}

const rowsBytes = (rows: Float32Array): Buffer =>
  Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength);

const scoreRequest = (rows: Float32Array, n: number) => ({
  feature_schema_version: FEATURE_SCHEMA_VERSION,
  n_features: F,
  n,
  rows: rowsBytes(rows.subarray(0, n * F)),
});

async function refusalOf(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded');
}

const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

describe('mlcache scorer service', () => {
  let good: TreeEnsemble;
  let goodOnnx: Uint8Array;
  let noiseOnnx: Uint8Array;
  const probe = syntheticData(300, F, 99).rows;

  beforeAll(() => {
    good = goodModel();
    goodOnnx = exportOnnx(good, meta('good'));
    noiseOnnx = exportOnnx(noiseModel(), meta('noise'));
  });

  it('scores like the TypeScript FlatEnsemble of the same model, via the raw API and the client', async () => {
    const scorer = await start({ model: goodOnnx });
    closing.push(() => scorer.close());
    const expected = new Float64Array(300);
    new FlatEnsemble(good).predict(probe, expected, 300);

    const raw = rawClient(scorer.grpcPort);
    closing.push(() => raw.close());
    const answer = await raw.call<{ scores: Buffer; model_version: number }>(
      'Score',
      scoreRequest(probe, 300),
    );
    expect(answer.model_version).toBe(1);
    expect(answer.scores.byteLength).toBe(300 * 8);
    for (let i = 0; i < 300; i++) {
      expect(Math.abs(answer.scores.readDoubleLE(i * 8) - expected[i]!)).toBeLessThanOrEqual(1e-5);
    }

    const client = createScorerClient({
      address: `127.0.0.1:${scorer.grpcPort}`,
      deadlineMs: 2000,
      logger,
      node: 'n1',
      base: 'lru',
    });
    closing.push(() => client.close());
    for (let at = 0; at < 300; at += 16) {
      const n = Math.min(16, 300 - at);
      const { scores, modelVersion } = await client.scorer.score(probe.subarray(at * F), n);
      expect(modelVersion).toBe(1);
      expect(scores).toHaveLength(n);
      for (let i = 0; i < n; i++)
        expect(Math.abs(scores[i]! - expected[at + i]!)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('answers model version 0 with no scores before it has a model', async () => {
    const scorer = await start();
    closing.push(() => scorer.close());
    const raw = rawClient(scorer.grpcPort);
    closing.push(() => raw.close());
    const answer = await raw.call<{ scores: Buffer; model_version: number }>(
      'Score',
      scoreRequest(probe, 4),
    );
    expect(answer).toEqual({ scores: Buffer.alloc(0), model_version: 0 });
    const s = await raw.call<Record<string, number>>('Status', {});
    expect(s).toMatchObject({ model_version: 0, feature_schema_version: FEATURE_SCHEMA_VERSION });
  });

  it('refuses another feature schema with FAILED_PRECONDITION and malformed batches with INVALID_ARGUMENT', async () => {
    const scorer = await start({ model: goodOnnx });
    closing.push(() => scorer.close());
    const raw = rawClient(scorer.grpcPort);
    closing.push(() => raw.close());
    const cases: [object, status, string][] = [
      [
        { ...scoreRequest(probe, 2), feature_schema_version: FEATURE_SCHEMA_VERSION + 1 },
        status.FAILED_PRECONDITION,
        'FEATURE_VERSION',
      ],
      [
        { ...scoreRequest(probe, 2), n_features: F - 1 },
        status.FAILED_PRECONDITION,
        'FEATURE_VERSION',
      ],
      [{ ...scoreRequest(probe, 2), n: 3 }, status.INVALID_ARGUMENT, 'BAD_REQUEST'],
      [
        { ...scoreRequest(probe, 2), rows: Buffer.alloc(2 * F * 4 + 1) },
        status.INVALID_ARGUMENT,
        'BAD_REQUEST',
      ],
      [
        { ...scoreRequest(probe, 0), n: 4097, rows: Buffer.alloc(4097 * F * 4) },
        status.INVALID_ARGUMENT,
        'BAD_REQUEST',
      ],
    ];
    for (const [request, code, reason] of cases) {
      const error = await refusalOf(raw.call('Score', request));
      expect(error.code).toBe(code);
      expect(error.metadata.get('mlcache-status')).toEqual([reason]);
    }
    const samples = { ...scoreRequest(probe, 2), node: 'n1', base: 'lru', labels: Buffer.alloc(4) };
    expect((await refusalOf(raw.call('SubmitSamples', samples))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    const badBase = { ...samples, labels: Buffer.alloc(8), base: 'fifo' };
    expect((await refusalOf(raw.call('SubmitSamples', badBase))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/metrics`)).text();
    expect(metrics).toContain('mlcache_scorer_score_requests_total{outcome="feature_version"} 2');
    expect(metrics).toContain('mlcache_scorer_score_requests_total{outcome="bad_request"} 3');
  });

  it('trains on submitted samples and WatchModel delivers the new model as version + 1', async () => {
    // Start from a model of noise (version 1), so the trained one must beat it at the gate.
    const scorer = await start({ model: noiseOnnx });
    closing.push(() => scorer.close());
    const client = createScorerClient({
      address: `127.0.0.1:${scorer.grpcPort}`,
      deadlineMs: 2000,
      logger,
      node: 'node-a',
      base: 'lru',
    });
    closing.push(() => client.close());
    const notices: ModelNotice[] = [];
    const trained = new Promise<ModelNotice>((resolve) =>
      client.onModel((notice) => {
        notices.push(notice);
        if (notice.source === 'trained') resolve(notice);
      }),
    );
    const data = syntheticData(2048, F, 21);
    await client.sink.submit({ rows: data.rows, labels: data.labels, nFeatures: F, seed: 1 });
    const notice = await trained;
    expect(notices.map((n) => [n.version, n.source])).toEqual([
      [1, 'file'],
      [2, 'trained'],
    ]);
    // The delivered bytes are a valid model of this schema that ranks the target well.
    const delivered = await OnnxScorer.load(notice.onnx);
    closing.push(() => delivered.close());
    const probeScores = await delivered.score(probe, 300);
    const served = await client.scorer.score(probe, 300);
    expect(served.modelVersion).toBe(2);
    for (let i = 0; i < 300; i++) expect(served.scores[i]).toBeCloseTo(probeScores[i]!, 5);
    const raw = rawClient(scorer.grpcPort);
    closing.push(() => raw.close());
    expect(await raw.call('Status', {})).toMatchObject({
      model_version: 2,
      trainings: 1,
      window_rows: 1792,
    });
    const metrics = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/metrics`)).text();
    expect(metrics).toContain('mlcache_scorer_samples_received_total{node="node-a"} 2048');
    expect(metrics).toContain('mlcache_scorer_trainings_total{result="installed"} 1');
    expect(metrics).toContain('mlcache_scorer_model_version 2');
    const json = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/v1/status`)).json();
    expect(json).toMatchObject({ modelVersion: 2, modelSource: 'trained', trainingRows: 1792 });
  });

  it('sends a sample job larger than one SubmitSamples call may carry in chunks, all counted by node', async () => {
    const scorer = await start({ firstTrainAt: 1_000_000 });
    closing.push(() => scorer.close());
    const client = createScorerClient({
      address: `127.0.0.1:${scorer.grpcPort}`,
      deadlineMs: 2000,
      logger,
      node: 'node-c',
      base: 'lfu',
    });
    closing.push(() => client.close());
    // Over MAX_SAMPLE_ROWS (65,536): in one call the scorer would refuse it as BAD_REQUEST.
    const data = syntheticData(70_000, F, 23);
    await client.sink.submit({ rows: data.rows, labels: data.labels, nFeatures: F, seed: 1 });
    const json = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/v1/status`)).json();
    expect(json).toMatchObject({
      rowsReceived: 70_000,
      windowRows: 8192,
      bases: ['lfu'],
      trainings: 0,
    });
    const metrics = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/metrics`)).text();
    expect(metrics).toContain('mlcache_scorer_samples_received_total{node="node-c"} 70000');
  });

  it('refuses at the gate a trained model that ranks held-out rows no better than the base order', async () => {
    const scorer = await start();
    closing.push(() => scorer.close());
    const raw = rawClient(scorer.grpcPort);
    closing.push(() => raw.close());
    // Labels that are feature 0 (age) itself: LRU's own order is already perfect, and a tree
    // model (a step function, with ties) can only match it or do worse.
    const data = syntheticData(2048, F, 22);
    const labels = data.labels.map((_, i) => data.rows[i * F]!);
    // One size for every row (an object budget): the gate judges the plain gap order, which
    // LRU's age already gets right (with sizes that vary it would judge gap × size instead).
    for (let i = 0; i < 2048; i++) data.rows[i * F + 8] = 0;
    await raw.call('SubmitSamples', {
      ...scoreRequest(data.rows, 2048),
      node: 'node-b',
      base: 'lru',
      labels: Buffer.from(labels.buffer),
    });
    await until(async () => (await raw.call<{ trainings: number }>('Status', {})).trainings === 1);
    expect(await raw.call('Status', {})).toMatchObject({ model_version: 0, models_refused: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/metrics`)).text();
    expect(metrics).toContain('mlcache_scorer_models_refused_total{reason="validation"} 1');
    expect(metrics).toContain('mlcache_scorer_trainings_total{result="refused"} 1');
  });

  it('refuses a corrupt or mismatched upload and keeps the previous model; accepts a good one', async () => {
    const scorer = await start({ model: goodOnnx });
    closing.push(() => scorer.close());
    const put = (body: Uint8Array) =>
      fetch(`http://127.0.0.1:${scorer.adminPort}/v1/model`, { method: 'PUT', body });
    const corrupt = await put(goodOnnx.subarray(0, goodOnnx.length >> 1));
    expect(corrupt.status).toBe(422);
    expect(await corrupt.json()).toMatchObject({ error: { code: 'MODEL_E_CORRUPT' } });
    const otherSchema = exportOnnx(
      { ...good, featureSchemaVersion: FEATURE_SCHEMA_VERSION + 1 },
      meta('v2'),
    );
    const mismatched = await put(otherSchema);
    expect(await mismatched.json()).toMatchObject({ error: { code: 'MODEL_E_FEATURE_VERSION' } });
    const raw = rawClient(scorer.grpcPort);
    closing.push(() => raw.close());
    expect(await raw.call('Status', {})).toMatchObject({ model_version: 1, models_refused: 2 });
    const stillServed = await raw.call<{ model_version: number }>('Score', scoreRequest(probe, 4));
    expect(stillServed.model_version).toBe(1);

    const watch = raw.watch(1);
    const accepted = await put(noiseOnnx);
    expect(await accepted.json()).toMatchObject({ version: 2 });
    for await (const update of watch) {
      expect(update).toMatchObject({ version: 2, source: 'file', n_features: F });
      expect(new Uint8Array(update.onnx)).toEqual(noiseOnnx);
      break;
    }
    watch.cancel();
    const metrics = await (await fetch(`http://127.0.0.1:${scorer.adminPort}/metrics`)).text();
    expect(metrics).toContain('mlcache_scorer_models_refused_total{reason="corrupt"} 1');
    expect(metrics).toContain('mlcache_scorer_models_refused_total{reason="feature_version"} 1');
    const statusJson = (await (
      await fetch(`http://127.0.0.1:${scorer.adminPort}/v1/status`)
    ).json()) as {
      modelVersion: number;
    };
    expect(statusJson.modelVersion).toBe(2);
  });
});

describe('the node’s scorer client', () => {
  const rows = syntheticData(16, F, 5).rows;

  it('rejects within the deadline when the scorer never answers', async () => {
    const server = new Server();
    server.addService(loadScorerService().service, {
      Score: () => {}, // never calls back
      SubmitSamples: () => {},
      WatchModel: () => {},
      Status: () => {},
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    closing.push(() => server.forceShutdown());
    const client = createScorerClient({
      address: `127.0.0.1:${port}`,
      deadlineMs: 200,
      logger,
      node: 'n',
      base: 'lfu',
    });
    closing.push(() => client.close());
    const started = performance.now();
    const error = await refusalOf(client.scorer.score(rows, 16));
    const elapsed = performance.now() - started;
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1000);
  });

  it('rejects within the deadline when the peer accepts TCP but never speaks HTTP/2', async () => {
    const sockets = new Set<Socket>();
    const silent: NetServer = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closing.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const client = createScorerClient({
      address: `127.0.0.1:${port}`,
      deadlineMs: 200,
      logger,
      node: 'n',
      base: 'lru',
    });
    closing.push(() => client.close());
    const started = performance.now();
    const error = await refusalOf(client.scorer.score(rows, 16));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('fails fast while the scorer is down and recovers, model watch included, when it restarts on the same port', async () => {
    const onnx = exportOnnx(goodModel(), meta('restart'));
    let scorer = await start({ model: onnx });
    const port = scorer.grpcPort;
    closing.push(() => scorer.close());
    const client: ScorerClient = createScorerClient({
      address: `127.0.0.1:${port}`,
      deadlineMs: 500,
      logger,
      node: 'n',
      base: 'lru',
    });
    closing.push(() => client.close());
    const notices: ModelNotice[] = [];
    client.onModel((notice) => notices.push(notice));
    expect((await client.scorer.score(rows, 16)).modelVersion).toBe(1);
    await until(() => notices.length === 1);

    await scorer.close();
    const down = await refusalOf(client.scorer.score(rows, 16));
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(down.code);

    scorer = await start({ model: onnx, port });
    let answer: { modelVersion: number } | undefined;
    await until(async () => {
      answer = await client.scorer.score(rows, 16).catch(() => undefined);
      return answer !== undefined;
    });
    expect(answer?.modelVersion).toBe(1);
    // The re-opened watch delivers the restarted scorer's model, though its version is 1 again.
    await until(() => notices.length === 2);
    expect(notices[1]!.version).toBe(1);
    expect(notices[1]!.installedAtMs).toBeGreaterThan(notices[0]!.installedAtMs);
  });
});

/** Polls `condition` every 50 ms for up to 10 s. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
