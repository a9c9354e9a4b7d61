import { describe, expect, it } from 'vitest';

import { createRandom } from '../util/random.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './features.ts';
import type { MlHybridParams } from './ml-hybrid-params.ts';
import { resolveMlHybridParams } from './ml-hybrid-params.ts';
import { emptyStats } from './ml-hybrid-stats.ts';
import { OnlineTraining } from './online-training.ts';
import type { Scorer } from './scorer-port.ts';
import { constantModel } from './test-ml-drive.ts';
import type { TreeEnsemble } from './tree-model.ts';

interface Setup {
  /** Installed before the run, as a shipped or loaded model is. */
  readonly foreign?: Scorer;
  /** The trainer's models, one per training (the last one repeats). */
  readonly models?: readonly TreeEnsemble[];
  readonly params?: Partial<MlHybridParams>;
}

/**
 * 2048 keys sampled once each, with sizes 1 B – 64 KiB, all requested again exactly 2048
 * requests later: every label is the same, so only their sizes tell the keys apart. The trainer
 * always returns the same constant model.
 */
function run(gateBySize: boolean, sizeAware = true, setup: Setup = {}) {
  const stats = emptyStats();
  let installed: Scorer | null = setup.foreign ?? null;
  const models = setup.models ?? [constantModel(1)];
  const training = new OnlineTraining({
    trainer: { train: () => models[Math.min(stats.trainings - 1, models.length - 1)]! },
    kind: 'lru',
    seed: 1,
    params: resolveMlHybridParams({ validationEvery: 2, sizeAware, gateBySize, ...setup.params }),
    stats,
    current: () => installed,
    // As a node does (compileModel), the policy holds another object than the one offered.
    install: (scorer) => {
      installed = { ...scorer, predict: (rows, out, n) => scorer.predict(rows, out, n) };
    },
  });
  const random = createRandom(5);
  const row = new Float32Array(FEATURE_COUNT);
  const keys = 2048;
  for (let t = 0; t < 2 * keys; t++) {
    if (t < keys) {
      row[0] = Math.floor(random.next() * 1000); // age: the base's order, unrelated to the label
      row[8] = Math.floor(random.next() * 17); // log2 size
      training.labeler.record(t, t, 1e6, row, 0);
    }
    training.request(t < keys ? keys + t : t - keys, t);
  }
  return { stats, installed };
}

