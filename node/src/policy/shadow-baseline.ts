/**
 * A shadow of the base policy on a hashed sample of the keys (SHARDS-style spatial sampling,
 * research note §4.7): keys whose hash mod 100 is below `percent` are replayed through a
 * metadata-only cache of the base policy with capacity × percent / 100. On the same sampled
 * requests the live policy's hits are counted too, so both hit ratios estimate the full caches'
 * on the same keys. The comparison is paired (McNemar's test): since the last `resetVerdict`
 * (a new model, or a fallback) it counts the sampled requests only the shadow hit (b) and only
 * the live cache hit (c); at the end of each window the live policy trails if
 * b − c > margin × n + 2 √(b + c), i.e. by more than the margin and two standard errors of the
 * paired difference. Pairing makes this far more sensitive than comparing two hit ratios: most
 * requests hit or miss in both. `trailing` counts such windows in a row; the learned policy
 * falls back to its base after a few.
 *
 * The sampling rate is fixed when the shadow starts replaying (`warm`), at the live cache's first
 * eviction or, in a large cache, once its residents reach the count from which the rate is at
 * its floor: small caches are shadowed whole (percent 100), large ones at `minPercent`, so that
 * the shadow always holds about `minEntries` entries or more. Comparing starts at the first
 * eviction (`start`).
 *
 * With `createOther` (a learned policy whose victims may come from either of two orders,
 * `adaptiveBase`), the same sampled requests are also replayed through the other order, and the
 * verdict is against the order the live policy proposes victims from now (`judgeAgainst`), the
 * one it would fall back to. Judged against its own base only, ML+LFU taking LRU's victims where
 * LRU is far better than LFU could trail LRU for good and never fall back, since it still led
 * LFU (lirs_sprite 10%: 891 more misses than LRU, tenth round).
 */
import type { EvictionPolicy } from './eviction-policy.ts';
import type { Replay } from './sampled-cache.ts';
import { SampledReplays, comparisonWindow } from './sampled-cache.ts';

/**
 * Per window, what the plain verdict's counts keep of the windows before (their weight halves in
 * about 2.4 windows; together they weigh 4 windows).
 */
const PLAIN_DECAY = 0.75;

export interface ShadowBaselineOptions {
  /** Builds the base policy for the shadow's (scaled) capacity. */
  readonly createBase: (capacity: number) => EvictionPolicy;
  /** Builds the other order, replayed beside the base (see the class comment). @default none */
  readonly createOther?: (capacity: number) => EvictionPolicy;
  /**
   * A plain policy replayed beside them at the same memory: its entries are charged
   * `entryOverhead` less (the learned policy's own state per entry), so that it holds what a node
   * running it instead would hold. Only reported (`plainHitRatio`), never judged against: it
   * tells whether the learned policy pays for its memory, which a fallback to the base within
   * the same charged budget could not change. @default none
   */
  readonly plain?: {
    readonly create: (capacity: number) => EvictionPolicy;
    readonly entryOverhead: number;
    /** Its capacity: the whole budget, where the live cache's entries have less. */
    readonly capacity: number;
  };
  /**
   * The room the live cache's entries have, in its unit: what the base and the other order are
   * replayed in, so that they are judged in the same room.
   */
  readonly capacity: number;
  readonly seed: number;
  /** The shadow aims to hold at least this many entries. @default 1024 */
  readonly minEntries?: number;
  /** Lowest sampling rate, in percent. @default 5 */
  readonly minPercent?: number;
  /** Sampled requests per comparison window, at least. @default 1000 */
  readonly minWindow?: number;
  /** Windows of the shadow's size, as a multiple of its entries. @default 2 */
  readonly windowFactor?: number;
  /** The live hit ratio may trail by this much before it counts (plus the noise). @default 0.005 */
  readonly margin?: number;
  /**
   * The plain replay's verdict (`lastPlainVerdict`): the live hit ratio may trail it by this
   * much (on the decayed counts) before it counts (plus the noise). @default 0.01
   */
  readonly plainMargin?: number;
}

