/**
 * A metadata-only cache of one policy over a hashed sample of the keys: replays requests and
 * says whether each hit. The learned policy's shadow (shadow-baseline.ts) and its base selector
 * (base-selector.ts) run their base policies on it, SHARDS-style: keys whose hash falls in
 * `percent` of the space, at `percent` of the capacity.
 */
import type { EvictionPolicy } from './eviction-policy.ts';
import { hashKeyId } from './key-hash.ts';
import { KeyTable } from './key-table.ts';

/**
 * The sampling rate, in percent, that leaves a sampled cache holding about `minEntries` of a
 * live cache's `residents` entries: small caches are sampled whole, large ones at `minPercent`.
 */
export function samplingPercent(residents: number, minEntries: number, minPercent: number): number {
  const want = Math.ceil((100 * minEntries) / Math.max(1, residents));
  return Math.min(100, Math.max(minPercent, want));
}

/**
 * The live residents from which `samplingPercent` is at its floor, `minPercent`: a sampled
 * cache started by then samples as it would for any larger live cache.
 */
export function floorRateResidents(minEntries: number, minPercent: number): number {
  return Math.ceil((100 * minEntries) / minPercent);
}

/**
 * Sampled requests per comparison window for a live cache of `residents` entries sampled at
 * `percent`: `windowFactor` (default 2) times the sampled cache's entries, at least `minWindow`
 * (default 1000).
 */
export function comparisonWindow(
  residents: number,
  percent: number,
  options: { readonly minWindow?: number; readonly windowFactor?: number },
): number {
  const entries = Math.max(1, Math.round((residents * percent) / 100));
  return Math.max(options.minWindow ?? 1000, (options.windowFactor ?? 2) * entries);
}

/** The sampled cache's capacity for a live cache's `capacity` at `percent` (at least 1). */
export function scaledCapacity(capacity: number, percent: number): number {
  return Math.max(1, Math.floor((capacity * percent) / 100));
}

export class SampledCache {
  readonly #policy: EvictionPolicy;
  #capacity: number;
  /** The slot of each key held (a typed-array table: no boxing, no GC). */
  readonly #slotOf = new KeyTable();
  readonly #keyOf: number[] = [];
  readonly #sizeOf: number[] = [];
  readonly #free: number[] = [];
  #used = 0;

  constructor(policy: EvictionPolicy, capacity: number) {
    this.#policy = policy;
    this.#capacity = capacity;
  }

  /**
   * One request: a hit, or a miss that inserts the key (evicting as the policy says). A key seen
   * again with another size is replaced, and counts as a hit, as the live cache's update does.
   */
  request(keyId: number, size: number): boolean {
    const policy = this.#policy;
    const slot = this.#slotOf.get(keyId);
    if (slot >= 0) {
      if (this.#sizeOf[slot] === size) {
        policy.onAccess(slot);
        return true;
      }
      policy.onRemove(slot);
      this.#drop(slot);
    }
    policy.onMiss(keyId);
    if (size > this.#capacity) return false;
    if (!this.#fit(size)) return false;
    const at = this.#free.pop() ?? this.#keyOf.length;
    this.#keyOf[at] = keyId;
    this.#sizeOf[at] = size;
    this.#slotOf.set(keyId, at);
    this.#used += size;
    policy.onInsert(at, keyId, size);
    return slot >= 0;
  }

  /** A new capacity (the live cache's changed): the policy follows, and evicts down to it. */
  resize(capacity: number): void {
    this.#capacity = capacity;
    this.#policy.resize?.(capacity);
    this.#fit(0);
  }

  /** Evicts until `size` more fits; false if the policy has nothing left to evict. */
  #fit(size: number): boolean {
    while (this.#used + size > this.#capacity) {
      const victim = this.#policy.evict();
      if (victim < 0) return false;
      this.#drop(victim);
    }
    return true;
  }

  #drop(slot: number): void {
    this.#slotOf.delete(this.#keyOf[slot]!);
    this.#used -= this.#sizeOf[slot]!;
    this.#free.push(slot);
  }
}

