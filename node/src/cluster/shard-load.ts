import type { Clock } from '../util/clock.ts';

/**
 * Per-shard request counters over a sliding window, for finding hot shards.
 *
 * The window is a ring of fixed buckets (6 × 10 s by default), each a Uint32Array indexed by
 * shard: recording a request is one clock read and one array increment, and moving the window
 * forward clears the buckets that fell out of it. The window therefore slides in bucket-sized
 * steps and covers between (buckets − 1) and `buckets` bucket lengths, which is the price of O(1)
 * recording; rates divide by the time actually covered, so they are not biased by the step.
 */

/** Options of a ShardLoad. */
export interface ShardLoadOptions {
  readonly shardCount: number;
  /** Read with monotonic(): only durations matter here. */
  readonly clock: Clock;
  /** @default 6 */
  readonly buckets?: number;
  /** @default 10_000 */
  readonly bucketMs?: number;
}

/** A sliding-window request counter per shard. */
export class ShardLoad {
  readonly shardCount: number;
  readonly #clock: Clock;
  readonly #bucketMs: number;
  readonly #buckets: Uint32Array[];
  /** The bucket number (monotonic time / bucketMs) of the current bucket. */
  #bucketNumber: number;
  #current = 0;
  readonly #startedAt: number;

  constructor(options: ShardLoadOptions) {
    const { shardCount, clock, buckets = 6, bucketMs = 10_000 } = options;
    if (!Number.isSafeInteger(shardCount) || shardCount < 1) {
      throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
    }
    if (!Number.isSafeInteger(buckets) || buckets < 2) {
      throw new RangeError(`buckets must be an integer >= 2, got ${buckets}`);
    }
    if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be > 0, got ${bucketMs}`);
    this.shardCount = shardCount;
    this.#clock = clock;
    this.#bucketMs = bucketMs;
    this.#buckets = Array.from({ length: buckets }, () => new Uint32Array(shardCount));
    this.#startedAt = clock.monotonic();
    this.#bucketNumber = Math.floor(this.#startedAt / bucketMs);
  }

  /** Counts `count` requests (default 1) to `shard` now. */
  record(shard: number, count = 1): void {
    this.#advance();
    this.#buckets[this.#current]![shard]! += count;
  }

  /** The requests per shard over the window. */
  counts(): Float64Array {
    this.#advance();
    const sums = new Float64Array(this.shardCount);
    for (const bucket of this.#buckets) {
      for (let shard = 0; shard < sums.length; shard++) sums[shard]! += bucket[shard]!;
    }
    return sums;
  }

  /** How many milliseconds the window covers now (less than its span just after start). */
  windowMs(): number {
    this.#advance();
    const now = this.#clock.monotonic();
    const currentStart = this.#bucketNumber * this.#bucketMs;
    const span = (this.#buckets.length - 1) * this.#bucketMs + (now - currentStart);
    return Math.min(span, now - this.#startedAt);
  }

  /** Requests per second per shard over the window (zeros before any time has passed). */
  rates(): Float64Array {
    const counts = this.counts();
    const seconds = this.windowMs() / 1000;
    if (seconds > 0) for (let shard = 0; shard < counts.length; shard++) counts[shard]! /= seconds;
    else counts.fill(0);
    return counts;
  }

  /** Moves the window to the current time, clearing the buckets it leaves behind. */
  #advance(): void {
    const number = Math.floor(this.#clock.monotonic() / this.#bucketMs);
    if (number <= this.#bucketNumber) return;
    const steps = Math.min(number - this.#bucketNumber, this.#buckets.length);
    for (let i = 0; i < steps; i++) {
      this.#current = (this.#current + 1) % this.#buckets.length;
      this.#buckets[this.#current]!.fill(0);
    }
    this.#bucketNumber = number;
  }
}
