import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './features.ts';
import type { MlBase, MlHybridOptions } from './ml-hybrid.ts';
import { createBasePolicy, createMlHybridPolicy } from './ml-hybrid.ts';
import type { Scorer, TrainerPort } from './scorer-port.ts';
import { describePolicyContract } from './test-contract.ts';
import { TestCache } from './test-replay.ts';
import {
  CacheDriver,
  constantModel,
  drive,
  inverted,
  scorer,
  sensible,
  skewed,
  zipf,
} from './test-ml-drive.ts';
import type { Op } from './test-ml-drive.ts';
import type { TreeEnsemble } from './tree-model.ts';

const opsArbitrary = fc.array(
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant('get' as const),
        key: fc.nat(80),
        size: fc.integer({ min: 1, max: 4 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('del' as const), key: fc.nat(80) }) },
  ),
  { maxLength: 600 },
);

/** Evictions of the hybrid must equal the plain base policy's on the same ops. */
function expectSameAsBase(base: MlBase, options: Omit<MlHybridOptions, 'base' | 'capacity'>): void {
  fc.assert(
    fc.property(opsArbitrary, fc.integer({ min: 2, max: 30 }), (ops, capacity) => {
      const plain = drive(createBasePolicy(base, capacity), ops, capacity);
      const hybrid = drive(createMlHybridPolicy({ ...options, base, capacity }), ops, capacity);
      expect(hybrid.victims).toEqual(plain.victims);
    }),
    { numRuns: 60 },
  );
}

const throwing: Scorer = {
  featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  nFeatures: FEATURE_COUNT,
  predict() {
    throw new Error('scorer crashed');
  },
};

/** A scorer that takes 2 ms of the injected clock per batch. */
function slow(clock: ManualClock): Scorer {
  return {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    predict(_rows, out, n) {
      clock.advance(2);
      out.fill(1, 0, n);
    },
  };
}

describe('ML hybrid: the policy contract', () => {
  const trainer: TrainerPort = { train: () => constantModel(1) };
  const params = { firstTrainAt: 16, retrainEvery: 64, validationEvery: 4, windowRows: 256 };
  // Their resize is checked below, by the usage the model sees: retraining every 64 labels makes
  // the contract's long resize replay slow, and its hit ratio depends on the models.
  const skip = { skipResizeQuality: true };
  describePolicyContract(
    'ml-lru',
    (o) => createMlHybridPolicy({ ...o, base: 'lru', scorer: sensible, trainer, params }),
    skip,
  );
  describePolicyContract(
    'ml-lfu',
    (o) => createMlHybridPolicy({ ...o, base: 'lfu', scorer: sensible, trainer, params }),
    skip,
  );
});

