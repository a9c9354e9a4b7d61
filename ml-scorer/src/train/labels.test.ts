import { describe, expect, it } from 'vitest';
import { labelFromGap } from './labels.ts';

describe('labelFromGap', () => {
  it('is log1p of the gap, capped', () => {
    expect(labelFromGap(0, 100)).toBe(0);
    expect(labelFromGap(9, 100)).toBeCloseTo(Math.log(10), 12);
    expect(labelFromGap(100, 100)).toBe(Math.log1p(100));
    expect(labelFromGap(1e12, 100)).toBe(Math.log1p(100));
  });

  it('gives the cap to keys never seen again', () => {
    expect(labelFromGap(Infinity, 50)).toBe(Math.log1p(50));
    expect(labelFromGap(NaN, 50)).toBe(Math.log1p(50));
  });

  it('clamps a negative gap to 0', () => {
    expect(labelFromGap(-3, 50)).toBe(0);
  });
});
