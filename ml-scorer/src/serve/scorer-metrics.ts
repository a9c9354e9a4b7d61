/**
 * The scorer's Prometheus metrics on an injected Registry (never prom-client's global one).
 * Names follow `mlcache_scorer_<what>_<unit>`; counters end in `_total`. Gauges that describe
 * state (model version and age, window size) are read when the registry is scraped.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';

/** Outcomes of a Score call (the `outcome` label). */
export type ScoreOutcome = 'ok' | 'no_model' | 'feature_version' | 'bad_request' | 'error';

/** Why a model was not installed (the `reason` label). */
export type RefusalReason = 'validation' | 'feature_version' | 'corrupt';

/** Outcomes of a training (the `result` label). */
export type TrainingResult = 'installed' | 'refused' | 'failed';

export interface ScorerMetrics {
  readonly scoreSeconds: Histogram;
  readonly batchRows: Histogram;
  readonly scoreRequests: Counter<'outcome'>;
  readonly samplesReceived: Counter<'node'>;
  readonly trainings: Counter<'result'>;
  readonly trainingSeconds: Histogram;
  readonly modelsRefused: Counter<'reason'>;
}

export interface ScorerMetricsOptions {
  readonly registry: Registry;
  /** Read at scrape time. */
  readonly state: () => {
    readonly modelVersion: number;
    /** ms since the current model was installed; null without one. */
    readonly modelAgeMs: number | null;
    readonly windowRows: number;
  };
  /** Also register prom-client's process metrics (prefixed). @default true */
  readonly processMetrics?: boolean;
}

export const SCORER_METRIC_PREFIX = 'mlcache_scorer_';

export function createScorerMetrics(options: ScorerMetricsOptions): ScorerMetrics {
  const registers = [options.registry];
  const name = (what: string): string => SCORER_METRIC_PREFIX + what;
  const metrics: ScorerMetrics = {
    scoreSeconds: new Histogram({
      name: name('score_duration_seconds'),
      help: 'Time to score one Score batch with onnxruntime, decoding and encoding included',
      buckets: [25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 50e-3],
      registers,
    }),
    batchRows: new Histogram({
      name: name('score_batch_rows'),
      help: 'Rows per Score call',
      buckets: [1, 4, 16, 64, 256, 1024, 4096],
      registers,
    }),
    scoreRequests: new Counter({
      name: name('score_requests_total'),
      help: 'Score calls by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    samplesReceived: new Counter({
      name: name('samples_received_total'),
      help: 'Labelled rows received with SubmitSamples, by node',
      labelNames: ['node'],
      registers,
    }),
    trainings: new Counter({
      name: name('trainings_total'),
      help: 'Trainings by result: installed, refused (gate or schema) or failed',
      labelNames: ['result'],
      registers,
    }),
    trainingSeconds: new Histogram({
      name: name('training_duration_seconds'),
      help: 'Time from the start of a training to its verdict (train, export, load, gate)',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    modelsRefused: new Counter({
      name: name('models_refused_total'),
      help: 'Models not installed, by reason: validation (the gate), feature_version, corrupt',
      labelNames: ['reason'],
      registers,
    }),
  };
  new Gauge({
    name: name('model_version'),
    help: 'Version of the served model; 0 without one',
    registers,
    collect() {
      this.set(options.state().modelVersion);
    },
  });
  new Gauge({
    name: name('model_age_seconds'),
    help: 'Seconds since the served model was installed; absent without one',
    registers,
    collect() {
      const age = options.state().modelAgeMs;
      if (age === null) this.reset();
      else this.set(age / 1000);
    },
  });
  new Gauge({
    name: name('window_rows'),
    help: 'Labelled rows in the training window',
    registers,
    collect() {
      this.set(options.state().windowRows);
    },
  });
  for (const outcome of ['ok', 'no_model', 'feature_version', 'bad_request', 'error'] as const) {
    metrics.scoreRequests.inc({ outcome }, 0);
  }
  for (const reason of ['validation', 'feature_version', 'corrupt'] as const) {
    metrics.modelsRefused.inc({ reason }, 0);
  }
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: options.registry, prefix: SCORER_METRIC_PREFIX });
  }
  return metrics;
}