describe('ML hybrid: evicts exactly like its base when it cannot use a model', () => {
  for (const base of ['lru', 'lfu'] as const) {
    it(`${base}: without a model (warm-up)`, () => expectSameAsBase(base, {}));

    it(`${base}: with a model for another feature schema (refused)`, () => {
      const policy = createMlHybridPolicy({
        base,
        capacity: 4,
        scorer: scorer(() => 0, FEATURE_SCHEMA_VERSION + 1),
      });
      expect(policy.stats().modelsRefusedVersion).toBe(1);
      expect(policy.stats().modelVersion).toBe(0);
      expect(policy.installModel(constantModel(0, FEATURE_SCHEMA_VERSION + 1))).toBe(false);
      expectSameAsBase(base, { scorer: scorer(() => 0, FEATURE_SCHEMA_VERSION + 1) });
    });

    it(`${base}: when the scorer throws`, () => expectSameAsBase(base, { scorer: throwing }));

    it(`${base}: when every batch misses its deadline`, () => {
      const clock = new ManualClock();
      expectSameAsBase(base, { scorer: slow(clock), clock, params: { deadline: 1 } });
    });
  }

  it('counts the fallbacks and opens the breaker after repeated failures', () => {
    const clock = new ManualClock();
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 8,
      scorer: slow(clock),
      clock,
      params: { deadline: 1, breakerFailures: 3, breakerCooldown: 1000 },
    });
    drive(policy, skewed(200, 1), 8);
    const s = policy.stats();
    expect(s.fallbacks.deadline).toBe(3);
    expect(s.breakerState).toBe(1);
    expect(s.breakerOpens).toBe(1);
    expect(s.fallbacks.breakerOpen).toBeGreaterThan(100);
    expect(s.modelEvictions).toBe(0);
    // After the cooldown one trial batch runs; it fails again, so the breaker reopens.
    clock.advance(1000);
    drive(policy, skewed(50, 2), 8);
    expect(policy.stats().breakerOpens).toBe(2);
  });

  it('logs training rows at every logEvery-th eviction by the base once a model exists', () => {
    // A model that throws: every eviction is the base's. Training never finishes, so the model
    // stays; a request samples no row of its own (sampleEvery): the rows are the evictions'.
    const logged = (fallbackLogEvery: boolean, withModel: boolean) => {
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity: 50,
        ...(withModel ? { scorer: throwing } : {}),
        trainer: { train: () => new Promise<never>(() => undefined) },
        params: { logEvery: 4, sampleEvery: 1 << 30, fallbackLogEvery },
      });
      drive(policy, skewed(6_000, 5), 50);
      const s = policy.stats();
      expect(s.modelEvictions).toBe(0);
      return { rows: s.labelsResolved + s.labelsPending, evictions: s.baseEvictions };
    };
    const every = logged(false, true);
    const fourth = logged(true, true);
    expect(every.evictions).toBe(fourth.evictions);
    // The labeler takes a key only once while its label is pending, so rows < evictions.
    expect(every.rows).toBeGreaterThan(0.6 * every.evictions);
    expect(fourth.rows).toBeGreaterThan(0.2 * every.rows);
    expect(fourth.rows).toBeLessThan(0.4 * every.rows);
    // Before a first model every eviction logs, whatever the knob: those rows train it.
    expect(logged(true, false)).toEqual(logged(false, false));
  });

  it('uses the logical budget (rows × trees) when no clock is injected', () => {
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 8,
      scorer: { ...sensible, treeCount: 100 },
      params: { deadline: 50 },
    });
    drive(policy, skewed(100, 3), 8);
    expect(policy.stats().fallbacks.deadline).toBeGreaterThan(0);
    expect(policy.stats().modelEvictions).toBe(0);
  });
});

