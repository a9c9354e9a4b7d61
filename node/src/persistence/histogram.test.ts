import { describe, expect, it } from 'vitest';

import { LatencyHistogram } from './histogram.ts';

describe('LatencyHistogram', () => {
  it('counts each observation in the first bucket whose bound holds it', () => {
    const histogram = new LatencyHistogram([0.001, 0.01]);
    for (const seconds of [0.0005, 0.001, 0.002, 5]) histogram.observe(seconds);
    expect([...histogram.counts]).toEqual([2, 1, 1]);
    expect(histogram.count).toBe(4);
    expect(histogram.sum).toBeCloseTo(5.0035);
  });
});
