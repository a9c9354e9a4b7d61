import { ShardLoad } from '../cluster/shard-load.ts';
import { TopKeys } from '../cluster/top-keys.ts';
import type { HotKey } from '../cluster/top-keys.ts';
import type { Clock } from '../util/clock.ts';

export interface LoadTrackerOptions {
  readonly clock: Clock;
  readonly shardCount: number;
  /** One request in this many is recorded (weighted by it). @default 16 */
  readonly sampleEvery?: number;
  /** Keys the hot-key summary keeps. @default 128 */
  readonly topKeys?: number;
  /** The hot-key summary starts afresh this often. @default 60000 */
  readonly windowMs?: number;
}

/** A hot key as /v1/load reports it: estimates scaled to requests, with their error bound. */
export interface HotKeyRate {
  readonly key: string;
  /** Estimated requests in the window, and how much of that may be inherited overcount. */
  readonly count: number;
  readonly error: number;
  readonly rate: number;
}

/**
 * The node's hot shards and hot keys, fed by the command router with one request in
 * `sampleEvery` (the router counts down, so unsampled requests cost one decrement): per-shard
 * rates over a sliding window (ShardLoad) and the top keys of the current window (TopKeys,
 * started afresh every `windowMs`, the previous window kept for reports until the current one
 * has some history). Sampling makes every figure an estimate, good to a few percent for hot
 * shards and keys, which is what rebalancing needs.
 */
export class LoadTracker {
  readonly sampleEvery: number;
  readonly #clock: Clock;
  readonly #shards: ShardLoad;
  readonly #capacity: number;
  readonly #windowMs: number;
  #keys: TopKeys;
  #keysSince: number;
  #previous: { keys: TopKeys; seconds: number } | undefined;

  constructor(options: LoadTrackerOptions) {
    this.sampleEvery = options.sampleEvery ?? 16;
    if (!Number.isSafeInteger(this.sampleEvery) || this.sampleEvery < 1) {
      throw new RangeError(`sampleEvery must be a positive integer, got ${this.sampleEvery}`);
    }
    this.#clock = options.clock;
    this.#shards = new ShardLoad({ shardCount: options.shardCount, clock: options.clock });
    this.#capacity = options.topKeys ?? 128;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#keys = new TopKeys(this.#capacity);
    this.#keysSince = options.clock.monotonic();
  }

  /** Records a sampled request to `key` in `shard` (weighted by sampleEvery). */
  record(shard: number, key: string): void {
    this.#shards.record(shard, this.sampleEvery);
    const now = this.#clock.monotonic();
    if (now - this.#keysSince >= this.#windowMs) {
      this.#previous = { keys: this.#keys, seconds: (now - this.#keysSince) / 1000 };
      this.#keys = new TopKeys(this.#capacity);
      this.#keysSince = now;
    }
    this.#keys.record(key, this.sampleEvery);
  }

  /** Requests per second per shard. */
  shardRates(): Float64Array {
    return this.#shards.rates();
  }

  windowSeconds(): number {
    return this.#shards.windowMs() / 1000;
  }

  /** The `n` hottest shards, hottest first (only shards with requests). */
  hottest(n: number, rates: Float64Array = this.shardRates()): { shard: number; rate: number }[] {
    const shards: { shard: number; rate: number }[] = [];
    rates.forEach((rate, shard) => {
      if (rate > 0) shards.push({ shard, rate });
    });
    shards.sort((a, b) => b.rate - a.rate || a.shard - b.shard);
    return shards.slice(0, n);
  }

  /** The hot keys with their rates, from the current window or, while it is young, the last. */
  hotKeys(n: number): { windowSeconds: number; keys: HotKeyRate[] } {
    const age = (this.#clock.monotonic() - this.#keysSince) / 1000;
    const useLast = this.#previous !== undefined && age < this.#windowMs / 2000;
    const keys = useLast ? this.#previous!.keys : this.#keys;
    const seconds = useLast ? this.#previous!.seconds : age;
    return {
      windowSeconds: seconds,
      keys: keys.top(n).map((hot: HotKey) => ({
        key: hot.key,
        count: hot.count,
        error: hot.error,
        rate: seconds > 0 ? hot.count / seconds : 0,
      })),
    };
  }
}