describe('ML hybrid: with a model', () => {
  it('lets a sensible model evict (and beat LRU on a scan-and-one-hit workload)', () => {
    const ops = skewed(30_000, 5);
    const lru = drive(createBasePolicy('lru', 200), ops, 200);
    const policy = createMlHybridPolicy({ base: 'lru', capacity: 200, scorer: sensible });
    const ml = drive(policy, ops, 200);
    expect(policy.stats().modelEvictions).toBeGreaterThan(1000);
    expect(ml.hits).toBeGreaterThan(lru.hits * 1.1);
  });

  it('falls back to its base when a deliberately bad model trails the shadow', () => {
    const ops = skewed(40_000, 6);
    const capacity = 200;
    const lru = drive(createBasePolicy('lru', capacity), ops, capacity);
    const unguarded = drive(
      createMlHybridPolicy({
        base: 'lru',
        capacity,
        scorer: inverted,
        params: { shadowSustain: 1e9, challengeMargin: 0 },
      }),
      ops,
      capacity,
    );
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity,
      scorer: inverted,
      params: { challengeMargin: 0 },
    });
    const guarded = drive(policy, ops, capacity);
    const s = policy.stats();
    expect(s.shadowFallbacks).toBe(1);
    expect(s.shadowFallbackActive).toBe(1);
    expect(s.shadowPercent).toBe(100);
    // The bad model alone loses badly; the guard limits the loss to the detection delay.
    expect(unguarded.hits).toBeLessThan(lru.hits * 0.8);
    expect(guarded.hits).toBeGreaterThan(lru.hits * 0.95);
  });

  it('trains again fallbackRetrainAfter labels after a shadow fallback (0: on its schedule)', () => {
    const ops = skewed(40_000, 6);
    const capacity = 200;
    const run = (fallbackRetrainAfter: number) => {
      // Every training returns a model the gate refuses (a constant beats neither the current
      // model nor the base): what differs is only when the trainings come.
      const trainer: TrainerPort = { train: () => constantModel(1) };
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity,
        scorer: inverted,
        trainer,
        // The labels after the fallback come from its evictions, each logging a row as before a
        // first model (by default a fallback logs at every logEvery-th eviction, so slower).
        params: { challengeMargin: 0, fallbackRetrainAfter, fallbackLogEvery: false },
      });
      const driver = new CacheDriver(policy, capacity);
      // The trainings up to the fallback, and over the 3,000 requests after it.
      let atFallback = -1;
      let fellBackAt = -1;
      for (let i = 0; i < ops.length; i++) {
        driver.step(ops[i]!);
        const s = policy.stats();
        if (fellBackAt < 0 && s.shadowFallbacks > 0) {
          fellBackAt = i;
          atFallback = s.trainings;
        }
        if (fellBackAt >= 0 && i === fellBackAt + 3000) return { atFallback, after: s.trainings };
      }
      throw new Error('no shadow fallback, or too late in the run');
    };
    const schedule = run(0);
    const soon = run(256);
    // The same run up to the fallback (before the first scheduled training); after it, one
    // training more within 3,000 requests (1 on the schedule, 2 with the early one).
    expect(soon.atFallback).toBe(schedule.atFallback);
    expect(soon.after - soon.atFallback).toBe(schedule.after - schedule.atFallback + 1);
  });

  it('gives a model that fell back a probation after fallbackProbation windows (0: none)', () => {
    const ops = skewed(40_000, 6);
    const capacity = 200;
    const run = (fallbackProbation: number) => {
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity,
        scorer: inverted,
        params: { challengeMargin: 0, fallbackProbation },
      });
      const { hits } = drive(policy, ops, capacity);
      return { hits, s: policy.stats() };
    };
    const waits = run(0);
    const probation = run(3);
    expect(waits.s.shadowFallbacks).toBe(1);
    // Back on probation it trails again, and falls back again: every few windows.
    expect(probation.s.shadowFallbacks).toBeGreaterThan(3);
    expect(probation.s.modelEvictions).toBeGreaterThan(waits.s.modelEvictions);
    expect(probation.hits).toBeLessThan(waits.hits);
  });

  it('does not blame a model that never overrules its base for what the base kept before the shadow started', () => {
    // The cache fills with keys read 9 times each, never read again: LFU keeps them for their
    // counts. The model scores every row alike, so it never beats the base's victim (the policy
    // evicts as its base order does). A shadow started empty at the first eviction would hold
    // none of them, hit far more than the live cache, and fall back; seeded with them, it agrees.
    const capacity = 200;
    const ops: Op[] = [];
    for (let key = 0; key < capacity; key++) {
      for (let i = 0; i < 9; i++) ops.push({ kind: 'get', key: 1_000_000 + key, size: 1 });
    }
    ops.push(...skewed(30_000, 7));
    const policy = createMlHybridPolicy({ base: 'lfu', capacity, scorer: scorer(() => 0) });
    drive(policy, ops, capacity);
    const s = policy.stats();
    expect(s.modelEvictions).toBe(0);
    expect(s.shadowWindows).toBeGreaterThan(20);
    expect(s.shadowFallbacks).toBe(0);
    // A budget of entries, not of memory: no plain shadow (server.test.ts has one).
    expect(s.shadowPlainHitRatio).toBeNaN();
  });

  it('does not blame a model for a FLUSHALL: the shadow starts again with the emptied cache', () => {
    // A model that never overrules LFU, so the policy evicts as its base order does. After
    // clear() (FLUSHALL) a shadow that kept its keys would hit them while the live cache misses
    // them all, and fall back.
    const capacity = 200;
    const ops = skewed(20_000, 8);
    const policy = createMlHybridPolicy({ base: 'lfu', capacity, scorer: scorer(() => 0) });
    drive(policy, ops, capacity);
    const before = policy.stats().shadowWindows;
    policy.clear();
    drive(policy, ops, capacity);
    const s = policy.stats();
    expect(s.modelEvictions).toBe(0);
    expect(s.shadowWindows - before).toBeGreaterThan(10);
    expect(s.shadowFallbacks).toBe(0);
  });

  it('warms its shadow once the residents fix the sampling rate, and compares from the first eviction', () => {
    // minEntries 64 at 5%: the rate is at its floor from 1,280 residents on.
    const capacity = 5_000;
    const params = { shadowMinEntries: 64, shadowMinPercent: 5 };
    const policy = createMlHybridPolicy({ base: 'lru', capacity, scorer: sensible, params });
    const ops = skewed(80_000, 9);
    const driver = new CacheDriver(policy, capacity);
    let at = 0;
    for (; at < ops.length && policy.stats().shadowPercent === 0; at++) driver.step(ops[at]!);
    // Warmed on the insert that made 1,280 residents, long before the cache was full.
    expect([policy.stats().shadowPercent, driver.victims.length]).toEqual([5, 0]);
    for (; at < ops.length && driver.victims.length === 0; at++) driver.step(ops[at]!);
    expect(policy.stats().shadowWindows).toBe(0);
    for (; at < ops.length; at++) driver.step(ops[at]!);
    expect(policy.stats().shadowWindows).toBeGreaterThan(0);
  });

  it('installs a trained model only when it ranks held-out rows better than the base', () => {
    // On a Zipf workload the frequency tells more than LRU's order by age. The first job returns
    // a model that ranks the most used first (worse than the base: refused); the next ones rank
    // the least used first (better: installed once; the same model again is no better: refused).
    let jobs = 0;
    const trainer: TrainerPort = {
      train(job) {
        jobs++;
        expect(job.nFeatures).toBe(FEATURE_COUNT);
        expect(job.rows.length).toBe(job.labels.length * FEATURE_COUNT);
        return frequencyModel(jobs === 1 ? -1 : 1);
      },
    };
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 100,
      trainer,
      params: { firstTrainAt: 512, retrainEvery: 2048, validationEvery: 4 },
    });
    drive(policy, zipf(30_000, 7), 100);
    const s = policy.stats();
    expect(s.trainings).toBeGreaterThanOrEqual(3);
    expect(s.modelVersion).toBe(1);
    expect(s.modelsRefusedValidation).toBe(s.trainings - 1);
    expect(s.lastValidationCurrent).toBeGreaterThan(s.lastValidationBase);
    expect(s.lastValidation).toBe(s.lastValidationCurrent);
  });

  it('sets the challenge margin from how much successive models disagree (marginPerNoise)', () => {
    // Job 1 ranks the youngest first (refused), job 2 the least used first (installed): the two
    // disagree, so with the noise rule the installed model starts with a margin above the floor.
    const run = (marginPerNoise: number) => {
      let jobs = 0;
      let atInstall = Number.NaN;
      const trainer: TrainerPort = {
        train: () => {
          if (++jobs === 3) atInstall = policy.stats().lastDisagreement;
          return jobs === 1 ? ageModel(-1) : frequencyModel(1);
        },
      };
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity: 100,
        trainer,
        params: { firstTrainAt: 512, validationEvery: 4, marginPerNoise },
      });
      drive(policy, zipf(8_000, 7), 100);
      expect(policy.stats().modelVersion).toBe(1);
      return { margin: policy.stats().challengeMargin, noise: atInstall };
    };
    const off = run(0);
    expect(off.noise).toBeGreaterThan(0.1);
    expect(off.margin).toBe(0.3);
    const on = run(5);
    expect(on.margin).toBeCloseTo(Math.min(2, 5 * on.noise), 12);
    expect(on.margin).toBeGreaterThan(0.3);
    expect(run(100).margin).toBe(2); // the ceiling
  });

  it('offers the mean of each new model and the one trained before it (averageModels)', () => {
    // Job 1 ranks the youngest first (refused: worse than the base), the later ones the least
    // used first. Alone, a use model is installed, one tree. With averaging every offer is the
    // mean of two models (use and youngest-first, then use and use): what is installed has two
    // trees. Which of the offers passes the gate turns on the held-out rows; the tree count does
    // not (seeds 7 to 16 of the workload agree).
    const run = (averageModels: boolean) => {
      let jobs = 0;
      const trainer: TrainerPort = {
        train: () => (++jobs === 1 ? ageModel(-1) : frequencyModel(1)),
      };
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity: 100,
        trainer,
        params: {
          firstTrainAt: 512,
          validationEvery: 4,
          averageModels,
          newest: 0,
          recent: 1,
          recentFraction: 0.1,
        },
      });
      drive(policy, zipf(8_000, 7), 100);
      expect(jobs).toBeGreaterThanOrEqual(3);
      expect(policy.stats().modelVersion).toBeGreaterThanOrEqual(1);
      return policy.currentModel()!.trees.length;
    };
    expect(run(false)).toBe(1);
    expect(run(true)).toBe(2);
  });

  it('keeps serving with its current model while an asynchronous training runs', async () => {
    let release: (model: TreeEnsemble) => void = () => {};
    const trainer: TrainerPort = {
      train: () =>
        new Promise<TreeEnsemble>((resolve) => {
          release = resolve;
        }),
    };
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 50,
      trainer,
      scorer: sensible,
      params: { firstTrainAt: 128, validationEvery: 4 },
    });
    drive(policy, skewed(5000, 8), 50);
    expect(policy.stats().trainings).toBe(1);
    expect(policy.stats().modelEvictions).toBeGreaterThan(0);
    release(constantModel(1));
    await Promise.resolve();
    // A constant ranks worse than the base: refused, the current model stays.
    expect(policy.stats().modelsRefusedValidation).toBe(1);
    expect(policy.stats().modelVersion).toBe(1);
  });
});

