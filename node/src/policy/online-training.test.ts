import { describe, expect, it } from 'vitest';

import { createRandom } from '../util/random.ts';
import { FEATURE_COUNT } from './features.ts';
import { resolveMlHybridParams } from './ml-hybrid-params.ts';
import { emptyStats } from './ml-hybrid-stats.ts';
import { OnlineTraining } from './online-training.ts';
import type { Scorer } from './scorer-port.ts';
import { constantModel } from './test-ml-drive.ts';

/**
 * 2048 keys sampled once each, with sizes 1 B – 64 KiB, all requested again exactly 2048
 * requests later: every label is the same, so only their sizes tell the keys apart. The trainer
 * always returns the same constant model.
 */
function run(gateBySize: boolean, sizeAware = true) {
  const stats = emptyStats();
  let installed: Scorer | null = null;
  const training = new OnlineTraining({
    trainer: { train: () => constantModel(1) },
    kind: 'lru',
    seed: 1,
    params: resolveMlHybridParams({ validationEvery: 2, sizeAware, gateBySize }),
    stats,
    current: () => installed,
    install: (scorer) => {
      installed = scorer;
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

  it('refuses a gateBySize that is not a boolean', () => {
    expect(() => resolveMlHybridParams({ gateBySize: 1 as unknown as boolean })).toThrow(
      /gateBySize/,
    );
  });
});