export class ShadowBaseline {
  readonly #options: ShadowBaselineOptions;
  /** The base's sampled cache, then the other order's (`createOther`). */
  readonly #replays: SampledReplays;
  /** The order judged against: 0, the base; 1, the other. */
  #active = 0;
  #comparing = false;
  #window = 0;
  #n = 0;
  /**
   * Since the last resetVerdict: requests, and per replay (base, other, plain) the requests only
   * it hit and those only the live cache hit.
   */
  #pairs = 0;
  readonly #onlyShadow = [0, 0, 0];
  readonly #onlyLive = [0, 0, 0];
  /** In the current window: hits of the live cache and of each replay (base, other, plain). */
  #liveHits = 0;
  readonly #shadowHits = [0, 0, 0];
  #trailing = 0;
  /**
   * In the current window, against the plain replay: requests only it hit, and only the live
   * cache hit. Its verdict (`lastPlainVerdict`) is not since the last resetVerdict (new models
   * reset that, and whether the learned state pays for its memory outlives a model) but on the
   * windows' counts decayed by PLAIN_DECAY per window (`#plainOnly`, `#plainLive`, `#plainN`):
   * a window alone is too noisy where the replays hit in bursts (a cyclic scan: the verdict
   * flipped every few windows, and 8 in a row never came).
   */
  #windowOnlyPlain = 0;
  #windowOnlyLiveVsPlain = 0;
  #plainOnly = 0;
  #plainLive = 0;
  #plainN = 0;
  #lastPlainVerdict = 0;
  #windows = 0;
  #lastLive = 0;
  #lastVerdict = 0;
  #lastShadow = 0;
  #totalRequests = 0;
  #totalLiveHits = 0;
  readonly #totalShadowHits = [0, 0, 0];
  /** The plain replay's index among the replays, or -1 without one. */
  readonly #plain: number;
  /** How many replays: the base, the other order and the plain policy, where given. */
  readonly #replayCount: number;

