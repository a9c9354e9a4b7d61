import { describe, expect, it } from 'vitest';
import { DEFAULT_ML_HYBRID_PARAMS, resolveMlHybridParams } from './ml-hybrid-params.ts';

describe('resolveMlHybridParams', () => {
  it('sweeps for the random residents by default, and refuses a randomSweep not a boolean', () => {
    expect(DEFAULT_ML_HYBRID_PARAMS.randomSweep).toBe(true);
    expect(resolveMlHybridParams({ randomSweep: false }).randomSweep).toBe(false);
    expect(() => resolveMlHybridParams({ randomSweep: 1 as unknown as boolean })).toThrow(
      /invalid ML hybrid parameter randomSweep: 1/,
    );
  });

  it('logs fewer rows during a fallback by default, and refuses a fallbackLogEvery not a boolean', () => {
    expect(DEFAULT_ML_HYBRID_PARAMS.fallbackLogEvery).toBe(true);
    expect(() => resolveMlHybridParams({ fallbackLogEvery: 'yes' as unknown as boolean })).toThrow(
      /invalid ML hybrid parameter fallbackLogEvery: yes/,
    );
  });
});
