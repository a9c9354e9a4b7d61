import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { LinkedSlots } from './linked-slots.ts';
import { GrowableBuffer } from './growable-buffer.ts';
import { growFloat64, growInt32, grownSize } from './typed-arrays.ts';

/** LFU's knobs beyond the common ones; the defaults suit a node, tests shrink them. */
export interface LfuOptions extends PolicyOptions {
  /**
   * Counts are halved after `agingFactor` x (resident entries) frequency increments, as
   * Caffeine's TinyLFU resets its sketch after 10 x maximumSize samples.
   * @default 10
   */
  readonly agingFactor?: number;
  /** The aging period never drops below this many increments, so tiny caches do not churn. @default 1024 */
  readonly minAgingPeriod?: number;
}

const NONE = -1;
const DEFAULT_AGING_FACTOR = 10;
const DEFAULT_MIN_AGING_PERIOD = 1024;

/**
 * Least frequently used with aging.
 *
 * Structure (the "O(1) LFU" of Shah, Mitra and Matani): a list of frequency buckets in ascending
 * frequency, each bucket an LRU-ordered list of the slots with that frequency. A hit moves a slot
 * from bucket f to bucket f+1, which is the next bucket or a new one right after it; the victim
 * is the oldest slot of the first bucket. So the order is: lowest frequency first, and within a
 * frequency, least recently used (by the time of its last insert, hit or update) first.
 *
 * Aging: plain LFU keeps keys that were popular long ago forever. Like TinyLFU's reset, after W
 * frequency increments (inserts, hits, updates) every resident count is halved, rounding down but
 * never below 1, so buckets 2k and 2k+1 merge into k (and 1, 2, 3 into 1).
 * W = max(minAgingPeriod, agingFactor x resident entries), checked when each increment happens.
 *
 * Why that is O(1) amortised: halving walks the b <= n buckets and merges each with at most two
 * neighbours; merging two recency-sorted lists is linear in their lengths, so a halving costs
 * O(n) for the n entries resident at that moment. It only runs once W >= agingFactor x n
 * increments happened since the previous one, each of them O(1), so charging the halving to
 * those increments costs each one O(1 / agingFactor) extra.
 *
 * Merging keeps "LRU within a frequency" exact: every slot carries the stamp of its last touch,
 * each bucket is sorted by stamp (a slot always joins a bucket at the newest end with a fresh
 * stamp), and merging two sorted buckets by stamp keeps the result sorted.
 */
export function createLfuPolicy(options: LfuOptions): EvictionPolicy {
  const agingFactor = options.agingFactor ?? DEFAULT_AGING_FACTOR;
  const minAgingPeriod = options.minAgingPeriod ?? DEFAULT_MIN_AGING_PERIOD;
  if (!(agingFactor >= 1)) throw new RangeError(`LFU agingFactor must be >= 1, got ${agingFactor}`);
  if (!(minAgingPeriod >= 1)) {
    throw new RangeError(`LFU minAgingPeriod must be >= 1, got ${minAgingPeriod}`);
  }
  return new LfuPolicy(agingFactor, minAgingPeriod);
}

