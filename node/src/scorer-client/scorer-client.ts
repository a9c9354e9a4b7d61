/**
 * The node's client of the scorer service (`--scorer grpc://host:port`, node/proto/scorer.proto):
 * the RemoteScorer and SampleSink ports of the learned policy (policy/scorer-port.ts) over gRPC,
 * and a WatchModel subscription that delivers every model the scorer installs.
 *
 * Failure behaviour, which the policy relies on:
 * - every unary call carries a gRPC deadline (`deadlineMs` for Score), and does not wait for a
 *   connection (grpc-js fails fast while the channel is down): a dead or hung scorer makes calls
 *   reject within the deadline, never hang;
 * - the channel reconnects by itself, with a backoff capped at 2 s, so calls succeed again soon
 *   after the scorer comes back;
 * - the WatchModel stream is re-opened whenever it ends (a scorer restart, a network cut), waiting
 *   for the scorer to be reachable; keepalive pings notice a silently dead peer. After a re-open
 *   the scorer sends its current model again; it is delivered unless it is the one delivered last
 *   (a restarted scorer counts versions from 1 again, so versions alone cannot tell).
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import type { CallOptions, Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import type { MlBase } from '../policy/ml-hybrid-params.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../policy/features.ts';
import type { RemoteScorer, RemoteScores, SampleSink, TrainingJob } from '../policy/scorer-port.ts';
import type { Logger } from '../util/logger.ts';
import { loadScorerClientConstructor } from './scorer-proto.ts';
import type { ModelUpdate, ScoreResponse, SubmitSamplesResponse } from './scorer-proto.ts';
import { float32Bytes, readScores } from './wire-format.ts';

export interface ScorerClientOptions {
  /** The scorer's `host:port`. */
  readonly address: string;
  /** Deadline of one Score call. */
  readonly deadlineMs: number;
  readonly logger: Logger;
  /** This node's name (the scorer counts samples by node). */
  readonly node: string;
  /** The base order of this node's learned policy: what a new model must beat. */
  readonly base: MlBase;
}

/**
 * A model the scorer installed, as WatchModel delivered it. Models of another feature schema are
 * delivered too (a scorer of another build): the listener refuses them and can count that.
 */
export interface ModelNotice {
  readonly version: number;
  /** The feature schema and row width the scorer says the model was trained on. */
  readonly featureSchemaVersion: number;
  readonly nFeatures: number;
  /** The ONNX bytes (ai.onnx.ml TreeEnsembleRegressor), exactly what the scorer serves. */
  readonly onnx: Uint8Array;
  readonly installedAtMs: number;
  /** "file" or "trained". */
  readonly source: string;
}

export interface ScorerClient {
  readonly scorer: RemoteScorer;
  readonly sink: SampleSink;
  /** Calls `listener` with the scorer's current model and every later one; re-subscribes itself. */
  onModel(listener: (notice: ModelNotice) => void): void;
  /** Ends the subscription and the channel; later calls reject with SCORER_E_CLOSED. */
  close(): Promise<void>;
}

export type ScorerClientErrorCode =
  /** The client was closed. */
  | 'SCORER_E_CLOSED'
  /** The answer does not fit the request (score bytes for another row count, NaN). */
  | 'SCORER_E_BAD_REPLY'
  /** The caller passed rows that do not fit (programmer error). */
  | 'SCORER_E_BAD_INPUT';

export class ScorerClientError extends Error {
  override readonly name = 'ScorerClientError';
  readonly code: ScorerClientErrorCode;

