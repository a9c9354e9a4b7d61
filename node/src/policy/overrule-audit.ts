import { KeyIndex, keyHash32 } from './feature-key-index.ts';

/**
 * Judges the challenge by its outcomes. The noise rule (`marginForNoise`) sets how far the
 * pool's best must outrank the base's victim from how much two models disagree; it cannot say
 * whether overrules at that lead pay on this workload, and on the 39 cells a lower ceiling
 * helped some cells by tens of thousands of misses and cost others as much.
 *
 * So pairs are audited. At sampled evictions the pool's best B and the base's victim H, with B's
 * lead d = score(B) − score(H) in log units, are held until one of the two keys is requested
 * again. Belady evicts the one requested later, so an overrule at lead d (evict B, keep H) is
 * right when H comes back first and wrong when B does. The outcome is the trace's, not the
 * cache's: every pair with d > 0 is audited whether the policy overruled or not, so the counts
 * cover the leads below the current margin as well as above it. A pair neither key of which
 * returns within its horizon is dropped (both far: Belady is indifferent between them).
 *
 * A resolved pair frees its place at once; a sweep of a few places per audit closes the expired
 * ones. (Freeing places only in the order the pairs were opened, as a ring does, let one pair
 * waiting out its horizon hold back every place after it; freeing them at once made ML+LFU the
 * best online policy on 80 of 156 runs instead of 78, docs/learned-eviction.md.)
 *
 * `margin()` is the lead from which overruling nets the most right minus wrong calls over the
 * pairs audited (bins of `binWidth`, the last one open-ended; counts halve once they reach
 * `window`, so the verdict follows the workload). It uses nothing but requests already seen.
 */
/** Places the expiry sweep looks at per audit. */
const SWEEP = 2;

export interface OverruleAuditOptions {
  /** Pairs awaiting an outcome at most (further ones are not opened). */
  readonly capacity: number;
  /** Width of a lead bin, log units. */
  readonly binWidth: number;
  /** Number of bins; the last holds every lead from (bins − 1) × binWidth up. */
  readonly bins: number;
  /** Resolved pairs counted before the counts halve. */
  readonly window: number;
  /**
   * How many standard errors a margin's net gain must clear: the margin chosen maximises the
   * gain's lower bound, gain − z × √(pairs it admits), not the gain itself, so that a few hundred
   * pairs do not send the margin to 0 on noise.
   */
  readonly confidence: number;
}

export class OverruleAudit {
  readonly #capacity: number;
  readonly #binWidth: number;
  readonly #bins: number;
  readonly #window: number;
  readonly #confidence: number;
  /** Places of pairs: B's key, H's key, lead bin, horizon end, and whether a pair is open there. */
  readonly #best: Float64Array;
  readonly #head: Float64Array;
  readonly #bin: Uint8Array;
  readonly #until: Float64Array;
  readonly #live: Uint8Array;
  /** Places free for a new pair (a stack), and where the expiry sweep goes on. */
  readonly #free: Int32Array;
  #freeCount = 0;
  #cursor = 0;
  /** Key id → place, for both keys of every open pair. */
  readonly #index: KeyIndex;
  /** Per hashed key: open pairs holding it, so most requests skip the map. */
  readonly #filter: Uint16Array;
  readonly #filterMask: number;
  /** Per bin: overrules that would have been right, and wrong (halved every `window`). */
  readonly #right: Float64Array;
  readonly #wrong: Float64Array;
  #weight = 0;
  #resolved = 0;

  constructor(options: OverruleAuditOptions) {
    const capacity = Math.max(1, Math.floor(options.capacity));
    if (!(options.binWidth > 0)) throw new RangeError('binWidth must be positive');
    if (!(Number.isInteger(options.bins) && options.bins >= 1 && options.bins <= 255)) {
      throw new RangeError('bins must be an integer in [1, 255]');
    }
    this.#capacity = capacity;
    this.#binWidth = options.binWidth;
    this.#bins = options.bins;
    this.#window = Math.max(1, options.window);
    this.#confidence = Math.max(0, options.confidence);
    this.#best = new Float64Array(capacity);
    this.#head = new Float64Array(capacity);
    this.#bin = new Uint8Array(capacity);
    this.#until = new Float64Array(capacity);
    this.#live = new Uint8Array(capacity);
    this.#free = new Int32Array(capacity);
    this.#freeAll();
    this.#index = new KeyIndex(2 * capacity);
    const size = pow2AtLeast(2 * capacity);
    this.#filter = new Uint16Array(size);
    this.#filterMask = size - 1;
    this.#right = new Float64Array(options.bins);
    this.#wrong = new Float64Array(options.bins);
  }

  /**
   * Bytes this holds, all allocated up front: the places (26 per pair) and their free list (4),
   * the key index (two keys per pair, kept at most half full: 64 to 128 per pair) and the filter
   * (4 to 8 per pair).
   */
  static bytesFor(capacity: number): number {
    const pairs = Math.max(1, Math.floor(capacity));
    return pairs * 30 + 2 * 8 * pow2AtLeast(4 * pairs) + 2 * pow2AtLeast(2 * pairs);
  }

  /** Pairs resolved since the start (not decayed). */
  get resolved(): number {
    return this.#resolved;
  }