/** A tree on the access count: `sign` 1 ranks the least used first, -1 the most used. */
function frequencyModel(sign: number): TreeEnsemble {
  return {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    baseScore: 0,
    trees: [
      {
        feature: Int32Array.of(1, 1, -1, -1, 1, -1, -1),
        threshold: Float32Array.of(4, 1, 0, 0, 16, 0, 0),
        left: Int32Array.of(1, 2, 0, 0, 5, 0, 0),
        right: Int32Array.of(4, 3, 0, 0, 6, 0, 0),
        value: Float32Array.of(0, 0, 3 * sign, 2 * sign, 0, sign, 0),
      },
    ],
  };
}

/**
 * A chain of splits on the age at 2, 4, …, 2^16 requests: `sign` 1 scores older entries higher
 * (by up to 0.4, less than the frequency model's steps), -1 younger ones.
 */
function ageModel(sign: number): TreeEnsemble {
  const steps = 16;
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  // Node 2k is the split at 2^(k+1); its left child (2k+1) is a leaf, its right the next split.
  for (let k = 0; k < steps; k++) {
    feature.push(0, -1);
    threshold.push(2 ** (k + 1), 0);
    left.push(2 * k + 1, 0);
    right.push(2 * k + 2, 0);
    value.push(0, (sign * k) / 40);
  }
  feature.push(-1);
  threshold.push(0);
  left.push(0);
  right.push(0);
  value.push((sign * steps) / 40);
  return {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    baseScore: 0,
    trees: [
      {
        feature: Int32Array.from(feature),
        threshold: Float32Array.from(threshold),
        left: Int32Array.from(left),
        right: Int32Array.from(right),
        value: Float32Array.from(value),
      },
    ],
  };
}

