/**
 * The learned policy's training loop (research note §4.6): labels from the past only
 * (online-labeler.ts), retraining through the trainer port on a schedule, and the gate before a
 * new model is installed (model-gate.ts). The policy decides what to sample; this decides when
 * to train and whether to keep the result.
 *
 * Schedule: the first model after `firstTrainAt` labels, then each time the labels have doubled,
 * then every `retrainEvery` labels: early models come quickly and each sees twice the data of the
 * one before. A trainer that returns a model installs it before the next request (the simulator:
 * reproducible); one that returns a Promise installs it when it settles (the node: a worker
 * thread trains while the policy keeps serving with its current model). One job at a time.
 *
 * With a sample sink instead (the scorer service trains centrally), the rows labelled since the
 * last hand-over go to `sink.submit` every `sinkEvery` new rows, so each row reaches the service
 * once; nothing is trained or gated here. Submitting never blocks: a failed submission is counted
 * and not retried, and while `MAX_SUBMISSIONS` are pending the rows due are dropped and counted
 * (the service trains on a sliding window, so newer rows matter more than complete ones).
 */
import type { Clock } from '../util/clock.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './features.ts';
import type { MlHybridParams } from './ml-hybrid-params.ts';
import type { MlBase } from './ml-hybrid-params.ts';
import type { MlHybridStats } from './ml-hybrid-stats.ts';
import { disagreement, judgeModel } from './model-gate.ts';
import { OnlineLabeler } from './online-labeler.ts';
import { ScoreMemo } from './score-memo.ts';
import type { SampleSink, Scorer, TrainerPort, TrainingJob } from './scorer-port.ts';
import type { TreeEnsemble } from './tree-model.ts';
import { averageEnsembles, FlatEnsemble } from './tree-model.ts';

/** Held-out rows the gate needs at least (fewer: the new model is refused). */
const MIN_GATE_ROWS = 64;

/** Submissions to a sample sink that may be pending at once. */
export const MAX_SUBMISSIONS = 2;

export interface OnlineTrainingOptions {
  /** Trains here; exactly one of `trainer` and `sink` is given. */
  readonly trainer?: TrainerPort;
  /** Hands the windows to a trainer elsewhere. */
  readonly sink?: SampleSink;
  readonly kind: MlBase;
  readonly seed: number;
  readonly params: MlHybridParams;
  /** Counters shared with the policy. */
  readonly stats: MlHybridStats;
  /** Measures training time when given. */
  readonly clock?: Clock;
  /** The model in use now (what a new one must beat). */
  readonly current: () => Scorer | null;
  /** Installs a model that passed the gate. */
  readonly install: (scorer: Scorer, model: TreeEnsemble) => void;
}

export class OnlineTraining {
  readonly labeler: OnlineLabeler;
  readonly #options: OnlineTrainingOptions;
  #busy = false;
  #trainedAtLabel = 0;
  #submitting = 0;
  /** The training window's `written` mark at the last hand-over to the sink. */
  #sentMark = 0;
  #submissions = 0;
  /** A training is due once this many labels are resolved, whatever the schedule (`retrainSoon`). */
  #soonAt = Number.POSITIVE_INFINITY;
  /** When the last training started (clock ms), for `retrainMinMs`; -Infinity before the first. */
  #startedAt = Number.NEGATIVE_INFINITY;
  /** The last model trained here (before any averaging), and its evaluator. */
  #lastTrained: { model: TreeEnsemble; scorer: FlatEnsemble } | null = null;
  /** The model this trainer installed last, as the policy holds it (compiled or not). */
  #mine: Scorer | null = null;
  /** The trees `#mine` was made from. */
  #mineModel: TreeEnsemble | null = null;

  constructor(options: OnlineTrainingOptions) {
    const p = options.params;
    this.#options = options;
    this.labeler = new OnlineLabeler({
      nFeatures: FEATURE_COUNT,
      maxPending: p.maxPending,
      windowRows: p.windowRows,
      validationRows: p.validationRows,
      validationEvery: p.validationEvery,
    });
  }

