import type { HistogramSource } from '../../metrics/sources.ts';

/** Sub-buckets per doubling: bucket bounds grow by 2^(1/8), about 9 % apart. */
const STEPS_PER_OCTAVE = 8;
/** The smallest bound, in seconds (1 µs); everything faster lands in the first bucket. */
const MIN_SECONDS = 1e-6;
/** Doublings above MIN_SECONDS covered (2^24 µs ≈ 16.8 s); slower goes to +Inf. */
const OCTAVES = 24;
const FINE_BUCKETS = OCTAVES * STEPS_PER_OCTAVE;
const LOG_STEP = Math.log(2) / STEPS_PER_OCTAVE;

/** Prometheus bounds: one per doubling (1 µs, 2 µs, ... 8.4 s), read from the fine buckets. */
const EXPORT_BOUNDS: readonly number[] = Array.from(
  { length: OCTAVES },
  (_, i) => MIN_SECONDS * 2 ** i,
);

/**
 * A latency histogram fine enough to read p50 and p99 from (log buckets 9 % apart, so a quantile
 * is off by at most half of that), kept as plain numbers: `observe` is a logarithm and an array
 * increment. It is also a `HistogramSource` for /metrics, with one bucket per doubling.
 */
export class PoolLatency implements HistogramSource {
  readonly bounds: readonly number[] = EXPORT_BOUNDS;
  /** Fine counts: [0] is ≤ 1 µs, [i] is (b(i-1), b(i)], the last one is above 2^24 µs. */
  readonly #fine = new Float64Array(FINE_BUCKETS + 2);
  sum = 0;
  count = 0;

  /** Records one duration in milliseconds (the clock's unit). */
  observeMs(ms: number): void {
    const seconds = ms / 1000;
    let bucket = seconds <= MIN_SECONDS ? 0 : Math.ceil(Math.log(seconds / MIN_SECONDS) / LOG_STEP);
    if (bucket > FINE_BUCKETS + 1) bucket = FINE_BUCKETS + 1;
    this.#fine[bucket] = (this.#fine[bucket] as number) + 1;
    this.sum += seconds;
    this.count++;
  }

  /** Non-cumulative counts per exported bound, plus +Inf (HistogramSource). */
  get counts(): Float64Array {
    const counts = new Float64Array(EXPORT_BOUNDS.length + 1);
    for (let i = 0; i < this.#fine.length; i++) {
      // Fine bucket i ends at MIN * 2^(i/8): it belongs to the first exported bound ≥ that.
      const octave = Math.ceil(i / STEPS_PER_OCTAVE);
      const at = Math.min(octave, EXPORT_BOUNDS.length);
      counts[at] = (counts[at] as number) + (this.#fine[i] as number);
    }
    return counts;
  }

  /**
   * The q-quantile in milliseconds (0 < q ≤ 1), interpolated inside its bucket; undefined
   * before any observation. Above the last bound it answers the last bound.
   */
  quantileMs(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.#fine.length; i++) {
      const n = this.#fine[i] as number;
      if (n === 0 || seen + n < rank) {
        seen += n;
        continue;
      }
      const upper = bound(i);
      const lower = i === 0 ? 0 : bound(i - 1);
      return (lower + ((rank - seen) / n) * (upper - lower)) * 1000;
    }
    return bound(FINE_BUCKETS) * 1000;
  }
}

function bound(i: number): number {
  return MIN_SECONDS * Math.exp(Math.min(i, FINE_BUCKETS) * LOG_STEP);
}
