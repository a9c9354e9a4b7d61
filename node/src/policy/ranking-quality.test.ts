import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.ts';
import { pairAccuracy } from './ranking-quality.ts';

describe('ranking quality', () => {
  const labels = Float64Array.from({ length: 500 }, (_, i) => i);
  const ordered = labels.map((x) => x * 2);
  const reversed = labels.map((x) => -x);
  const constant = labels.map(() => 1);

  it('pair accuracy is 1 for the labels’ order, 0 for the reverse, ½ for a constant', () => {
    expect(pairAccuracy(ordered, labels, 500, 5000, createRandom(1))).toBe(1);
    expect(pairAccuracy(reversed, labels, 500, 5000, createRandom(1))).toBe(0);
    expect(pairAccuracy(constant, labels, 500, 5000, createRandom(1))).toBe(0.5);
  });
});
