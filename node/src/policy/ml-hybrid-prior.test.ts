import { describe, expect, it } from 'vitest';
import { createBasePolicy, createMlHybridPolicy } from './ml-hybrid.ts';
import type { MlBase } from './ml-hybrid.ts';
import { resolveMlHybridParams } from './ml-hybrid-params.ts';
import type { Op } from './test-ml-drive.ts';
import { CacheDriver, constantModel, drive } from './test-ml-drive.ts';

const CAPACITY = 100;

/**
 * One request in five goes to one of 60 keys in turn (each returns every 300 requests), the
 * others to keys never seen again: LRU and LFU evict the returning keys before they return.
 */
function coldWithReturns(n: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    ops.push({ kind: 'get', key: i % 5 === 0 ? (i / 5) % 60 : 1_000_000 + i, size: 1 });
  }
  return ops;
}

/**
 * 60 keys requested 100 times each, then 90 new keys in a loop (they fit): the prior protects
 * the old keys, seen more often, which never return, and evicts the new ones, which do.
 */
function phaseChange(n: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < 6000; i++) ops.push({ kind: 'get', key: i % 60, size: 1 });
  for (let i = 0; i < n; i++) ops.push({ kind: 'get', key: 1000 + (i % 90), size: 1 });
  return ops;
}

function run(
  base: MlBase,
  value: number,
  saturationPrior: boolean,
  ops: readonly Op[],
  priorGuard = true,
) {
  const policy = createMlHybridPolicy({
    base,
    capacity: CAPACITY,
    scorer: constantModel(value),
    params: { saturationPrior, priorGuard, adaptiveBase: false },
  });
  return { ...drive(policy, ops, CAPACITY), stats: policy.stats() };
}

describe('ML hybrid: saturationPrior (quick demotion where every prediction is at the cap)', () => {
  const ops = coldWithReturns(30_000);

  it.each(['lru', 'lfu'] as const)(
    'ML+%s keeps keys that came back over new ones when the model predicts the cap',
    (base) => {
      const plain = drive(createBasePolicy(base, CAPACITY), ops, CAPACITY);
      expect(plain.hits).toBeLessThan(100);
      // A model predicting far beyond any cap: it never overrules by the margin.
      const off = run(base, 50, false, ops);
      expect(off.victims).toEqual(plain.victims);
      expect(off.stats.priorEvictions).toBe(0);
      const on = run(base, 50, true, ops);
      expect(on.stats.priorEvictions).toBeGreaterThan(500);
      // Most returns of the 60 keys hit once they have been seen twice.
      expect(on.hits).toBeGreaterThan(0.8 * (ops.length / 5));
    },
  );

  it('is switched off by its guard at the first window where the policy trails', () => {
    const ops = phaseChange(20_000);
    const plain = drive(createBasePolicy('lru', CAPACITY), ops, CAPACITY);
    const unguarded = run('lru', 50, true, ops, false);
    const guarded = run('lru', 50, true, ops);
    // Unguarded, the prior acts until the policy has trailed its shadow for two windows.
    expect(unguarded.hits).toBeLessThan(plain.hits - 500);
    expect(unguarded.stats.priorGuardTrips).toBe(0);
    // Guarded, it goes at the first trailing window.
    expect(guarded.stats.priorGuardTrips).toBeGreaterThan(0);
    expect(guarded.stats.priorEvictions).toBeLessThan(0.7 * unguarded.stats.priorEvictions);
    expect(guarded.hits).toBeGreaterThan(unguarded.hits + 200);
  });

  it.each([
    [true, 2],
    [false, 1],
  ])(
    'with priorGuardRestartsShadow %s, the shadow falls back %i window(s) after the trip',
    (restarts, later) => {
      const ops = phaseChange(20_000);
      const policy = createMlHybridPolicy({
        base: 'lru',
        capacity: CAPACITY,
        scorer: constantModel(50),
        params: { adaptiveBase: false, priorGuardRestartsShadow: restarts },
      });
      const driver = new CacheDriver(policy, CAPACITY);
      let tripWindow = -1;
      let fallbackWindow = -1;
      for (const op of ops) {
        driver.step(op);
        const s = policy.stats();
        if (tripWindow < 0 && s.priorGuardTrips > 0) tripWindow = s.shadowWindows;
        if (fallbackWindow < 0 && s.shadowFallbacks > 0) fallbackWindow = s.shadowWindows;
      }
      // The prior is switched off at the first trailing window either way; the model keeps
      // trailing without it. Restarted, the shadow counts its two windows afresh; otherwise
      // the window of the trip is the first of the two.
      expect(policy.stats().priorGuardTrips).toBe(1);
      expect(tripWindow).toBeGreaterThan(0);
      expect(fallbackWindow - tripWindow).toBe(later);
    },
  );

  it('keeps its guard quiet where the prior is right', () => {
    const ops = coldWithReturns(30_000);
    const guarded = run('lru', 50, true, ops);
    const unguarded = run('lru', 50, true, ops, false);
    expect(guarded.stats.priorGuardTrips).toBe(0);
    expect(guarded.victims).toEqual(unguarded.victims);
  });

  it('does nothing where the model predicts below the cap', () => {
    const plain = drive(createBasePolicy('lru', CAPACITY), ops, CAPACITY);
    const on = run('lru', 1, true, ops);
    expect(on.stats.priorEvictions).toBe(0);
    expect(on.victims).toEqual(plain.victims);
  });

  it('validates its knobs', () => {
    expect(() => resolveMlHybridParams({ saturationDecay: 12 })).toThrow(/saturationDecay/);
    expect(resolveMlHybridParams({ saturationDecay: 13 }).saturationDecay).toBe(13);
    expect(() => resolveMlHybridParams({ saturationTolerance: -0.1 })).toThrow(
      /saturationTolerance/,
    );
    expect(() => resolveMlHybridParams({ saturationPrior: 1 as unknown as boolean })).toThrow(
      /saturationPrior/,
    );
    expect(() => resolveMlHybridParams({ priorGuard: 1 as unknown as boolean })).toThrow(
      /priorGuard/,
    );
    expect(() => resolveMlHybridParams({ priorGuardCooldown: 0 })).toThrow(/priorGuardCooldown/);
    expect(() =>
      resolveMlHybridParams({ priorGuardRestartsShadow: 0 as unknown as boolean }),
    ).toThrow(/priorGuardRestartsShadow/);
  });
});