describe('ML hybrid: OBJECT FREQ', () => {
  it("ML+LFU reports its LFU base's count; ML+LRU keeps none", () => {
    const mlLfu = createMlHybridPolicy({ base: 'lfu', capacity: 10 });
    const mlLru = createMlHybridPolicy({ base: 'lru', capacity: 10 });
    for (const policy of [mlLfu, mlLru]) {
      policy.onMiss(7);
      policy.onInsert(0, 7, 1);
      policy.onAccess(0);
      policy.onAccess(0);
    }
    expect(mlLfu.frequencyOf(0)).toBe(3);
    expect(mlLfu.frequencyOf(1)).toBe(-1);
    expect(mlLru.frequencyOf(0)).toBe(-1);
  });
});

describe('ML hybrid: CONFIG SET maxmemory', () => {
  it('scores with the cache usage of the new capacity after resize()', () => {
    // The policy is told 100 while its cache holds 50, so it sees usage 0.5 at each eviction;
    // once resized to the cache's 50 it must see 1 (without resize() it would stay at 0.5).
    const usages: number[] = [];
    const recording = scorer((row, at) => {
      usages.push(row[at + 11]!);
      return 0;
    });
    const policy = createMlHybridPolicy({ base: 'lru', capacity: 100, scorer: recording });
    const cache = new TestCache(policy, 50);
    const stream = (n: number): void => {
      for (let i = 0; i < n; i++) cache.get((i * 7919) % 200);
    };
    stream(2000);
    expect(usages.length).toBeGreaterThan(0);
    expect(Math.max(...usages)).toBeCloseTo(0.5, 5);
    usages.length = 0;
    cache.resize(50);
    stream(2000);
    expect(usages.length).toBeGreaterThan(0);
    expect(Math.min(...usages)).toBeGreaterThan(0.95);
  });
});