class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu';
  readonly #agingFactor: number;
  readonly #minAgingPeriod: number;

  /** Slots by bucket: list id = bucket id. */
  #lists = new LinkedSlots();
  /**
   * Per slot: the logical time of its last touch, for LRU order within a bucket. A view of
   * `#stamps`, which grows without a pause once large.
   */
  #stamps = new GrowableBuffer(1024 * 8);
  #stamp = new Float64Array(this.#stamps.buffer);
  #clock = 0;

  /** Per bucket: its frequency and its neighbours in ascending frequency. */
  #freq = new Float64Array(16);
  #prevBucket = new Int32Array(16).fill(NONE);
  #nextBucket = new Int32Array(16).fill(NONE);
  /** The lowest-frequency bucket, or -1 when nothing is resident. */
  #lowest = NONE;
  /** Free bucket ids (a stack) and the next never-used id. */
  #freeBuckets = new Int32Array(16);
  #freeCount = 0;
  #bucketsUsed = 0;

  #resident = 0;
  #incrementsSinceAging = 0;

  constructor(agingFactor: number, minAgingPeriod: number) {
    this.#agingFactor = agingFactor;
    this.#minAgingPeriod = minAgingPeriod;
  }

  onMiss(_keyId: number): void {}

  onInsert(slot: number, _keyId: number, _size: number): void {
    if (this.#lists.ownerOf(slot) !== NONE) this.onRemove(slot);
    let bucket = this.#lowest;
    if (bucket === NONE || this.#freq[bucket] !== 1) {
      bucket = this.#newBucket(1, NONE, this.#lowest);
    }
    this.#touch(slot);
    this.#lists.pushBack(bucket, slot);
    this.#resident++;
    this.#countIncrement();
  }

  onAccess(slot: number): void {
    const bucket = this.#lists.ownerOf(slot);
    if (bucket === NONE) return;
    const freq = this.#freq[bucket] as number;
    const next = this.#nextBucket[bucket] as number;
    this.#touch(slot);
    this.#lists.remove(slot);
    if (next !== NONE && this.#freq[next] === freq + 1) {
      this.#lists.pushBack(next, slot);
      this.#dropIfEmpty(bucket);
    } else if (this.#lists.isEmpty(bucket)) {
      // The slot was alone at this frequency: bump the bucket itself instead of re-linking.
      this.#freq[bucket] = freq + 1;
      this.#lists.pushBack(bucket, slot);
    } else {
      this.#lists.pushBack(this.#newBucket(freq + 1, bucket, next), slot);
    }
    this.#countIncrement();
  }

  onUpdate(slot: number, _size: number): void {
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    const bucket = this.#lists.remove(slot);
    if (bucket === NONE) return;
    this.#resident--;
    this.#dropIfEmpty(bucket);
  }

  evict(): number {
    const bucket = this.#lowest;
    if (bucket === NONE) return NONE;
    const victim = this.#lists.first(bucket);
    this.#lists.remove(victim);
    this.#resident--;
    this.#dropIfEmpty(bucket);
    return victim;
  }

  frequencyOf(slot: number): number {
    const bucket = this.#lists.ownerOf(slot);
    return bucket === NONE ? -1 : (this.#freq[bucket] as number);
  }

  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    let written = 0;
    for (let bucket = this.#lowest; bucket !== NONE && written < limit;) {
      for (let slot = this.#lists.first(bucket); slot !== NONE && written < limit;) {
        out[written++] = slot;
        slot = this.#lists.next(slot);
      }
      bucket = this.#nextBucket[bucket] as number;
    }
    return written;
  }

  clear(): void {
    this.#lists.clear();
    this.#stamps = new GrowableBuffer(1024 * 8);
    this.#stamp = new Float64Array(this.#stamps.buffer);
    this.#freq = new Float64Array(16);
    this.#prevBucket = new Int32Array(16).fill(NONE);
    this.#nextBucket = new Int32Array(16).fill(NONE);
    this.#freeBuckets = new Int32Array(16);
    this.#freeCount = 0;
    this.#bucketsUsed = 0;
    this.#lowest = NONE;
    this.#resident = 0;
    this.#incrementsSinceAging = 0;
  }

  #touch(slot: number): void {
    if (slot >= this.#stamp.length) {
      this.#stamps.ensure((slot + 1) * 8);
      this.#stamp = new Float64Array(this.#stamps.buffer);
    }
    this.#stamp[slot] = ++this.#clock;
  }

  #countIncrement(): void {
    const count = ++this.#incrementsSinceAging;
    if (count >= this.#minAgingPeriod && count >= this.#agingFactor * this.#resident) this.#age();
  }

  /** Halves every count; adjacent buckets that land on the same frequency merge. O(n). */
  #age(): void {
    this.#incrementsSinceAging = 0;
    let kept = NONE;
    for (let bucket = this.#lowest; bucket !== NONE;) {
      const next = this.#nextBucket[bucket] as number;
      const halved = Math.max(1, Math.floor((this.#freq[bucket] as number) / 2));
      if (kept !== NONE && this.#freq[kept] === halved) {
        this.#mergeInto(kept, bucket);
        this.#unlinkBucket(bucket);
      } else {
        this.#freq[bucket] = halved;
        kept = bucket;
      }
      bucket = next;
    }
  }

  /** Moves every slot of `from` into `into`, keeping `into` sorted by stamp. Both are sorted. */
  #mergeInto(into: number, from: number): void {
    const lists = this.#lists;
    const stamp = this.#stamp;
    let cursor = lists.first(into);
    for (let slot = lists.first(from); slot !== NONE; slot = lists.first(from)) {
      const slotStamp = stamp[slot] as number;
      while (cursor !== NONE && (stamp[cursor] as number) < slotStamp) cursor = lists.next(cursor);
      lists.remove(slot);
      if (cursor === NONE) lists.pushBack(into, slot);
      else lists.insertBefore(into, slot, cursor);
    }
  }

  /** Creates a bucket with frequency `freq` between `prev` and `next` (either may be -1). */
  #newBucket(freq: number, prev: number, next: number): number {
    let bucket: number;
    if (this.#freeCount > 0) {
      bucket = this.#freeBuckets[--this.#freeCount] as number;
    } else {
      bucket = this.#bucketsUsed++;
      if (bucket >= this.#freq.length) this.#growBuckets(bucket);
    }
    this.#freq[bucket] = freq;
    this.#prevBucket[bucket] = prev;
    this.#nextBucket[bucket] = next;
    if (prev === NONE) this.#lowest = bucket;
    else this.#nextBucket[prev] = bucket;
    if (next !== NONE) this.#prevBucket[next] = bucket;
    return bucket;
  }

  #dropIfEmpty(bucket: number): void {
    if (this.#lists.isEmpty(bucket)) this.#unlinkBucket(bucket);
  }

  #unlinkBucket(bucket: number): void {
    const prev = this.#prevBucket[bucket] as number;
    const next = this.#nextBucket[bucket] as number;
    if (prev === NONE) this.#lowest = next;
    else this.#nextBucket[prev] = next;
    if (next !== NONE) this.#prevBucket[next] = prev;
    if (this.#freeCount >= this.#freeBuckets.length) {
      this.#freeBuckets = growInt32(this.#freeBuckets, this.#freeBuckets.length * 2);
    }
    this.#freeBuckets[this.#freeCount++] = bucket;
  }

  #growBuckets(bucket: number): void {
    const size = grownSize(this.#freq.length, bucket);
    this.#freq = growFloat64(this.#freq, size);
    this.#prevBucket = growInt32(this.#prevBucket, size, NONE);
    this.#nextBucket = growInt32(this.#nextBucket, size, NONE);
  }
}
