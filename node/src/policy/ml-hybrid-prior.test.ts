import { describe, expect, it } from 'vitest';
import { createBasePolicy, createMlHybridPolicy } from './ml-hybrid.ts';
import type { MlBase } from './ml-hybrid.ts';
import { resolveMlHybridParams } from './ml-hybrid-params.ts';
import type { Op } from './test-ml-drive.ts';
import { constantModel, drive } from './test-ml-drive.ts';

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

function run(base: MlBase, value: number, saturationPrior: boolean, ops: readonly Op[]) {
  const policy = createMlHybridPolicy({
    base,
    capacity: CAPACITY,
    scorer: constantModel(value),
    params: { saturationPrior, adaptiveBase: false },
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
      expect(on.stats.priorEvictions).toBeGreaterThan(1000);
      // Most returns of the 60 keys hit once they have been seen twice.
      expect(on.hits).toBeGreaterThan(0.8 * (ops.length / 5));
    },
  );

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
  });
});
