/**
 * The scorer's training loop: rows from every node go into one sliding window (sample-window.ts);
 * on the schedule (retrain-schedule.ts) a worker thread trains a GBDT on a copy of it; the model
 * is exported to ONNX and loaded back into onnxruntime, and that loaded artifact is what the
 * gate judges and, if it passes, what is served: no second evaluator can disagree with it.
 *
 * The gate is the node's own (node/src/policy/model-gate.ts): on the held-out rows, the new
 * model must order pairs by time to next access better than the current model and better than
 * the base policy's order, for every base kind that has sent rows (a cluster mixing ML+LRU and
 * ML+LFU nodes gets a model that beats both LRU and LFU). Scores are computed once with
 * onnxruntime and handed to judgeModel as fixed answers for exactly those rows.
 */
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { MlBase } from '../../../node/src/policy/ml-hybrid-params.ts';
import type { GateVerdict } from '../../../node/src/policy/model-gate.ts';
import { judgeModel } from '../../../node/src/policy/model-gate.ts';
import type { RowWindow } from '../../../node/src/policy/online-labeler.ts';
import type { Scorer, TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import type { Clock } from '../../../node/src/util/clock.ts';
import type { Logger } from '../../../node/src/util/logger.ts';
import { exportOnnx } from '../export/onnx-export.ts';
import { ONLINE_GBDT_PARAMS } from '../learn/online-gbdt-params.ts';
import type { LoadedModel, ModelSlot } from './model-slot.ts';
import type { RetrainSchedule } from './retrain-schedule.ts';
import type { SampleWindow } from './sample-window.ts';
import type { RefusalReason, TrainingResult } from './scorer-metrics.ts';

/** The gate's knobs (the node's defaults: 20,000 pairs, no margin, at least 64 rows). */
export interface GateParams {
  readonly pairs: number;
  readonly minGain: number;
  readonly minRows: number;
}

export const DEFAULT_GATE: Readonly<GateParams> = Object.freeze({
  pairs: 20_000,
  minGain: 0,
  minRows: 64,
});

/** Fewer training rows than this: the job is skipped (nothing worth learning from). */
export const MIN_TRAINING_ROWS = 256;

export interface ScorerTrainingOptions {
  readonly trainer: { train(job: TrainingJob): Promise<TreeEnsemble> };
  readonly window: SampleWindow;
  readonly schedule: RetrainSchedule;
  readonly slot: ModelSlot;
  /** Loads and validates ONNX bytes (OnnxScorer.load); rejects with a ModelError. */
  readonly load: (onnx: Uint8Array) => Promise<LoadedModel>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly seed: number;
  readonly gate?: GateParams;
  /** Hears the verdict of every training and the time it took (metrics). */
  readonly onTrained: (result: TrainingResult, seconds: number) => void;
  readonly onRefused: (reason: RefusalReason) => void;
}

export class ScorerTraining {
  readonly #o: ScorerTrainingOptions;
  #running: Promise<void> = Promise.resolve();
  #closing = false;

  constructor(options: ScorerTrainingOptions) {
    this.#o = options;
  }

  /** Adds a node's labelled rows to the window and starts a training if one is due. */
  add(rows: Float32Array, labels: Float32Array, n: number, base: MlBase): void {
    const { window, schedule } = this.#o;
    window.add(rows, labels, n, base);
    if (
      !this.#closing &&
      schedule.due(window.received) &&
      window.training.size >= MIN_TRAINING_ROWS
    ) {
      this.#running = this.#train();
    }
  }

  /** Settles when the training in flight (if any) has ended. */
  idle(): Promise<void> {
    return this.#running;
  }

  /** No training starts from now on; one in flight that fails (aborted) is not an error. */
  close(): void {
    this.#closing = true;
  }

  async #train(): Promise<void> {
    const o = this.#o;
    const number = o.schedule.start(o.window.received);
    const started = o.clock.monotonic();
    let result: TrainingResult = 'failed';
    try {
      const { rows, labels } = o.window.training.snapshot();
      // Read before training: the worker trainer transfers (detaches) the buffers.
      const trainingRows = labels.length;
      const seed = o.seed * 7919 + number;
      const model = await o.trainer.train({ rows, labels, nFeatures: FEATURE_COUNT, seed });
      result = await this.#offer(model, trainingRows, seed);
    } catch (error) {
      if (this.#closing) o.logger.info('training aborted at shutdown', { training: number });
      else o.logger.error('training failed', { training: number, error });
    } finally {
      o.schedule.finish();
      const seconds = (o.clock.monotonic() - started) / 1000;
      o.onTrained(result, seconds);
    }
  }

  /** Exports, loads and judges a trained model; installs it if it passes. */
  async #offer(model: TreeEnsemble, trainingRows: number, seed: number): Promise<TrainingResult> {
    const o = this.#o;
    if (
      model.featureSchemaVersion !== FEATURE_SCHEMA_VERSION ||
      model.nFeatures !== FEATURE_COUNT
    ) {
      o.onRefused('feature_version');
      return 'refused';
    }
    const now = o.clock.now();
    const onnx = exportOnnx(model, {
      modelId: `scorer-${now}-${seed}`,
      trainedAt: new Date(now).toISOString(),
      trainingRows,
      trainerParams: { ...ONLINE_GBDT_PARAMS, seed },
    });
    let challenger: LoadedModel;
    try {
      challenger = await o.load(onnx);
    } catch (error) {
      o.logger.error('a trained model did not load', { error });
      o.onRefused('corrupt');
      return 'refused';
    }
    let verdicts: { kind: MlBase; verdict: GateVerdict }[];
    try {
      verdicts = await this.#judge(challenger, seed);
    } catch (error) {
      await challenger.close();
      throw error;
    }
    const accept = verdicts.length > 0 && verdicts.every((v) => v.verdict.accept);
    const fields = {
      trainingRows,
      verdicts: verdicts.map(({ kind, verdict }) => ({ kind, ...verdict })),
    };
    if (!accept) {
      await challenger.close();
      o.onRefused('validation');
      o.logger.info('trained model refused by the gate', fields);
      return 'refused';
    }
    const installed = o.slot.install(challenger, {
      onnx,
      installedAtMs: o.clock.now(),
      trainingRows,
      source: 'trained',
    });
    o.logger.info('trained model installed', { version: installed.version, ...fields });
    return 'installed';
  }

  async #judge(
    challenger: LoadedModel,
    seed: number,
  ): Promise<{ kind: MlBase; verdict: GateVerdict }[]> {
    const o = this.#o;
    const gate = o.gate ?? DEFAULT_GATE;
    const validation = o.window.validationSnapshot();
    const n = validation.size;
    const mine = fixedScores(await scoreAll(challenger, validation));
    const current = await o.slot.score(validation.rows, n);
    const theirs = current.scores === null ? null : fixedScores(current.scores);
    const kinds = o.window.bases.length > 0 ? o.window.bases : (['lru'] as const);
    return kinds.map((kind) => ({
      kind,
      // Nodes rank by score + ln(size) under a byte budget; the gate judges that order when the
      // rows' sizes vary, and is the plain gap order otherwise (model-gate.ts).
      verdict: judgeModel(mine, theirs, validation, { kind, seed, sizeAware: true, ...gate }),
    }));
  }
}

async function scoreAll(model: LoadedModel, window: RowWindow): Promise<Float32Array> {
  return window.size === 0 ? new Float32Array(0) : model.score(window.rows, window.size);
}

/** A Scorer that answers with scores computed beforehand for exactly the rows it is given. */
function fixedScores(scores: Float32Array): Scorer {
  return {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    predict(_rows: Float32Array, out: Float64Array, n: number): void {
      for (let i = 0; i < n; i++) out[i] = scores[i]!;
    },
  };
}