  /** A request for `keyId` at time `t`: resolves labels, and trains when one is due. */
  request(keyId: number, t: number): void {
    const labeler = this.labeler;
    labeler.advance(t);
    labeler.access(keyId, t);
    const p = this.#options.params;
    const sink = this.#options.sink;
    if (sink !== undefined) {
      if (labeler.training.written - this.#sentMark >= p.sinkEvery) this.#feed(sink);
      return;
    }
    if (this.#busy) return;
    const due = Math.min(p.retrainEvery, Math.max(p.firstTrainAt, this.#trainedAtLabel));
    if (labeler.resolved - this.#trainedAtLabel < due && labeler.resolved < this.#soonAt) return;
    // With a clock (a node), trainings start at least retrainMinMs apart once a model is in use:
    // the labels of a busy node come fast, and a training every second would take a core from
    // serving. Without a model (none yet, or each one refused) nothing waits: training is what
    // gets one. The clock is read only every 256th request while a due training waits.
    const clock = this.#options.clock;
    if (clock !== undefined && p.retrainMinMs > 0 && this.#options.current() !== null) {
      if (this.#startedAt !== Number.NEGATIVE_INFINITY && (t & 255) !== 0) return;
      if (clock.monotonic() - this.#startedAt < p.retrainMinMs) return;
    }
    this.#train();
  }

  /**
   * The model in use fell back (its shadow judged it worse than its base): train again once
   * `labels` more labels are resolved, sooner than the schedule would, so that a model fit for
   * the traffic now can end the fallback. 0 does nothing.
   */
  retrainSoon(labels: number): void {
    if (labels > 0) this.#soonAt = this.labeler.resolved + labels;
  }

  #train(): void {
    const o = this.#options;
    const window = this.labeler.training;
    this.#trainedAtLabel = this.labeler.resolved;
    this.#soonAt = Number.POSITIVE_INFINITY;
    if (window.size < 256) return;
    const { rows, labels } = window.snapshot();
    const job = { rows, labels, nFeatures: FEATURE_COUNT, seed: o.seed * 7919 + o.stats.trainings };
    if (o.trainer === undefined) return;
    this.#busy = true;
    o.stats.trainings++;
    const started = o.clock?.monotonic() ?? 0;
    this.#startedAt = started;
    const done = (model: TreeEnsemble): void => {
      this.#busy = false;
      o.stats.lastTrainingMs = (o.clock?.monotonic() ?? 0) - started;
      o.stats.totalTrainingMs += o.stats.lastTrainingMs;
      this.#offer(model);
    };
    const failed = (): void => {
      this.#busy = false;
      o.stats.trainingFailures++;
    };
    let result: TreeEnsemble | Promise<TreeEnsemble>;
    try {
      result = o.trainer.train(job);
    } catch {
      failed();
      return;
    }
    if (result instanceof Promise) result.then(done, failed);
    else done(result);
  }

  /** Hands the rows labelled since the last hand-over to the sink. */
  #feed(sink: SampleSink): void {
    const o = this.#options;
    const window = this.labeler.training;
    const { rows, labels } = window.since(this.#sentMark);
    this.#sentMark = window.written;
    const seed = o.seed * 7919 + this.#submissions++;
    this.#submit(sink, { rows, labels, nFeatures: FEATURE_COUNT, seed });
  }

  #submit(sink: SampleSink, job: TrainingJob): void {
    const stats = this.#options.stats;
    if (this.#submitting >= MAX_SUBMISSIONS) {
      stats.sinkSkipped++;
      return;
    }
    this.#submitting++;
    stats.sinkSubmitted++;
    const failed = (): void => {
      this.#submitting--;
      stats.sinkFailures++;
    };
    let sent: Promise<void>;
    try {
      sent = Promise.resolve(sink.submit(job));
    } catch {
      failed();
      return;
    }
    sent.then(() => {
      this.#submitting--;
    }, failed);
  }

  /** A freshly trained model: refused for another schema, installed only if it passes the gate. */
  #offer(model: TreeEnsemble): void {
    const o = this.#options;
    if (
      model.featureSchemaVersion !== FEATURE_SCHEMA_VERSION ||
      model.nFeatures !== FEATURE_COUNT
    ) {
      o.stats.modelsRefusedVersion++;
      return;
    }
    const trained = new FlatEnsemble(model);
    const previous = this.#lastTrained;
    this.#lastTrained = { model, scorer: trained };
    // The held-out rows do not change during this call, and the same models score them in the
    // disagreement and again in the gate: each model's scores are computed once (ScoreMemo).
    const trainedScores = new ScoreMemo(trained);
    const previousScores = previous === null ? null : new ScoreMemo(previous.scorer);
    if (previousScores !== null) {
      o.stats.lastDisagreement = disagreement(
        trainedScores,
        previousScores,
        this.labeler.validation,
      );
    }
    // With averaging, the challenger is the mean of this model and the one trained before it.
    const offered =
      o.params.averageModels && previous !== null ? averageEnsembles(model, previous.model) : model;
    const candidate = offered === model ? trained : new FlatEnsemble(offered);
    const current = o.current();
    // A model from elsewhere (the shipped one, say) was trained on full-horizon labels; the early
    // held-out rows, mostly short gaps, favour any model trained on them. Replace it only once
    // the held-out window has filled up to `foreignGateRows`.
    const foreign = current !== null && current !== this.#mine;
    // The current model is the one trained before this one when that one was installed as it
    // was (compiled or not, its scores are the same): reuse its scores from the disagreement.
    const judgedCurrent =
      current !== null && !foreign && previous !== null && this.#mineModel === previous.model
        ? previousScores
        : current;
    const verdict = judgeModel(
      candidate === trained ? trainedScores : candidate,
      judgedCurrent,
      this.labeler.validation,
      {
        kind: o.kind,
        pairs: o.params.validationPairs,
        seed: o.seed + o.stats.trainings,
        minGain: o.params.minGain,
        minRows: foreign
          ? Math.max(MIN_GATE_ROWS, Math.min(o.params.foreignGateRows, o.params.validationRows))
          : MIN_GATE_ROWS,
        // Judge the order eviction uses: score + ln(size) under a byte budget.
        sizeAware: o.params.sizeAware && o.params.gateBySize,
      },
    );
    o.stats.lastValidation = verdict.challenger;
    o.stats.lastValidationCurrent = verdict.current;
    o.stats.lastValidationBase = verdict.base;
    if (verdict.accept) {
      o.install(candidate, offered);
      this.#mine = o.current();
      this.#mineModel = offered;
    } else o.stats.modelsRefusedValidation++;
  }
}
