/**
 * Which of LRU and LFU suits the workload now: an ARC-like signal for the learned policies'
 * base (ml-hybrid.ts, `adaptiveBase`). Keys whose hash mod 100 is below `percent` are replayed
 * through two metadata-only caches, one LRU and one LFU, each of capacity × percent / 100
 * (SHARDS-style spatial sampling, as shadow-baseline.ts). On those sampled requests it counts
 * the ones only LRU hit (b) and only LFU hit (c), paired as McNemar's test is: most requests
 * hit or miss in both, so the difference is far less noisy than two hit ratios. The counts of
 * past windows fade by `decay` per window, so the choice follows a workload that changes.
 *
 * At the end of each window (max(`minWindow`, `windowFactor` × the shadows' entries) sampled
 * requests) the active kind switches only when the other one leads by more than `margin` of the
 * (faded) sampled requests plus two standard errors of the paired difference, 2 √(b + c): a
 * tie, or a lead within the noise, keeps the current kind. It starts as `initial` (the policy's
 * own base) and stays there until the evidence says otherwise.
 */
import type { EvictionPolicy } from './eviction-policy.ts';
import { SampledReplays, comparisonWindow } from './sampled-cache.ts';

/** The two orders a learned policy can take its victims from. */
export type BaseKind = 'lru' | 'lfu';

export interface BaseSelectorOptions {
  /** Builds a base policy of a kind for the (scaled) capacity. */
  readonly createBase: (kind: BaseKind, capacity: number) => EvictionPolicy;
  /** The live cache's capacity, in its unit. */
  readonly capacity: number;
  readonly seed: number;
  /** The kind in use before any evidence. */
  readonly initial: BaseKind;
  /** The shadows aim to hold at least this many entries. @default 1024 */
  readonly minEntries?: number;
  /** Lowest sampling rate, in percent. @default 5 */
  readonly minPercent?: number;
  /** Sampled requests per window, at least. @default 1000 */
  readonly minWindow?: number;
  /** Windows of the shadows' size, as a multiple of their entries. @default 2 */
  readonly windowFactor?: number;
  /** The other kind must lead by this share of the sampled requests (plus the noise). @default 0.005 */
  readonly margin?: number;
  /** Weight each closed window's counts keep at the next window's end. @default 0.5 */
  readonly decay?: number;
}

export class BaseSelector {
  readonly #options: BaseSelectorOptions;
  /** The LRU shadow (0) and the LFU shadow (1). */
  readonly #replays: SampledReplays;
  /** Whether sampled requests count towards a switch (after `start`). */
  #counting = false;
  #window = 0;
  #n = 0;
  /** Faded counts: sampled requests, only-LRU hits, only-LFU hits. */
  #pairs = 0;
  #onlyLru = 0;
  #onlyLfu = 0;
  #active: BaseKind;
  #switches = 0;
  #windows = 0;

  constructor(options: BaseSelectorOptions) {
    this.#options = options;
    this.#replays = new SampledReplays({
      replays: [
        { create: (capacity) => options.createBase('lru', capacity) },
        { create: (capacity) => options.createBase('lfu', capacity) },
      ],
      capacity: options.capacity,
      seed: (options.seed * 0x85ebca6b) ^ 0xba5e,
      minEntries: options.minEntries ?? 1024,
      minPercent: options.minPercent ?? 5,
    });
    this.#active = options.initial;
  }

  /** The kind whose order should propose victims. */
  get active(): BaseKind {
    return this.#active;
  }

  /** How many times the active kind changed. */
  get switches(): number {
    return this.#switches;
  }

  /** Completed windows. */
  get windows(): number {
    return this.#windows;
  }

  get started(): boolean {
    return this.#replays.started;
  }

  /** The sampling rate in percent (0 before `warm`). */
  get percent(): number {
    return this.#replays.percent;
  }

  /** LRU's lead over LFU in the faded counts (only-LRU hits − only-LFU hits). */
  get lruLead(): number {
    return this.#onlyLru - this.#onlyLfu;
  }

  /**
   * Starts both shadows replaying the sampled requests, without counting them yet, at the
   * sampling rate of a live cache holding `residents` entries (as ShadowBaseline.warm).
   */
  warm(residents: number): void {
    this.#replays.warm(residents);
  }

  /**
   * Starts counting (warming first if need be), with windows sized for a live cache holding
   * `residents` entries: the learned policy calls it at its first eviction.
   */
  start(residents: number): void {
    if (this.#counting) return;
    this.warm(residents);
    this.#window = comparisonWindow(residents, this.percent, this.#options);
    this.#counting = true;
  }

  /**
   * The live cache's capacity changed: both shadows follow at the sampling rate. The counts stay;
   * they fade within a few windows.
   */
  resize(capacity: number): void {
    this.#replays.resize(capacity);
  }

  /**
   * The live cache was emptied (FLUSHALL): both shadows stop until warmed (and seeded) again, so
   * that they do not go on holding keys the live cache no longer has. The faded counts stay.
   */
  stop(): void {
    this.#replays.stop();
    this.#n = 0;
    this.#counting = false;
  }

  /** Whether requests for `keyId` are replayed (false before `warm`). */
  sampled(keyId: number): boolean {
    return this.#replays.sampled(keyId);
  }

  /**
   * A sampled key the live cache held when the selector was warmed, put into both shadows as
   * `accesses` requests that no count sees (as ShadowBaseline.seed). Call only when
   * `sampled(keyId)`.
   */
  seed(keyId: number, size: number, accesses: number): void {
    this.#replays.seed(keyId, size, accesses);
  }

  /** A sampled request, replayed through both shadows. Call only when `sampled(keyId)`. */
  observe(keyId: number, size: number): void {
    const lruHit = this.#replays.request(0, keyId, size);
    const lfuHit = this.#replays.request(1, keyId, size);
    if (!this.#counting) return;
    if (lruHit !== lfuHit) {
      if (lruHit) this.#onlyLru++;
      else this.#onlyLfu++;
    }
    this.#pairs++;
    if (++this.#n >= this.#window) this.#closeWindow();
  }

  #closeWindow(): void {
    const o = this.#options;
    const lead = this.#onlyLru - this.#onlyLfu;
    const bar = (o.margin ?? 0.005) * this.#pairs + 2 * Math.sqrt(this.#onlyLru + this.#onlyLfu);
    const want: BaseKind | null = lead > bar ? 'lru' : -lead > bar ? 'lfu' : null;
    if (want !== null && want !== this.#active) {
      this.#active = want;
      this.#switches++;
    }
    this.#windows++;
    this.#n = 0;
    const decay = o.decay ?? 0.5;
    this.#pairs *= decay;
    this.#onlyLru *= decay;
    this.#onlyLfu *= decay;
  }
}
