import type { HistogramSource } from '../../metrics/sources.ts';

/**
 * Upper bounds in seconds: fine below a millisecond, where a cache's commands live, and coarse
 * above, where only stalls (GC, a slow disk sync) land.
 */
export const LATENCY_BOUNDS: readonly number[] = [
  0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01,
  0.025, 0.05, 0.1, 0.25, 1,
];

/** A histogram kept as plain numbers on the hot path; the metrics module reads it when scraped. */
export class LatencyHistogram implements HistogramSource {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[] = LATENCY_BOUNDS) {
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] as number) > (bounds[i - 1] as number))) {
        throw new RangeError('histogram bounds must be strictly ascending');
      }
    }
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records `times` observations of `seconds` each (a batch's commands share its average). */
  observe(seconds: number, times = 1): void {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + times;
    this.sum += seconds * times;
    this.count += times;
  }
}
