import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './features.ts';
import { createMlHybridPolicy } from './ml-hybrid.ts';
import type { MlHybridParams } from './ml-hybrid-params.ts';
import { NODE_ML_HYBRID_PARAMS } from './ml-hybrid-params.ts';
import type { TrainerPort } from './scorer-port.ts';
import type { Scorer } from './scorer-port.ts';
import { CacheDriver, drive, sensible, skewed } from './test-ml-drive.ts';
import type { TreeEnsemble } from './tree-model.ts';

/** Farther predicted for old, rarely read entries: age > 40 adds 2, freq <= 1 adds 1. */
const treeModel: TreeEnsemble = {
  featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  nFeatures: FEATURE_COUNT,
  baseScore: 1,
  trees: [
    {
      feature: Int32Array.of(0, -1, 1, -1, -1),
      threshold: Float32Array.of(40, 0, 1, 0, 0),
      left: Int32Array.of(1, 0, 3, 0, 0),
      right: Int32Array.of(2, 0, 4, 0, 0),
      value: Float32Array.of(0, 0, 0, 3, 2),
    },
    {
      feature: Int32Array.of(1, -1, -1),
      threshold: Float32Array.of(1, 0, 0),
      left: Int32Array.of(1, 0, 0),
      right: Int32Array.of(2, 0, 0),
      value: Float32Array.of(0, 1, -0.5),
    },
  ],
};

function countingTrainer(): TrainerPort & { calls: number } {
  const t = {
    calls: 0,
    train: (): TreeEnsemble => {
      t.calls++;
      return treeModel;
    },
  };
  return t;
}

describe('ML hybrid in a node (a clock is injected)', () => {
  it('starts trainings at least 10 s apart; the simulator (no clock) is not limited', () => {
    const ops = skewed(40_000, 11);
    const params: Partial<MlHybridParams> = { firstTrainAt: 256, retrainEvery: 512 };
    const free = countingTrainer();
    drive(createMlHybridPolicy({ base: 'lru', capacity: 100, trainer: free, params }), ops, 100);
    expect(free.calls).toBeGreaterThan(5);

    const clock = new ManualClock();
    const limited = countingTrainer();
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 100,
      trainer: limited,
      scorer: treeModel, // a model in use from the start, as a node with the shipped one
      clock,
      params, // retrainMinMs: the node's default, 10 s
    });
    const driver = new CacheDriver(policy, 100);
    for (const op of ops.slice(0, 20_000)) driver.step(op);
    expect(limited.calls).toBe(1);
    clock.advance(9_999);
    for (const op of ops.slice(20_000, 25_000)) driver.step(op);
    expect(limited.calls).toBe(1);
    clock.advance(1);
    for (const op of ops.slice(25_000)) driver.step(op);
    expect(limited.calls).toBe(2);
    expect(policy.stats().trainings).toBe(2);
  });

  it('does not hold trainings back while the policy has no model (each one refused)', () => {
    const ops = skewed(20_000, 11);
    const refused = { calls: 0 };
    const trainer: TrainerPort = {
      train: () => {
        refused.calls++;
        return { ...treeModel, featureSchemaVersion: FEATURE_SCHEMA_VERSION + 1 };
      },
    };
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 100,
      trainer,
      clock: new ManualClock(),
      params: { firstTrainAt: 256, retrainEvery: 512 },
    });
    drive(policy, ops, 100);
    expect(policy.stats().modelsRefusedVersion).toBe(refused.calls);
    expect(refused.calls).toBeGreaterThan(5);
  });

  it('compiles installed models (by default with a clock): the same evictions as the flat evaluator', () => {
    const ops = skewed(20_000, 12);
    const run = (compileModel: boolean | undefined, clock?: ManualClock): number[] => {
      const policy = createMlHybridPolicy({
        base: 'lfu',
        capacity: 80,
        scorer: treeModel,
        params: compileModel === undefined ? {} : { compileModel },
        ...(clock === undefined ? {} : { clock }),
      });
      const result = drive(policy, ops, 80);
      expect(policy.stats().modelEvictions).toBeGreaterThan(100);
      return result.victims;
    };
    const flat = run(false);
    expect(run(true)).toEqual(flat);
    expect(run(undefined, new ManualClock())).toEqual(flat);
    expect(NODE_ML_HYBRID_PARAMS.compileModel).toBe(true);
    expect(() =>
      createMlHybridPolicy({
        base: 'lru',
        capacity: 8,
        params: { compileModel: 1 as unknown as boolean },
      }),
    ).toThrow(/compileModel/);
  });

  it('scores fresh candidates only while the pool has room with topUpOnly (off by default)', () => {
    const ops = skewed(20_000, 13);
    const run = (clock?: ManualClock, topUpOnly?: boolean): { rows: number; hits: number } => {
      const counting = { rows: 0 };
      const scorer: Scorer = {
        featureSchemaVersion: FEATURE_SCHEMA_VERSION,
        nFeatures: FEATURE_COUNT,
        predict(rows, out, n) {
          counting.rows += n;
          sensible.predict(rows, out, n);
        },
      };
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity: 100,
        scorer,
        params: topUpOnly === undefined ? {} : { topUpOnly },
        ...(clock === undefined ? {} : { clock }),
      });
      const { hits } = drive(policy, ops, 100);
      const s = policy.stats();
      expect(s.modelEvictions).toBeGreaterThan(100);
      return { rows: counting.rows / (s.modelEvictions + s.baseEvictions), hits };
    };
    const always = run();
    expect(always.rows).toBeGreaterThan(3);
    const topUp = run(undefined, true);
    expect(topUp.rows).toBeLessThan(always.rows - 0.1);
    // Neither a node (clock) nor the simulator tops up by default: it lost cells (see the params).
    expect(run(new ManualClock()).rows).toBe(always.rows);
    expect(run(new ManualClock(), true).rows).toBe(topUp.rows);
  });
});