  constructor(options: ShadowBaselineOptions) {
    this.#options = options;
    const replays: Replay[] = [{ create: options.createBase }];
    if (options.createOther !== undefined) replays.push({ create: options.createOther });
    const plain = options.plain;
    this.#plain = plain === undefined ? -1 : replays.length;
    if (plain !== undefined) {
      replays.push({
        create: plain.create,
        chargedLess: plain.entryOverhead,
        capacity: plain.capacity,
      });
    }
    this.#replayCount = replays.length;
    this.#replays = new SampledReplays({
      replays,
      capacity: options.capacity,
      seed: (options.seed * 0x9e3779b1) ^ 0x5ad0,
      minEntries: options.minEntries ?? 1024,
      minPercent: options.minPercent ?? 5,
    });
  }

  /** Whether the shadow replays the sampled requests (after `warm` or `start`). */
  get started(): boolean {
    return this.#replays.started;
  }

  /** Whether the sampled requests are compared (after `start`). */
  get comparing(): boolean {
    return this.#comparing;
  }

  /** The sampling rate in percent (0 before `warm`). */
  get percent(): number {
    return this.#replays.percent;
  }

  /** Consecutive windows in which the live policy trailed the shadow. */
  get trailing(): number {
    return this.#trailing;
  }

  /** Completed comparison windows. */
  get windows(): number {
    return this.#windows;
  }

  /**
   * The last window's verdict against the plain replay (`plain`): -1 when the live cache trailed
   * it by more than `plainMargin` and the noise (paired, as the base's), 1 when it led by as
   * much, 0 in between or without a plain replay.
   */
  get lastPlainVerdict(): number {
    return this.#lastPlainVerdict;
  }

  /** Hit ratios of the last completed window. */
  get lastLiveHitRatio(): number {
    return this.#lastLive;
  }

  /**
   * The last window's verdict: -1 when the live policy trailed the shadow by more than the
   * margin and noise, 1 when it led by as much, 0 in between.
   */
  get lastVerdict(): number {
    return this.#lastVerdict;
  }

  get lastShadowHitRatio(): number {
    return this.#lastShadow;
  }

  /** Hit ratios over every sampled request since `start`. */
  get liveHitRatio(): number {
    return this.#totalRequests === 0 ? 0 : this.#totalLiveHits / this.#totalRequests;
  }

  /** The hit ratio of the shadow of the order judged against (`judgeAgainst`). */
  get shadowHitRatio(): number {
    const hits = this.#totalShadowHits[this.#active]!;
    return this.#totalRequests === 0 ? 0 : hits / this.#totalRequests;
  }

  /**
   * The plain policy's hit ratio at the same memory over every sampled request since `start`
   * (see `plain`), or NaN without one.
   */
  get plainHitRatio(): number {
    if (this.#plain < 0) return Number.NaN;
    const hits = this.#totalShadowHits[this.#plain]!;
    return this.#totalRequests === 0 ? 0 : hits / this.#totalRequests;
  }

  /**
   * The verdicts from now on are against the base (false) or the other order (true; only with
   * `createOther`): the order the live policy takes its victims from. The counts since the last
   * `resetVerdict` are kept for both, so the next window judges the whole stretch against it.
   */
  judgeAgainst(other: boolean): void {
    this.#active = other && this.#options.createOther !== undefined ? 1 : 0;
  }

  /**
   * Starts replaying the sampled requests, without comparing them yet, at the sampling rate of a
   * live cache holding `residents` entries. The shadow starts empty: the caller seeds it with
   * the sampled residents (`seed`), or else it would hold none of what the live cache kept from
   * before (keys read often, then never again, say), and the comparison would favour it for as
   * long as the live cache keeps them. Warmed once the rate is at its floor (`floorRateResidents`
   * in sampled-cache.ts), it sees the rest of the fill itself and the seeding stays small.
   */
  warm(residents: number): void {
    this.#replays.warm(residents);
  }

  /**
   * Starts comparing (warming first if need be), with windows sized for a live cache holding
   * `residents` entries: the learned policy calls it at its first eviction.
   */
  start(residents: number): void {
    if (this.#comparing) return;
    this.warm(residents);
    this.#window = comparisonWindow(residents, this.percent, this.#options);
    this.#comparing = true;
  }

  /**
   * The live cache's capacity changed (CONFIG SET maxmemory): the shadow follows at its
   * sampling rate and evicts down to it, and the comparison starts afresh, because hits before
   * the change say nothing of the caches after it.
   */
  resize(capacity: number, plainCapacity = capacity): void {
    this.setRoom(capacity, plainCapacity);
    if (this.started) this.resetVerdict();
  }

  /**
   * The live cache's entries have `capacity` now (a learned policy's reserved memory grew or
   * shrank), and the plain replay `plainCapacity`: the replays follow, and the comparison goes
   * on, since the change is a few percent of the room.
   */
  setRoom(capacity: number, plainCapacity = capacity): void {
    const each = Array.from({ length: this.#replayCount }, (_, i) =>
      i === this.#plain ? plainCapacity : capacity,
    );
    this.#replays.resize(each);
  }

  /**
   * The live cache was emptied (FLUSHALL): the shadow stops until warmed again (and seeded
   * again), and the comparison starts afresh. Kept, its keys would be hits the
   * live cache can no longer have, counted against the model.
   */
  stop(): void {
    this.#replays.stop();
    this.#comparing = false;
    this.resetVerdict();
  }

  /** Whether requests for `keyId` are shadowed. */
  sampled(keyId: number): boolean {
    return this.#replays.sampled(keyId);
  }

  /**
   * Puts a sampled key that the live cache held when the shadow started into the shadow, as
   * `accesses` requests that no verdict counts (see `warm`). Call only when `sampled(keyId)`.
   */
  seed(keyId: number, size: number, accesses: number): void {
    this.#replays.seed(keyId, size, accesses);
  }

  /**
   * A sampled request: the live cache hit or missed it; the shadow replays it. Call only when
   * `sampled(keyId)`.
   */
  observe(keyId: number, size: number, liveHit: boolean): void {
    const replays = this.#replays;
    const n = replays.count;
    if (!this.#comparing) {
      for (let i = 0; i < n; i++) replays.request(i, keyId, size);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (replays.request(i, keyId, size)) {
        this.#shadowHits[i] = this.#shadowHits[i]! + 1;
        this.#totalShadowHits[i] = this.#totalShadowHits[i]! + 1;
        if (!liveHit) {
          this.#onlyShadow[i] = this.#onlyShadow[i]! + 1;
          if (i === this.#plain) this.#windowOnlyPlain++;
        }
      } else if (liveHit) {
        this.#onlyLive[i] = this.#onlyLive[i]! + 1;
        if (i === this.#plain) this.#windowOnlyLiveVsPlain++;
      }
    }
    this.#n++;
    this.#totalRequests++;
    if (liveHit) {
      this.#liveHits++;
      this.#totalLiveHits++;
    }
    this.#pairs++;
    if (this.#n >= this.#window) this.#closeWindow();
  }

  /** Starts the comparison afresh (a new model; a fallback). */
  resetVerdict(): void {
    this.#n = 0;
    this.#liveHits = 0;
    this.#shadowHits.fill(0);
    this.#pairs = 0;
    this.#onlyShadow.fill(0);
    this.#onlyLive.fill(0);
    this.#trailing = 0;
    this.#windowOnlyPlain = 0;
    this.#windowOnlyLiveVsPlain = 0;
  }

  #closeWindow(): void {
    const n = this.#n;
    const a = this.#active;
    const live = this.#liveHits / n;
    const shadow = this.#shadowHits[a]! / n;
    const margin = (this.#options.margin ?? 0.005) * this.#pairs;
    const noise = 2 * Math.sqrt(this.#onlyShadow[a]! + this.#onlyLive[a]!);
    const lead = this.#onlyLive[a]! - this.#onlyShadow[a]!;
    this.#lastVerdict = -lead > margin + noise ? -1 : lead > margin + noise ? 1 : 0;
    if (this.#lastVerdict < 0) this.#trailing++;
    else this.#trailing = 0;
    this.#lastPlainVerdict = this.#plainVerdict(n);
    this.#windows++;
    this.#lastLive = live;
    this.#lastShadow = shadow;
    this.#n = 0;
    this.#liveHits = 0;
    this.#shadowHits.fill(0);
  }

  /**
   * The paired verdict against the plain replay on the decayed counts, this window's added;
   * the window's counts reset.
   */
  #plainVerdict(n: number): number {
    if (this.#plain < 0) return 0;
    this.#plainOnly = this.#plainOnly * PLAIN_DECAY + this.#windowOnlyPlain;
    this.#plainLive = this.#plainLive * PLAIN_DECAY + this.#windowOnlyLiveVsPlain;
    this.#plainN = this.#plainN * PLAIN_DECAY + n;
    this.#windowOnlyPlain = 0;
    this.#windowOnlyLiveVsPlain = 0;
    const margin = (this.#options.plainMargin ?? 0.01) * this.#plainN;
    const bar = margin + 2 * Math.sqrt(this.#plainOnly + this.#plainLive);
    const lead = this.#plainLive - this.#plainOnly;
    return -lead > bar ? -1 : lead > bar ? 1 : 0;
  }

  /**
   * The verdicts against the plain replay start afresh (the live cache changed: it went plain,
   * or learns again).
   */
  resetPlainVerdict(): void {
    this.#windowOnlyPlain = 0;
    this.#windowOnlyLiveVsPlain = 0;
    this.#plainOnly = 0;
    this.#plainLive = 0;
    this.#plainN = 0;
    this.#lastPlainVerdict = 0;
  }
}
