import { describe, expect, it } from 'vitest';
import { PoolLatency } from './pool-latency.ts';

describe('PoolLatency', () => {
  it('answers undefined quantiles before any observation', () => {
    expect(new PoolLatency().quantileMs(0.5)).toBeUndefined();
  });

  it('reads p50 and p99 within the bucket resolution', () => {
    const latency = new PoolLatency();
    // 1..1000 µs, uniformly: p50 ≈ 0.5 ms, p99 ≈ 0.99 ms.
    for (let us = 1; us <= 1000; us++) latency.observeMs(us / 1000);
    expect(latency.count).toBe(1000);
    expect(latency.quantileMs(0.5)).toBeGreaterThan(0.5 * 0.91);
    expect(latency.quantileMs(0.5)).toBeLessThan(0.5 * 1.09);
    expect(latency.quantileMs(0.99)).toBeGreaterThan(0.99 * 0.91);
    expect(latency.quantileMs(0.99)).toBeLessThan(0.99 * 1.09);
    expect(latency.sum).toBeCloseTo(0.5005, 6);
  });

  it('exports cumulative-ready counts per doubling, with the slow tail in +Inf', () => {
    const latency = new PoolLatency();
    latency.observeMs(0.0005); // 0.5 µs: the first bucket (≤ 1 µs)
    latency.observeMs(0.003); // 3 µs: ≤ 4 µs
    latency.observeMs(60_000); // a minute: +Inf
    const counts = latency.counts;
    expect(counts.length).toBe(latency.bounds.length + 1);
    expect(counts[0]).toBe(1);
    expect(latency.bounds[2]).toBeCloseTo(4e-6, 12);
    expect(counts[2]).toBe(1);
    expect(counts[latency.bounds.length]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(latency.quantileMs(1)).toBeGreaterThan(8000);
  });
});
