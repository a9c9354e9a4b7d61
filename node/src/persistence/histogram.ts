/**
 * A latency histogram kept as plain numbers (the shape of `HistogramSource` in
 * `metrics/sources.ts`), so that recording a write costs a few comparisons and no allocation.
 */
export class LatencyHistogram {
  /** Upper bounds of the buckets in seconds, ascending (+Inf is implicit). */
  readonly bounds: readonly number[];
  /** Non-cumulative counts, one per bound plus one for +Inf. */
  readonly counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  get sum(): number {
    return this.#sum;
  }

  get count(): number {
    return this.#count;
  }

  /** Records one observation, in seconds. */
  observe(seconds: number): void {
    let index = 0;
    while (index < this.bounds.length && seconds > this.bounds[index]!) index++;
    this.counts[index]!++;
    this.#sum += seconds;
    this.#count++;
  }
}

/** Buckets for RocksDB batch writes: from a WAL append (tens of µs) to a stalled fsync (1 s+). */
export const WRITE_LATENCY_BOUNDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