  constructor(code: ScorerClientErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

/** Deadline of a SubmitSamples call (rows are not urgent, but must not pile up). */
export const SUBMIT_DEADLINE_MS = 10_000;
/** Rows per SubmitSamples call: 16Ki rows are 768 KiB, well under gRPC's 4 MiB default. */
export const SUBMIT_CHUNK_ROWS = 16_384;
/** Re-opening WatchModel backs off from this, doubling up to WATCH_BACKOFF_MAX_MS. */
const WATCH_BACKOFF_MS = 250;
const WATCH_BACKOFF_MAX_MS = 5000;

type Callback = (error: ServiceError | null, response: unknown) => void;
type RawScorer = Client & {
  Score(request: object, metadata: Metadata, options: CallOptions, callback: Callback): void;
  SubmitSamples(request: object, metadata: Metadata, options: CallOptions, cb: Callback): void;
  WatchModel(
    request: object,
    metadata: Metadata,
    options: CallOptions,
  ): ClientReadableStream<ModelUpdate>;
};

/** Connects lazily (on the first call) to `options.address`, without TLS. */
export function createScorerClient(options: ScorerClientOptions): ScorerClient {
  if (!(options.deadlineMs > 0)) {
    throw new RangeError(`deadlineMs must be positive, got ${options.deadlineMs}`);
  }
  const Scorer = loadScorerClientConstructor();
  const raw = new Scorer(options.address, credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.min_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2000,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5000,
    // Models come down the WatchModel stream.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  }) as RawScorer;
  const logger = options.logger;
  let closed = false;

  const unary = <T>(
    method: 'Score' | 'SubmitSamples',
    request: object,
    deadlineMs: number,
  ): Promise<T> =>
    new Promise((resolve, reject) => {
      if (closed) {
        reject(new ScorerClientError('SCORER_E_CLOSED', 'the scorer client is closed'));
        return;
      }
      raw[method](request, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, res) =>
        error ? reject(error) : resolve(res as T),
      );
    });

  const scorer: RemoteScorer = {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    async score(rows: Float32Array, n: number): Promise<RemoteScores> {
      if (!Number.isInteger(n) || n < 0 || n * FEATURE_COUNT > rows.length) {
        throw new ScorerClientError('SCORER_E_BAD_INPUT', `${n} rows from ${rows.length} values`);
      }
      const response = await unary<ScoreResponse>(
        'Score',
        {
          feature_schema_version: FEATURE_SCHEMA_VERSION,
          n_features: FEATURE_COUNT,
          n,
          rows: float32Bytes(rows, n * FEATURE_COUNT),
        },
        options.deadlineMs,
      );
      if (response.model_version === 0) return { scores: new Float64Array(0), modelVersion: 0 };
      const scores = readScores(response.scores, n);
      if (typeof scores === 'string') throw new ScorerClientError('SCORER_E_BAD_REPLY', scores);
      return { scores, modelVersion: response.model_version };
    },
  };

  const sink: SampleSink = {
    async submit(job: TrainingJob): Promise<void> {
      const f = job.nFeatures;
      const total = job.labels.length;
      if (f !== FEATURE_COUNT || job.rows.length < total * f) {
        throw new ScorerClientError(
          'SCORER_E_BAD_INPUT',
          `${total} labels with ${job.rows.length} values of ${f} features`,
        );
      }
      for (let from = 0; from < total; from += SUBMIT_CHUNK_ROWS) {
        const n = Math.min(SUBMIT_CHUNK_ROWS, total - from);
        await unary<SubmitSamplesResponse>(
          'SubmitSamples',
          {
            node: options.node,
            feature_schema_version: FEATURE_SCHEMA_VERSION,
            n_features: f,
            n,
            rows: float32Bytes(job.rows.subarray(from * f), n * f),
            labels: float32Bytes(job.labels.subarray(from), n),
            base: options.base,
          },
          SUBMIT_DEADLINE_MS,
        );
      }
    },
  };

  const listeners: ((notice: ModelNotice) => void)[] = [];
  let stream: ClientReadableStream<ModelUpdate> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = WATCH_BACKOFF_MS;
  let last: ModelNotice | undefined;

  const deliver = (update: ModelUpdate): void => {
    backoffMs = WATCH_BACKOFF_MS;
    if (last?.version === update.version && last.installedAtMs === update.installed_at_ms) return;
    if (
      update.feature_schema_version !== FEATURE_SCHEMA_VERSION ||
      update.n_features !== FEATURE_COUNT
    ) {
      // A scorer of another build: delivered all the same, so that the node counts the refusal.
      logger.warn('model of another feature schema announced', {
        version: update.version,
        featureSchemaVersion: update.feature_schema_version,
        nFeatures: update.n_features,
      });
    }
    const notice: ModelNotice = {
      version: update.version,
      featureSchemaVersion: update.feature_schema_version,
      nFeatures: update.n_features,
      onnx: new Uint8Array(update.onnx),
      installedAtMs: update.installed_at_ms,
      source: update.source,
    };
    last = notice;
    for (const listener of listeners) {
      try {
        listener(notice);
      } catch (error) {
        logger.error('a model listener threw', { version: notice.version, error });
      }
    }
  };

  const watch = (): void => {
    retry = undefined;
    if (closed) return;
    // waitForReady: the stream waits for a scorer that is down instead of failing at once.
    const metadata = new Metadata({ waitForReady: true });
    const call = raw.WatchModel({ after_version: 0 }, metadata, {});
    stream = call;
    call.on('data', deliver);
    call.on('error', (error: ServiceError) => {
      if (!closed) logger.warn('model watch ended', { code: error.code, details: error.details });
    });
    call.on('status', () => {
      if (closed || stream !== call) return;
      stream = undefined;
      retry = setTimeout(watch, backoffMs);
      retry.unref();
      backoffMs = Math.min(WATCH_BACKOFF_MAX_MS, backoffMs * 2);
    });
  };

  return {
    scorer,
    sink,
    onModel(listener): void {
      listeners.push(listener);
      if (last !== undefined) listener(last);
      if (stream === undefined && retry === undefined) watch();
    },
    close(): Promise<void> {
      closed = true;
      clearTimeout(retry);
      stream?.cancel();
      stream = undefined;
      raw.close();
      return Promise.resolve();
    },
  };
}