describe('online training', () => {
  it('gates by score + ln(size) under a byte budget, as eviction ranks', () => {
    // Equal labels, different sizes: by expected cost (gap × size) the larger entry goes first,
    // which a constant score plus ln(size) gets right on every pair.
    const { stats, installed } = run(true);
    // Trained at 1024 and 2048 labels; the second, the same model again, is no better.
    expect(stats.trainings).toBe(2);
    expect(stats.modelsRefusedValidation).toBe(1);
    expect(stats.lastValidation).toBe(1);
    expect(stats.lastValidationBase).toBeLessThan(0.6);
    expect(installed).not.toBeNull();
  });

  it('gates by the predicted gap alone without sizeAware ranking, or with gateBySize off', () => {
    for (const [gateBySize, sizeAware] of [
      [false, true],
      [true, false],
    ]) {
      // All labels tie: no pair counts, a constant model is worth ½ and does not beat the base.
      const { stats, installed } = run(gateBySize!, sizeAware);
      expect(stats.trainings).toBe(2);
      expect(stats.lastValidation).toBe(0.5);
      expect(stats.modelsRefusedValidation).toBe(2);
      expect(installed).toBeNull();
    }
  });

  it('replaces a model from elsewhere only once foreignGateRows rows are held out', () => {
    // Trainings at 1024 and 2048 labels see 512 and 1024 held-out rows. The model from elsewhere
    // inverts the size order (every pair wrong); the trained constant gets every pair right.
    const foreign = invertedSizes();
    for (const [foreignGateRows, refused, replaced] of [
      [2048, 2, false],
      [1024, 1, true],
      [0, 1, true], // 64 rows: the first is accepted, the second (the same model) is no better
    ] as const) {
      const { stats, installed } = run(true, true, { foreign, params: { foreignGateRows } });
      expect(stats.trainings).toBe(2);
      expect(stats.modelsRefusedValidation).toBe(refused);
      expect(installed !== foreign).toBe(replaced);
    }
  });

  it('lets models trained here replace each other from 64 held-out rows', () => {
    // The first model misorders entries just across 256 B; the second, a constant, does not.
    // Both are below the 2048 rows a model from elsewhere would need.
    const { stats, installed } = run(true, true, { models: [stepAtSize(8, -2), constantModel(1)] });
    expect(stats.trainings).toBe(2);
    expect(stats.modelsRefusedValidation).toBe(0);
    expect(stats.lastValidationCurrent).toBeGreaterThan(stats.lastValidationBase);
    expect(stats.lastValidation).toBe(1);
    expect(installed).not.toBeNull();
  });

  it('refuses a foreignGateRows that is not a count', () => {
    expect(() => resolveMlHybridParams({ foreignGateRows: -1 })).toThrow(/foreignGateRows/);
    expect(() => resolveMlHybridParams({ foreignGateRows: 1.5 })).toThrow(/foreignGateRows/);
  });

  it('refuses a gateBySize that is not a boolean', () => {
    expect(() => resolveMlHybridParams({ gateBySize: 1 as unknown as boolean })).toThrow(
      /gateBySize/,
    );
  });

  it('trains again sooner after a fallback (retrainSoon), and on its schedule without one', () => {
    /** Resolves one label per request; calls retrainSoon(`soon`) after the first training. */
    const trainingsBy = (labels: number, soon: number): number => {
      const stats = emptyStats();
      const training = new OnlineTraining({
        trainer: { train: () => constantModel(1) },
        kind: 'lru',
        seed: 1,
        params: resolveMlHybridParams({ firstTrainAt: 512, retrainEvery: 1 << 16 }),
        stats,
        current: () => null,
        install: () => {},
      });
      const row = new Float32Array(FEATURE_COUNT);
      let asked = false;
      for (let t = 1; training.labeler.resolved < labels; t++) {
        training.labeler.record(t, t, 1e6, row, 0);
        training.request(t - 1, t); // key t - 1, recorded at t - 1: its label is resolved now
        if (stats.trainings === 1 && !asked) {
          training.retrainSoon(soon);
          asked = true;
        }
      }
      return stats.trainings;
    };
    // The schedule: 512 labels, then 1024 (the labels doubled).
    expect(trainingsBy(600, 0)).toBe(1);
    expect(trainingsBy(1030, 0)).toBe(2);
    // After retrainSoon(64) at 512 labels, the second comes at 576; then the schedule again.
    expect(trainingsBy(580, 64)).toBe(2);
    expect(trainingsBy(1030, 64)).toBe(2);
    expect(trainingsBy(1160, 64)).toBe(3);
  });
});

/** A scorer whose score falls as the size grows: score + ln(size) orders by size backwards. */
function invertedSizes(): Scorer {
  return {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    predict: (rows, out, n) => {
      for (let i = 0; i < n; i++) out[i] = -2 * rows[i * FEATURE_COUNT + 8]!;
    },
  };
}

/** One split on log2 size: `value` above `log2Size`, 0 at or below. */
function stepAtSize(log2Size: number, value: number): TreeEnsemble {
  return {
    ...constantModel(0),
    trees: [
      {
        feature: Int32Array.of(8, -1, -1),
        threshold: Float32Array.of(log2Size, 0, 0),
        left: Int32Array.of(1, -1, -1),
        right: Int32Array.of(2, -1, -1),
        value: Float32Array.of(0, 0, value),
      },
    ],
  };
}
