/**
 * The scorer's state behind its two ports (gRPC and admin HTTP): the served model, the training
 * window and loop, and the counters Status and /v1/status report. Transport-free: the gRPC
 * service (scorer-service.ts) and the admin app (scorer-admin.ts) only translate to it.
 */
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { MlBase } from '../../../node/src/policy/ml-hybrid-params.ts';
import type { TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import type { Clock } from '../../../node/src/util/clock.ts';
import type { Logger } from '../../../node/src/util/logger.ts';
import type { InstalledModel, LoadedModel, ModelSource } from './model-slot.ts';
import { ModelSlot } from './model-slot.ts';
import { ModelError, OnnxScorer } from './onnx-session.ts';
import { RetrainSchedule } from './retrain-schedule.ts';
import { SampleWindow } from './sample-window.ts';
import type { RefusalReason, ScorerMetrics } from './scorer-metrics.ts';
import type { GateParams } from './scorer-training.ts';
import { ScorerTraining } from './scorer-training.ts';

export interface ScorerCoreOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Trains in a worker thread (createWorkerTrainer); closed with the core. */
  readonly trainer: { train(job: TrainingJob): Promise<TreeEnsemble>; close(): void };
  readonly metrics: ScorerMetrics;
  readonly seed: number;
  /** Newest rows trained on. @default 65536 */
  readonly windowRows?: number;
  /** Rows between trainings after the first. @default 65536 */
  readonly retrainEvery?: number;
  /** Rows before the first training. @default 1024 */
  readonly firstTrainAt?: number;
  /** Newest held-out rows the gate judges on. @default 4096 */
  readonly validationRows?: number;
  /** Every n-th row is held out. @default 8 */
  readonly validationEvery?: number;
  readonly gate?: GateParams;
  /** Loads and validates ONNX bytes. @default OnnxScorer.load */
  readonly load?: (onnx: Uint8Array) => Promise<LoadedModel>;
}

/** What Status and /v1/status report. */
export interface ScorerStatus {
  readonly modelVersion: number;
  readonly featureSchemaVersion: number;
  readonly nFeatures: number;
  readonly windowRows: number;
  readonly rowsReceived: number;
  readonly trainings: number;
  readonly trainingRunning: boolean;
  readonly modelsRefused: number;
  /** 0 without a model. */
  readonly installedAtMs: number;
  readonly modelSource: ModelSource | null;
  readonly trainingRows: number;
  readonly bases: readonly MlBase[];
}

/** A model refused at load; `reason` is the metrics label. */
export function refusalReason(error: unknown): RefusalReason {
  return error instanceof ModelError && error.code === 'MODEL_E_FEATURE_VERSION'
    ? 'feature_version'
    : 'corrupt';
}

export class ScorerCore {
  readonly slot: ModelSlot;
  readonly window: SampleWindow;
  readonly training: ScorerTraining;
  readonly #o: ScorerCoreOptions;
  readonly #schedule: RetrainSchedule;
  readonly #load: (onnx: Uint8Array) => Promise<LoadedModel>;
  #trainings = 0;
  #refused = 0;

  constructor(options: ScorerCoreOptions) {
    this.#o = options;
    this.#load = options.load ?? ((onnx) => OnnxScorer.load(onnx));
    this.slot = new ModelSlot((error) =>
      options.logger.warn('a retired model did not close', { error }),
    );
    this.window = new SampleWindow({
      nFeatures: FEATURE_COUNT,
      windowRows: options.windowRows ?? 65_536,
      validationRows: options.validationRows ?? 4096,
      validationEvery: options.validationEvery ?? 8,
    });
    this.#schedule = new RetrainSchedule({
      firstAt: options.firstTrainAt ?? 1024,
      every: options.retrainEvery ?? 65_536,
    });
    this.training = new ScorerTraining({
      trainer: options.trainer,
      window: this.window,
      schedule: this.#schedule,
      slot: this.slot,
      load: this.#load,
      clock: options.clock,
      logger: options.logger.child({ component: 'training' }),
      seed: options.seed,
      ...(options.gate ? { gate: options.gate } : {}),
      onTrained: (result, seconds) => {
        this.#trainings++;
        options.metrics.trainings.inc({ result });
        options.metrics.trainingSeconds.observe(seconds);
      },
      onRefused: (reason) => this.#countRefusal(reason),
    });
  }

  /**
   * Loads ONNX bytes (a --model file, an upload, a SIGHUP re-read) and serves them as the next
   * version; a model that fails validation is counted and the ModelError rethrown, and the model
   * served before stays.
   */
  async installModel(onnx: Uint8Array, source: ModelSource): Promise<InstalledModel> {
    let model: LoadedModel;
    try {
      model = await this.#load(onnx);
    } catch (error) {
      this.#countRefusal(refusalReason(error));
      throw error;
    }
    const installed = this.slot.install(model, {
      onnx,
      installedAtMs: this.#o.clock.now(),
      trainingRows: 0,
      source,
    });
    this.#o.logger.info('model installed', { version: installed.version, source });
    return installed;
  }

  /** A node's labelled rows (already checked); may start a training. */
  addSamples(rows: Float32Array, labels: Float32Array, n: number, base: MlBase): void {
    this.training.add(rows, labels, n, base);
  }

  status(): ScorerStatus {
    const current = this.slot.current;
    return {
      modelVersion: current?.version ?? 0,
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      nFeatures: FEATURE_COUNT,
      windowRows: this.window.training.size,
      rowsReceived: this.window.received,
      trainings: this.#trainings,
      trainingRunning: this.#schedule.busy,
      modelsRefused: this.#refused,
      installedAtMs: current?.installedAtMs ?? 0,
      modelSource: current?.source ?? null,
      trainingRows: current?.trainingRows ?? 0,
      bases: this.window.bases,
    };
  }

  /** Aborts a training in flight and frees the served model. */
  async close(): Promise<void> {
    this.training.close();
    this.#o.trainer.close();
    await this.training.idle();
    this.slot.close();
  }

  #countRefusal(reason: RefusalReason): void {
    this.#refused++;
    this.#o.metrics.modelsRefused.inc({ reason });
  }
}