/** One policy that `SampledReplays` replays. */
export interface Replay {
  /** Builds the policy for its sampled cache's (scaled) capacity. */
  readonly create: (capacity: number) => EvictionPolicy;
  /**
   * What each entry is charged less than the live cache charges it: a plain policy's shadow at
   * the same memory does not pay for a learned policy's per-entry state. @default 0
   */
  readonly chargedLess?: number;
  /**
   * Its own full-size capacity instead of the live cache's: a plain policy's shadow at the same
   * memory also has what the learned policy reserves apart from its entries. @default none
   */
  readonly capacity?: number;
}

export interface SampledReplaysOptions {
  /** The replayed policies, in order. */
  readonly replays: readonly Replay[];
  /** The live cache's capacity, in its unit. */
  readonly capacity: number;
  /** Chooses the key sample (already mixed by the owner, so that owners sample apart). */
  readonly seed: number;
  readonly minEntries: number;
  readonly minPercent: number;
}

/**
 * Sampled caches of one or more policies over one hashed key sample: the part the learned
 * policy's shadow (shadow-baseline.ts) and base selector (base-selector.ts) share. Keys whose
 * hash mod 100 is below `percent` are replayed; the rate is fixed at `warm` for the live
 * residents then, the caches follow the live capacity (`resize`), take the live cache's sampled
 * residents before they start counting (`seed`), and go on FLUSHALL (`stop`). What the replays
 * are compared with is the owner's.
 */
export class SampledReplays {
  readonly #options: SampledReplaysOptions;
  /** Per cache, the full-size capacity it replays at the sampling rate. */
  #liveCapacities: number[];
  #percent = 0;
  #caches: SampledCache[] = [];
  /** Per cache, what its entries are charged less than the live cache's (`chargedLess`). */
  readonly #offsets: readonly number[];

  constructor(options: SampledReplaysOptions) {
    this.#options = options;
    this.#liveCapacities = options.replays.map((r) => r.capacity ?? options.capacity);
    this.#offsets = options.replays.map((r) => r.chargedLess ?? 0);
  }

  /** Whether the sampled requests are replayed (after `warm`). */
  get started(): boolean {
    return this.#caches.length > 0;
  }

  /** The sampling rate in percent (0 before `warm`). */
  get percent(): number {
    return this.#percent;
  }

  /** Starts replaying, at the sampling rate of a live cache holding `residents` entries. */
  warm(residents: number): void {
    if (this.started) return;
    const o = this.#options;
    this.#percent = samplingPercent(residents, o.minEntries, o.minPercent);
    this.#caches = o.replays.map((replay, i) => {
      const capacity = scaledCapacity(this.#liveCapacities[i]!, this.#percent);
      return new SampledCache(replay.create(capacity), capacity);
    });
  }

  /** Forgets every cache and the rate, until warmed again. */
  stop(): void {
    this.#caches = [];
    this.#percent = 0;
  }

  /**
   * The live cache's capacity changed (a number: every cache's; a list: each cache's own, in
   * `replays`' order): every cache follows at the sampling rate.
   */
  resize(capacity: number | readonly number[]): void {
    this.#liveCapacities = this.#liveCapacities.map((_, i) =>
      typeof capacity === 'number' ? capacity : capacity[i]!,
    );
    this.#caches.forEach((cache, i) =>
      cache.resize(scaledCapacity(this.#liveCapacities[i]!, this.#percent)),
    );
  }

  /** Whether requests for `keyId` are replayed. */
  sampled(keyId: number): boolean {
    return this.#percent > 0 && hashKeyId(keyId, this.#options.seed) % 100 < this.#percent;
  }

  /** Puts `keyId` into every cache as `accesses` requests. Call only when `sampled(keyId)`. */
  seed(keyId: number, size: number, accesses: number): void {
    for (let c = 0; c < this.#caches.length; c++) {
      for (let i = 0; i < accesses; i++) this.request(c, keyId, size);
    }
  }

  /**
   * Replays a request through cache `i` (`size` as the live cache charges the entry); whether it
   * hit. Call only when `sampled(keyId)`.
   */
  request(i: number, keyId: number, size: number): boolean {
    const offset = this.#offsets[i]!;
    return this.#caches[i]!.request(keyId, offset === 0 ? size : Math.max(1, size - offset));
  }

  /** How many caches replay (0 before `warm`). */
  get count(): number {
    return this.#caches.length;
  }
}
