import type { Clock } from '../util/clock.ts';

export interface RateLimiterOptions {
  /** Bytes per second; 0 means unlimited. */
  readonly bytesPerSecond: number;
  /** Read with monotonic(). */
  readonly clock: Clock;
  /** Bytes that may pass at once after a pause. @default a quarter second's worth, at least 64 KiB */
  readonly burstBytes?: number;
}

/**
 * A token bucket for the migration's bandwidth (--migration-rate), shared by every pull of the
 * node. Callers take what they just received and wait the returned time before reading more, so
 * a batch larger than the bucket still passes (the bucket goes into debt) and the wait pays for
 * it: the average stays at the rate whatever the batch sizes.
 */
export class RateLimiter {
  readonly bytesPerSecond: number;
  readonly #clock: Clock;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(options: RateLimiterOptions) {
    const { bytesPerSecond, clock } = options;
    if (!(bytesPerSecond >= 0) || !Number.isFinite(bytesPerSecond)) {
      throw new RangeError(`bytesPerSecond must be a finite number >= 0, got ${bytesPerSecond}`);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.#clock = clock;
    this.#burst = options.burstBytes ?? Math.max(64 * 1024, bytesPerSecond / 4);
    this.#tokens = this.#burst;
    this.#last = clock.monotonic();
  }

  /** Takes `bytes`; returns how many ms to wait before taking more (0: go on now). */
  take(bytes: number): number {
    const rate = this.bytesPerSecond;
    if (rate === 0) return 0;
    const now = this.#clock.monotonic();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * rate) / 1000);
    this.#last = now;
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / rate);
  }
}
