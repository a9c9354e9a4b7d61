import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { GhostLists } from './ghost-lists.ts';
import { growUint8For } from './grow-uint8.ts';
import { LinkedSlots } from './linked-slots.ts';
import { growFloat64, grownSize } from './typed-arrays.ts';

/** The small FIFO S: where new keys start (probation). */
const SMALL = 0;
/** The main FIFO M: keys that proved themselves, evicted CLOCK-style. */
const MAIN = 1;
const NONE = -1;
/** G is the only ghost list. */
const G = 0;

/** S's share of the capacity: 10% (Yang et al., SOSP'23 §4.1; libCacheSim `small-size-ratio`). */
const SMALL_RATIO = 0.1;
/** G remembers key ids worth this share of the capacity (libCacheSim `ghost-size-ratio`). */
const GHOST_RATIO = 0.9;
/**
 * An entry leaves S for M when hit at least this many times while in S. The paper's text moves an
 * entry hit once; libCacheSim's default, which its reference label `S3FIFO-0.1000-2` records and
 * the reference numbers use, is 2 (`move-to-main-threshold=2`: freq >= 2 moves to main).
 */
const MOVE_TO_MAIN_THRESHOLD = 2;
/** The access counter saturates here (two bits, §4.1). */
const MAX_FREQ = 3;
/** How many entries `candidates` may pass over per candidate it writes, so it stays O(max). */
const SCAN_PER_CANDIDATE = 8;

/**
 * S3-FIFO (Yang et al., SOSP'23, Algorithm 1), following libCacheSim's S3FIFO.c:
 * - a miss goes to S, unless its key id is in G, in which case it goes straight to M;
 * - a hit only increments the entry's counter (capped at 3), never reorders;
 * - to evict: if M is over its share (90%) or S is empty, M's oldest entry is evicted when its
 *   counter is 0, else it is re-inserted at M's newest end with the counter decremented (CLOCK
 *   with a 2-bit counter); otherwise S's oldest entry moves to M when its counter reached the
 *   threshold, else it is evicted and its key id joins G, whose oldest ghosts go once G holds
 *   more than 90% of the capacity.
 * The shares steer eviction rather than cap the queues: S grows past 10% while M is under its
 * share, and M past 90% until its next eviction. This reproduces the libCacheSim build behind
 * the reference numbers (commit aa0fc40) exactly. Later libCacheSim versions send misses to M
 * while S is full before the first eviction, a warm-up tweak that is in neither the paper nor
 * the reference numbers.
 * Every operation is O(1) amortised: each re-insertion in M decrements a counter that a hit set.
 *
 * libCacheSim does not admit an entry larger than S at all (it would flush S). This contract
 * lets a policy refuse nothing, so such an entry is placed at S's oldest end instead: it is the
 * next entry S evicts unless it is hit twice first.
 */
export function createS3FifoPolicy(options: PolicyOptions): EvictionPolicy {
  if (!(options.capacity >= 0 && Number.isFinite(options.capacity))) {
    throw new RangeError(`S3-FIFO capacity must be a number >= 0, got ${options.capacity}`);
  }
  return new S3FifoPolicy(options.capacity);
}

