/**
 * `mlcache.v1.Scorer` over a ScorerCore: each handler checks the request (feature-batch.ts),
 * calls the core and encodes the answer. Refusals are gRPC statuses with the `mlcache-status`
 * trailer naming the reason, as scorer.proto documents:
 *
 * | reason          | status              | when                                                  |
 * | --------------- | ------------------- | ----------------------------------------------------- |
 * | FEATURE_VERSION | FAILED_PRECONDITION | another feature schema version or width               |
 * | BAD_REQUEST     | INVALID_ARGUMENT    | byte lengths that do not match n, n over the limit, … |
 * | INTERNAL        | INTERNAL            | onnxruntime failed (logged; details not sent)         |
 */
import { status } from '@grpc/grpc-js';
import type {
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import { statusError } from '../../../node/src/platform/grpc-status.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { MlBase } from '../../../node/src/policy/ml-hybrid-params.ts';
import type { Clock } from '../../../node/src/util/clock.ts';
import type { Logger } from '../../../node/src/util/logger.ts';
import type { BatchRefusal } from './feature-batch.ts';
import {
  MAX_SAMPLE_ROWS,
  MAX_SCORE_ROWS,
  readLabels,
  readRows,
  scoresToBytes,
} from './feature-batch.ts';
import type { InstalledModel } from './model-slot.ts';
import type { ScorerCore } from './scorer-core.ts';
import type { ScorerMetrics } from './scorer-metrics.ts';
import type {
  ModelUpdate,
  ScoreRequest,
  ScoreResponse,
  ScorerStatusResponse,
  SubmitSamplesRequest,
  SubmitSamplesResponse,
  WatchModelRequest,
} from './scorer-proto.ts';

export interface ScorerServiceOptions {
  readonly core: ScorerCore;
  readonly metrics: ScorerMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The open WatchModel streams, so that shutdown can end them (or tryShutdown would wait). */
export interface ScorerService {
  readonly implementation: UntypedServiceImplementation;
  /** Ends every WatchModel stream. */
  endStreams(): void;
}

const REFUSAL_STATUS: Readonly<Record<BatchRefusal, status>> = {
  FEATURE_VERSION: status.FAILED_PRECONDITION,
  BAD_REQUEST: status.INVALID_ARGUMENT,
};

const BASES: readonly string[] = ['lru', 'lfu'] satisfies MlBase[];

function refusal(reason: BatchRefusal | 'INTERNAL', message: string): Partial<ServiceError> {
  const code = reason === 'INTERNAL' ? status.INTERNAL : REFUSAL_STATUS[reason];
  return statusError(code, reason, message);
}

export function toModelUpdate(model: InstalledModel): ModelUpdate {
  return {
    version: model.version,
    feature_schema_version: FEATURE_SCHEMA_VERSION,
    n_features: FEATURE_COUNT,
    onnx: Buffer.from(model.onnx.buffer, model.onnx.byteOffset, model.onnx.byteLength),
    installed_at_ms: model.installedAtMs,
    training_rows: model.trainingRows,
    source: model.source,
  };
}

export function createScorerService(options: ScorerServiceOptions): ScorerService {
  const { core, metrics, clock, logger } = options;
  const streams = new Set<ServerWritableStream<WatchModelRequest, ModelUpdate>>();

  const score = (
    call: ServerUnaryCall<ScoreRequest, ScoreResponse>,
    callback: sendUnaryData<ScoreResponse>,
  ): void => {
    const started = clock.monotonic();
    const batch = readRows(call.request, MAX_SCORE_ROWS);
    if (!batch.ok) {
      metrics.scoreRequests.inc({
        outcome: batch.reason === 'FEATURE_VERSION' ? 'feature_version' : 'bad_request',
      });
      callback(refusal(batch.reason, batch.message));
      return;
    }
    const n = call.request.n;
    metrics.batchRows.observe(n);
    core.slot.score(batch.value, n).then(
      ({ scores, version }) => {
        metrics.scoreRequests.inc({ outcome: version === 0 ? 'no_model' : 'ok' });
        callback(null, {
          scores: scores === null ? Buffer.alloc(0) : scoresToBytes(scores),
          model_version: version,
        });
        metrics.scoreSeconds.observe((clock.monotonic() - started) / 1000);
      },
      (error: unknown) => {
        metrics.scoreRequests.inc({ outcome: 'error' });
        logger.error('scoring failed', { n, error });
        callback(refusal('INTERNAL', 'scoring failed'));
      },
    );
  };

  const submitSamples = (
    call: ServerUnaryCall<SubmitSamplesRequest, SubmitSamplesResponse>,
    callback: sendUnaryData<SubmitSamplesResponse>,
  ): void => {
    const request = call.request;
    const rows = readRows(request, MAX_SAMPLE_ROWS);
    if (!rows.ok) return callback(refusal(rows.reason, rows.message));
    const labels = readLabels(request.labels, request.n);
    if (!labels.ok) return callback(refusal(labels.reason, labels.message));
    if (!BASES.includes(request.base)) {
      return callback(refusal('BAD_REQUEST', `base '${request.base}' is not lru or lfu`));
    }
    if (request.n > 0) {
      core.addSamples(rows.value, labels.value, request.n, request.base as MlBase);
      metrics.samplesReceived.inc({ node: request.node }, request.n);
    }
    callback(null, { accepted: request.n, window_rows: core.window.training.size });
  };

  const watchModel = (call: ServerWritableStream<WatchModelRequest, ModelUpdate>): void => {
    const after = call.request.after_version;
    const send = (model: InstalledModel): void => {
      if (model.version > after) call.write(toModelUpdate(model));
    };
    const current = core.slot.current;
    if (current !== null) send(current);
    const unsubscribe = core.slot.subscribe(send);
    streams.add(call);
    const done = (): void => {
      unsubscribe();
      streams.delete(call);
    };
    call.on('cancelled', done);
    call.on('close', done);
    call.on('error', done);
  };

  const getStatus = (
    _call: ServerUnaryCall<object, ScorerStatusResponse>,
    callback: sendUnaryData<ScorerStatusResponse>,
  ): void => {
    const s = core.status();
    callback(null, {
      model_version: s.modelVersion,
      feature_schema_version: s.featureSchemaVersion,
      window_rows: s.windowRows,
      trainings: s.trainings,
      models_refused: s.modelsRefused,
      installed_at_ms: s.installedAtMs,
    });
  };

  return {
    implementation: {
      Score: score,
      SubmitSamples: submitSamples,
      WatchModel: watchModel,
      Status: getStatus,
    },
    endStreams(): void {
      for (const call of streams) call.end();
      streams.clear();
    },
  };
}
