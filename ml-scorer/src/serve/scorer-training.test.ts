import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import { ManualClock } from '../../../node/src/util/clock.ts';
import { createLogger } from '../../../node/src/util/logger.ts';
import type { LoadedModel } from './model-slot.ts';
import { ModelSlot } from './model-slot.ts';
import { RetrainSchedule } from './retrain-schedule.ts';
import { SampleWindow } from './sample-window.ts';
import type { RefusalReason, TrainingResult } from './scorer-metrics.ts';
import { ScorerTraining } from './scorer-training.ts';

const F = FEATURE_COUNT;
const EMPTY: TreeEnsemble = {
  featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  nFeatures: F,
  baseScore: 0,
  trees: [],
};

/** Rows whose label is feature 1; age (feature 0) is a coarse version of it, so LRU's order is good. */
function rows(n: number, from: number): { rows: Float32Array; labels: Float32Array } {
  const r = new Float32Array(n * F);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = ((from + i) * 7919) % 1000;
    r[i * F] = Math.floor(x / 100);
    r[i * F + 1] = x;
    labels[i] = x;
  }
  return { rows: r, labels };
}

/** A loaded model that scores rows by `score(row)`; the bytes are not looked at. */
const loaded = (score: (row: Float32Array) => number): LoadedModel & { closed: boolean } => {
  const model = {
    closed: false,
    score: (x: Float32Array, n: number) =>
      Promise.resolve(Float32Array.from({ length: n }, (_, i) => score(x.subarray(i * F)))),
    close: () => {
      model.closed = true;
      return Promise.resolve();
    },
  };
  return model;
};

function setup(modelScore: (row: Float32Array) => number) {
  const jobs: { job: TrainingJob; resolve(m: TreeEnsemble): void; reject(e: Error): void }[] = [];
  const results: TrainingResult[] = [];
  const refusals: RefusalReason[] = [];
  const loadedModels: (LoadedModel & { closed: boolean })[] = [];
  const slot = new ModelSlot();
  const training = new ScorerTraining({
    trainer: {
      train: (job) => new Promise((resolve, reject) => jobs.push({ job, resolve, reject })),
    },
    window: new SampleWindow({
      nFeatures: F,
      windowRows: 4096,
      validationRows: 512,
      validationEvery: 8,
    }),
    schedule: new RetrainSchedule({ firstAt: 1024, every: 2048 }),
    slot,
    load: () => {
      const model = loaded(modelScore);
      loadedModels.push(model);
      return Promise.resolve(model);
    },
    clock: new ManualClock(),
    logger: createLogger({ level: 'silent', clock: new ManualClock(), write: () => {} }),
    seed: 3,
    onTrained: (result) => results.push(result),
    onRefused: (reason) => refusals.push(reason),
  });
  const add = (n: number, from: number): void => {
    const d = rows(n, from);
    training.add(d.rows, d.labels, n, 'lru');
  };
  return { jobs, results, refusals, loadedModels, slot, training, add };
}

describe('ScorerTraining', () => {
  it('trains once the first rows are in, one job at a time, and installs a model that passes the gate', async () => {
    const t = setup((row) => row[1]!);
    t.add(1000, 0);
    expect(t.jobs).toHaveLength(0);
    t.add(100, 1000);
    expect(t.jobs).toHaveLength(1);
    // The job gets the training rows only (every 8th row is held out), with a derived seed.
    expect(t.jobs[0]!.job.labels).toHaveLength(1100 - Math.floor(1100 / 8));
    expect(t.jobs[0]!.job.seed).toBe(3 * 7919);
    t.add(5000, 1100); // due again, but a training is running
    expect(t.jobs).toHaveLength(1);
    t.jobs[0]!.resolve(EMPTY);
    await t.training.idle();
    expect(t.results).toEqual(['installed']);
    expect(t.slot.current).toMatchObject({ version: 1, source: 'trained', trainingRows: 963 });
    t.add(1, 6100); // the rows that came during the training count towards the next one
    expect(t.jobs).toHaveLength(2);
    expect(t.jobs[1]!.job.seed).toBe(3 * 7919 + 1);
  });

  it('refuses, counts and frees a model that does not beat the base order', async () => {
    const t = setup(() => 1); // every row the same score: worse than LRU's coarse order
    t.add(1100, 0);
    t.jobs[0]!.resolve(EMPTY);
    await t.training.idle();
    expect(t.results).toEqual(['refused']);
    expect(t.refusals).toEqual(['validation']);
    expect(t.slot.version).toBe(0);
    expect(t.loadedModels[0]!.closed).toBe(true);
  });

  it('refuses a model of another feature schema before loading it', async () => {
    const t = setup((row) => row[1]!);
    t.add(1100, 0);
    t.jobs[0]!.resolve({ ...EMPTY, featureSchemaVersion: FEATURE_SCHEMA_VERSION + 1 });
    await t.training.idle();
    expect(t.refusals).toEqual(['feature_version']);
    expect(t.loadedModels).toHaveLength(0);
  });

  it('counts a failed training and trains again on schedule', async () => {
    const t = setup((row) => row[1]!);
    t.add(1100, 0);
    t.jobs[0]!.reject(new Error('worker died'));
    await t.training.idle();
    expect(t.results).toEqual(['failed']);
    t.add(2048, 1100);
    expect(t.jobs).toHaveLength(2);
  });

  it('starts no training after close', () => {
    const t = setup((row) => row[1]!);
    t.training.close();
    t.add(5000, 0);
    expect(t.jobs).toHaveLength(0);
  });
});