class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo';
  #smallCapacity = 0;
  #mainCapacity = 0;
  #ghostCapacity = 0;
  #lists = new LinkedSlots(2);
  #size = new Float64Array(1024);
  #key = new Float64Array(1024);
  #freq = new Uint8Array(1024);
  #smallUsed = 0;
  #mainUsed = 0;
  #ghost = new GhostLists(1);
  /** The key id of the current miss when it was found in G (so it goes to M), else NaN. */
  #ghostHitKey = Number.NaN;

  constructor(capacity: number) {
    this.resize(capacity);
  }

  /**
   * The queues' shares follow the capacity; entries stay where they are, and the next evictions
   * bring S and M back to their shares (G trims itself at its next insertion).
   */
  resize(capacity: number): void {
    // libCacheSim truncates each share to an integer; S keeps at least one unit so that a tiny
    // cache still has a probation queue.
    this.#smallCapacity = Math.max(1, Math.floor(capacity * SMALL_RATIO));
    this.#mainCapacity = capacity - this.#smallCapacity;
    this.#ghostCapacity = Math.floor(capacity * GHOST_RATIO);
  }

  onMiss(keyId: number): void {
    this.#ghostHitKey = this.#ghost.remove(keyId) === G ? keyId : Number.NaN;
  }

  onInsert(slot: number, keyId: number, size: number): void {
    this.onRemove(slot);
    if (slot >= this.#size.length) this.#grow(slot);
    this.#size[slot] = size;
    this.#key[slot] = keyId;
    this.#freq[slot] = 0;
    const lists = this.#lists;
    if (keyId === this.#ghostHitKey) {
      this.#pushMain(slot, size);
    } else if (size > this.#smallCapacity) {
      lists.pushFront(SMALL, slot);
      this.#smallUsed += size;
    } else {
      lists.pushBack(SMALL, slot);
      this.#smallUsed += size;
    }
    this.#ghostHitKey = Number.NaN;
  }

  onAccess(slot: number): void {
    if (this.#lists.ownerOf(slot) === NONE) return;
    const freq = this.#freq[slot] as number;
    if (freq < MAX_FREQ) this.#freq[slot] = freq + 1;
  }

  onUpdate(slot: number, size: number): void {
    const list = this.#lists.ownerOf(slot);
    if (list === NONE) return;
    const delta = size - (this.#size[slot] as number);
    this.#size[slot] = size;
    if (list === SMALL) this.#smallUsed += delta;
    else this.#mainUsed += delta;
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    const list = this.#lists.remove(slot);
    if (list === SMALL) this.#smallUsed -= this.#size[slot] as number;
    else if (list === MAIN) this.#mainUsed -= this.#size[slot] as number;
    this.#settle();
  }

  evict(): number {
    let victim: number;
    if (this.#mainEvictsNext()) {
      victim = this.#evictMain();
    } else {
      // S may promote all its entries without evicting any; then M must give one up.
      victim = this.#evictSmall();
      if (victim === NONE) victim = this.#evictMain();
    }
    this.#settle();
    return victim;
  }

  /**
   * The entries the next evictions would take, in order: from the queue evict() serves first,
   * the entries it would evict rather than move (S: counter below the threshold; M: counter 0),
   * then the same from the other queue, then whatever else fits.
   */
  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    const first = this.#mainEvictsNext() ? MAIN : SMALL;
    const second = first === MAIN ? SMALL : MAIN;
    let written = this.#copy(first, true, out, 0, limit);
    written = this.#copy(second, true, out, written, limit);
    written = this.#copy(first, false, out, written, limit);
    written = this.#copy(second, false, out, written, limit);
    return written;
  }

  /** Forgets the resident entries; G is history and stays. */
  clear(): void {
    this.#lists.clear();
    this.#size = new Float64Array(1024);
    this.#key = new Float64Array(1024);
    this.#freq = new Uint8Array(1024);
    this.#smallUsed = 0;
    this.#mainUsed = 0;
    this.#ghostHitKey = Number.NaN;
  }

  #mainEvictsNext(): boolean {
    return this.#mainUsed > this.#mainCapacity || this.#lists.isEmpty(SMALL);
  }

  #evictSmall(): number {
    const lists = this.#lists;
    for (let slot = lists.first(SMALL); slot !== NONE; slot = lists.first(SMALL)) {
      const size = this.#size[slot] as number;
      lists.remove(slot);
      this.#smallUsed -= size;
      if ((this.#freq[slot] as number) >= MOVE_TO_MAIN_THRESHOLD) {
        // libCacheSim inserts the promoted entry into M as a new object, counter 0.
        this.#freq[slot] = 0;
        this.#pushMain(slot, size);
      } else {
        this.#remember(this.#key[slot] as number, size);
        return slot;
      }
    }
    return NONE;
  }

  #evictMain(): number {
    const lists = this.#lists;
    for (let slot = lists.first(MAIN); slot !== NONE; slot = lists.first(MAIN)) {
      const freq = this.#freq[slot] as number;
      if (freq >= 1) {
        this.#freq[slot] = freq - 1;
        lists.moveToBack(slot);
      } else {
        lists.remove(slot);
        this.#mainUsed -= this.#size[slot] as number;
        return slot;
      }
    }
    return NONE;
  }

  /** Adds an evicted key id to G the way libCacheSim's ghost FIFO admits it. */
  #remember(keyId: number, size: number): void {
    const ghost = this.#ghost;
    if (size > this.#ghostCapacity) return;
    while (ghost.used(G) + size > this.#ghostCapacity && ghost.dropOldest(G));
    ghost.pushNewest(G, keyId, size);
  }

  #pushMain(slot: number, size: number): void {
    this.#lists.pushBack(MAIN, slot);
    this.#mainUsed += size;
  }

  /** Exact zeros for empty queues, so float rounding of byte sizes cannot build up. */
  #settle(): void {
    if (this.#lists.isEmpty(SMALL)) this.#smallUsed = 0;
    if (this.#lists.isEmpty(MAIN)) this.#mainUsed = 0;
  }

  #copy(
    list: number,
    victimsOnly: boolean,
    out: Int32Array | number[],
    from: number,
    limit: number,
  ): number {
    const threshold = list === SMALL ? MOVE_TO_MAIN_THRESHOLD : 1;
    let written = from;
    let budget = (limit - from) * SCAN_PER_CANDIDATE;
    for (let slot = this.#lists.first(list); slot !== NONE && written < limit;) {
      const victim = (this.#freq[slot] as number) < threshold;
      if (victim === victimsOnly) out[written++] = slot;
      if (--budget <= 0) break;
      slot = this.#lists.next(slot);
    }
    return written;
  }

  #grow(slot: number): void {
    const size = grownSize(this.#size.length, slot);
    this.#size = growFloat64(this.#size, size);
    this.#key = growFloat64(this.#key, size);
    this.#freq = growUint8For(this.#freq, slot);
  }
}