  /** The pairs the counts stand for now (decayed). */
  get weight(): number {
    return this.#weight;
  }

  /** Pairs awaiting an outcome. */
  get open(): number {
    return this.#index.size / 2;
  }

  /**
   * Holds the pair (B = `best`, H = `head`, key ids) seen at time `t` with B's lead `lead`, until
   * one of them is requested or `horizon` requests pass. False when not opened: no lead, a key
   * already audited, or no room.
   */
  audit(best: number, head: number, lead: number, t: number, horizon: number): boolean {
    this.#sweep(t);
    if (!(lead > 0) || best === head || this.#freeCount === 0) return false;
    if (this.#index.get(best) >= 0 || this.#index.get(head) >= 0) return false;
    const at = this.#free[--this.#freeCount]!;
    this.#best[at] = best;
    this.#head[at] = head;
    this.#bin[at] = Math.min(this.#bins - 1, Math.floor(lead / this.#binWidth));
    this.#until[at] = t + horizon;
    this.#live[at] = 1;
    this.#hold(best, at);
    this.#hold(head, at);
    return true;
  }

  /** `keyId` is requested at time `t`: the pair holding it, if any, has its outcome. */
  request(keyId: number, t: number): void {
    if (this.#filter[this.#slotOf(keyId)] === 0) return;
    const at = this.#index.get(keyId);
    if (at < 0) return;
    // The horizon passed: no outcome (as if expired before this request).
    if (t > this.#until[at]!) return;
    const bin = this.#bin[at]!;
    if (keyId === this.#head[at]) this.#right[bin]! += 1;
    else this.#wrong[bin]! += 1;
    this.#close(at);
    this.#resolved++;
    if (++this.#weight >= this.#window) {
      for (let b = 0; b < this.#bins; b++) {
        this.#right[b]! *= 0.5;
        this.#wrong[b]! *= 0.5;
      }
      this.#weight *= 0.5;
    }
  }

  /**
   * The lead from which overruling nets the most right minus wrong calls on the pairs audited
   * (a bin's lower edge), by the lower bound of that net gain (`confidence`); NaN when no lead's
   * bound is above 0 (the pairs do not tell yet). Of equal bounds, the higher lead.
   */
  margin(): number {
    let gain = 0;
    let pairs = 0;
    let bestBound = 0;
    let margin = Number.NaN;
    for (let b = this.#bins - 1; b >= 0; b--) {
      gain += this.#right[b]! - this.#wrong[b]!;
      pairs += this.#right[b]! + this.#wrong[b]!;
      const bound = gain - this.#confidence * Math.sqrt(pairs);
      if (bound > bestBound) {
        bestBound = bound;
        margin = b * this.#binWidth;
      }
    }
    return margin;
  }

  /** Right and wrong calls per bin (decayed): for stats and tests. */
  counts(): { right: number[]; wrong: number[] } {
    return { right: [...this.#right], wrong: [...this.#wrong] };
  }

  /**
   * An audit of `capacity` pairs with this one's settings and counts, and no open pair (those
   * are dropped, as if their horizon had passed): for a cache whose budget changed.
   */
  resized(capacity: number): OverruleAudit {
    const audit = new OverruleAudit({
      capacity,
      binWidth: this.#binWidth,
      bins: this.#bins,
      window: this.#window,
      confidence: this.#confidence,
    });
    audit.#right.set(this.#right);
    audit.#wrong.set(this.#wrong);
    audit.#weight = this.#weight;
    audit.#resolved = this.#resolved;
    return audit;
  }

  /** Pairs it can hold. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Forgets open pairs and counts. */
  clear(): void {
    this.#index.clear();
    this.#filter.fill(0);
    this.#live.fill(0);
    this.#freeAll();
    this.#right.fill(0);
    this.#wrong.fill(0);
    this.#weight = 0;
  }

  /**
   * Closes the pairs whose horizon has passed among the next SWEEP places, so that every place
   * is looked at once per capacity / SWEEP audits. A resolved pair frees its place at once; an
   * expired one waits for the sweep (its outcome no longer counts meanwhile).
   */
  #sweep(t: number): void {
    for (let k = 0; k < SWEEP; k++) {
      const at = this.#cursor;
      this.#cursor = at + 1 === this.#capacity ? 0 : at + 1;
      if (this.#live[at] === 1 && t > this.#until[at]!) this.#close(at);
    }
  }

  #freeAll(): void {
    for (let i = 0; i < this.#capacity; i++) this.#free[i] = this.#capacity - 1 - i;
    this.#freeCount = this.#capacity;
    this.#cursor = 0;
  }

  #hold(keyId: number, at: number): void {
    this.#index.set(keyId, at);
    this.#filter[this.#slotOf(keyId)]!++;
  }

  #close(at: number): void {
    this.#live[at] = 0;
    this.#free[this.#freeCount++] = at;
    this.#release(this.#best[at]!);
    this.#release(this.#head[at]!);
  }

  #release(keyId: number): void {
    this.#index.delete(keyId);
    this.#filter[this.#slotOf(keyId)]!--;
  }

  #slotOf(keyId: number): number {
    return keyHash32(keyId) & this.#filterMask;
  }
}

function pow2AtLeast(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}
