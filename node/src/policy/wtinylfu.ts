import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { CountMinSketch } from './count-min-sketch.ts';
import { LinkedSlots } from './linked-slots.ts';
import { growFloat64, grownSize } from './typed-arrays.ts';
import { createRandom, type Random } from '../util/random.ts';

/** The admission window: an LRU that every new entry enters. */
const WINDOW = 0;
/** Main space, segment 1: entries admitted from the window, LRU first. */
const PROBATION = 1;
/** Main space, segment 2: entries hit while in probation, LRU first. */
const PROTECTED = 2;
const NONE = -1;

/** The window's initial share (Caffeine's 1%; libCacheSim's `WTinyLFU-w0.01`). */
const WINDOW_SHARE = 0.01;
/** Protected's share of the main space (SLRU 20% probation / 80% protected, TinyLFU §4). */
const PROTECTED_SHARE = 0.8;
/**
 * A candidate this popular that loses to its victim is still let in once in 128 (Caffeine's
 * ADMIT_HASHDOS_THRESHOLD): an attacker who floods the victim's counters cannot pin it.
 */
const ADMIT_HASHDOS_THRESHOLD = 6;
/** Caffeine's hill climber: step = 6.25% of capacity, restarted on a 5% hit-rate change. */
const STEP_SHARE = 0.0625;
const RESTART_THRESHOLD = 0.05;
/** ... and otherwise decayed by 2% per sample, so the window settles. */
const STEP_DECAY = 0.98;
/** Entries moved between the window and the main space per adjustment at most (Caffeine). */
const QUEUE_TRANSFER_THRESHOLD = 1000;
/** The sketch starts sized for this many entries (or the capacity if smaller) and grows. */
const INITIAL_SKETCH_ENTRIES = 1024;

/** W-TinyLFU's knobs beyond the common ones. */
export interface WTinyLfuOptions extends PolicyOptions {
  /**
   * Adapt the window's share by hill climbing on the hit rate (Caffeine). When false, the window
   * stays at 1% (floor, at least 1 unit), as libCacheSim's `WTinyLFU-w0.01-SLRU`. @default true
   */
  readonly adaptive?: boolean;
}

/**
 * W-TinyLFU with Caffeine's adaptive window (`wtinylfu`): Einziger, Friedman & Manes, "TinyLFU:
 * A Highly Efficient Cache Admission Policy" (ACM ToS 2017), and Einziger et al., "Adaptive
 * Software Cache Management" (Middleware 2018) for the hill climber.
 */
export function createWTinyLfuPolicy(options: WTinyLfuOptions): WTinyLfu {
  return build(options, options.adaptive ?? true);
}

/** W-TinyLFU with the window fixed at 1% (`wtinylfu-fixed`), libCacheSim's configuration. */
export function createWTinyLfuFixedPolicy(options: PolicyOptions): WTinyLfu {
  return build(options, false);
}

/** A W-TinyLFU policy, which also shows its current window share (for tests and metrics). */
export interface WTinyLfu extends EvictionPolicy {
  /** The window's current maximum, in the cache's unit. */
  readonly windowMaximum: number;
}

function build(options: PolicyOptions, adaptive: boolean): WTinyLfu {
  const capacity = options.capacity;
  if (!(capacity >= 0 && Number.isFinite(capacity))) {
    throw new RangeError(`W-TinyLFU capacity must be a number >= 0, got ${capacity}`);
  }
  return new WTinyLfuPolicy(
    capacity,
    initialWindow(capacity, adaptive),
    adaptive,
    options.seed ?? 1,
  );
}

/**
 * Caffeine sizes the window as capacity - floor(99% of capacity); libCacheSim as
 * floor(1% of capacity), which is 0 below 100 units and then admits nothing, so the fixed
 * variant keeps at least 1 unit.
 */
function initialWindow(capacity: number, adaptive: boolean): number {
  return adaptive
    ? capacity - Math.floor(capacity * (1 - WINDOW_SHARE))
    : Math.max(1, Math.floor(capacity * WINDOW_SHARE));
}

/**
 * The structure (TinyLFU §4, Caffeine's BoundedLocalCache): a window LRU in front of a segmented
 * LRU main space (probation, protected), and a TinyLFU sketch of every request's key
 * (`count-min-sketch.ts`); each miss and each hit counts the key once. A hit in probation moves
 * the entry to protected, whose overflow goes back to probation's newest end.
 *
 * Admission: while the main space has room, the window's overflow moves to probation at once
 * (as in Caffeine while the cache fills). Once it is full, the cache must evict before it
 * inserts, so the overflow waits in the window until the next eviction: then the window's LRU
 * entry (the candidate) duels the main space's victim, probation's LRU entry (or protected's,
 * with probation empty). The sketch's less frequent one is evicted, ties going against the
 * candidate; a winning candidate moves to probation's newest end. That is Caffeine's duel one
 * miss later, which is when libCacheSim holds it too. If the window holds more than its share at
 * an eviction (a byte budget, or after the window shrank), its overflow first moves to probation
 * and duels from the oldest, as Caffeine's evictFromMain walks its candidates.
 *
 * Adaptive window (Caffeine's hill climber): once the cache is full, every sample of
 * 10 x entries requests compares the hit rate with the previous sample's; if it did not drop the
 * window keeps moving in the same direction, else it turns. The step starts at 6.25% of the
 * capacity, restarts there after a hit-rate change of 5% or more, and otherwise decays by 2% per
 * sample. Growing the window takes protected's share and moves main's most recent entries into
 * it; shrinking moves the window's oldest entries to probation.
 *
 * All operations are O(1) amortised: a duel is two sketch lookups, and resizing moves at most
 * 1000 entries once per sample of at least 10 x entries requests.
 */
class WTinyLfuPolicy implements WTinyLfu {
  readonly name: string;
  #capacity: number;
  readonly #adaptive: boolean;
  readonly #random: Random;
  #lists = new LinkedSlots(3);
  #size = new Float64Array(1024);
  #key = new Float64Array(1024);
  #windowUsed = 0;
  #probationUsed = 0;
  #protectedUsed = 0;
  #resident = 0;
  #windowMax: number;
  #protectedMax: number;
  #sketch: CountMinSketch;
  /** The oldest entry moved from the window to probation that has not faced its duel yet. */
  #candidate = NONE;

  // Hill climber state.
  #climbing = false;
  #hitsInSample = 0;
  #missesInSample = 0;
  #previousHitRate = 0;
  #stepSize: number;
  #adjustment = 0;

  constructor(capacity: number, windowMax: number, adaptive: boolean, seed: number) {
    this.name = adaptive ? 'wtinylfu' : 'wtinylfu-fixed';
    this.#capacity = capacity;
    this.#adaptive = adaptive;
    this.#random = createRandom(seed);
    this.#windowMax = windowMax;
    this.#protectedMax = Math.floor(PROTECTED_SHARE * (capacity - windowMax));
    this.#sketch = new CountMinSketch(Math.min(capacity, INITIAL_SKETCH_ENTRIES), seed);
    this.#stepSize = -STEP_SHARE * capacity;
  }

  get windowMaximum(): number {
    return this.#windowMax;
  }

  /**
   * A new capacity: the window and protected keep their shares of it (the climber's current
   * share for the adaptive variant), the climber's step scales with it, and protected's
   * overflow moves to probation now. The window's overflow moves at the next evictions, as
   * after the climber shrinks it.
   */
  resize(capacity: number): void {
    const old = this.#capacity;
    this.#capacity = capacity;
    if (!(old > 0)) {
      this.#windowMax = initialWindow(capacity, this.#adaptive);
      this.#protectedMax = Math.floor(PROTECTED_SHARE * (capacity - this.#windowMax));
      this.#stepSize = -STEP_SHARE * capacity;
    } else {
      const ratio = capacity / old;
      const floor = capacity > 0 ? 1 : 0;
      this.#windowMax = Math.min(capacity, Math.max(floor, Math.round(this.#windowMax * ratio)));
      this.#protectedMax = Math.min(
        capacity - this.#windowMax,
        Math.max(0, Math.floor(this.#protectedMax * ratio)),
      );
      this.#stepSize *= ratio;
    }
    this.#adjustment = 0;
    this.#demoteProtected();
  }

  onMiss(keyId: number): void {
    this.#sketch.increment(keyId);
    this.#missesInSample++;
    this.#candidate = NONE;
    if (this.#adaptive) this.#climb();
  }

  onInsert(slot: number, keyId: number, size: number): void {
    this.onRemove(slot);
    if (slot >= this.#size.length) this.#grow(slot);
    this.#size[slot] = size;
    this.#key[slot] = keyId;
    this.#lists.pushBack(WINDOW, slot);
    this.#windowUsed += size;
    this.#candidate = NONE;
    this.#spillWindow();
    if (++this.#resident > this.#sketch.entries) {
      // Size the sketch to the entries really held (a byte budget says nothing of their count).
      const sketch = this.#sketch;
      sketch.ensureCapacity(Math.min(this.#capacity, Math.max(this.#resident, 2 * sketch.entries)));
    }
  }

  onAccess(slot: number): void {
    const lists = this.#lists;
    const list = lists.ownerOf(slot);
    if (list === NONE) return;
    this.#sketch.increment(this.#key[slot] as number);
    this.#hitsInSample++;
    if (list === PROBATION) {
      const size = this.#size[slot] as number;
      this.#probationUsed -= size;
      this.#protectedUsed += size;
      lists.moveToBack(slot, PROTECTED);
      this.#demoteProtected();
    } else {
      lists.moveToBack(slot);
    }
    if (this.#adaptive) this.#climb();
  }

  onUpdate(slot: number, size: number): void {
    const list = this.#lists.ownerOf(slot);
    if (list === NONE) return;
    this.#addUsed(list, size - (this.#size[slot] as number));
    this.#size[slot] = size;
    this.onAccess(slot);
    // A grown protected entry may push protected over its share.
    this.#demoteProtected();
  }

  onRemove(slot: number): void {
    const lists = this.#lists;
    const list = lists.ownerOf(slot);
    if (list === NONE) return;
    if (slot === this.#candidate) this.#candidate = lists.next(slot);
    lists.remove(slot);
    this.#forget(slot, list);
  }

  evict(): number {
    if (this.#resident === 0) return NONE;
    const lists = this.#lists;
    if (lists.ownerOf(this.#candidate) !== PROBATION) this.#candidate = NONE;
    // Caffeine's evictFromWindow: the window's overflow joins probation as candidates.
    while (this.#windowUsed > this.#windowMax && !lists.isEmpty(WINDOW)) {
      const slot = lists.first(WINDOW);
      const size = this.#size[slot] as number;
      lists.moveToBack(slot, PROBATION);
      this.#windowUsed -= size;
      this.#probationUsed += size;
      if (this.#candidate === NONE) this.#candidate = slot;
    }
    this.#climbing = true;
    // Caffeine's evictFromMain, one victim at a time.
    const candidate = this.#candidate !== NONE ? this.#candidate : lists.first(WINDOW);
    const victim = this.#mainVictim();
    let evicted: number;
    if (victim === NONE || victim === candidate) evicted = candidate;
    else if (candidate === NONE) evicted = victim;
    else evicted = this.#admit(candidate, victim) ? victim : candidate;
    // The candidate faced its duel (won and stays in probation, or lost and goes): the next
    // one moved from the window, if any, is pending now.
    if (candidate !== NONE && candidate === this.#candidate) {
      this.#candidate = lists.next(candidate);
    }
    const list = lists.remove(evicted);
    this.#forget(evicted, list);
    return evicted;
  }

  /** The next duel's loser and winner, then probation, the window and protected, oldest first. */
  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    if (limit <= 0) return 0;
    const lists = this.#lists;
    const candidate = lists.first(WINDOW);
    const victim = this.#mainVictim();
    let written = 0;
    let loser = candidate;
    let winner = victim;
    if (
      candidate !== NONE &&
      victim !== NONE &&
      this.#sketch.frequency(this.#key[candidate] as number) >
        this.#sketch.frequency(this.#key[victim] as number)
    ) {
      loser = victim;
      winner = candidate;
    }
    if (loser !== NONE) out[written++] = loser;
    if (winner !== NONE && winner !== loser && written < limit) out[written++] = winner;
    for (const list of [PROBATION, WINDOW, PROTECTED]) {
      for (
        let slot = lists.first(list);
        slot !== NONE && written < limit;
        slot = lists.next(slot)
      ) {
        if (slot !== loser && slot !== winner) out[written++] = slot;
      }
    }
    return written;
  }

  /** Forgets the resident entries; the sketch and the window's learnt share stay. */
  clear(): void {
    this.#lists.clear();
    this.#size = new Float64Array(1024);
    this.#key = new Float64Array(1024);
    this.#windowUsed = 0;
    this.#probationUsed = 0;
    this.#protectedUsed = 0;
    this.#resident = 0;
    this.#candidate = NONE;
  }

  /**
   * Moves the window's overflow into probation while the main space has room for it, as
   * Caffeine's evictFromWindow does while the cache fills. Once the main space is full, the
   * overflow waits in the window for the next eviction, where it must win a duel to move.
   */
  #spillWindow(): void {
    const lists = this.#lists;
    const mainMax = this.#capacity - this.#windowMax;
    while (this.#windowUsed > this.#windowMax) {
      const slot = lists.first(WINDOW);
      const size = this.#size[slot] as number;
      if (this.#probationUsed + this.#protectedUsed + size > mainMax) return;
      lists.moveToBack(slot, PROBATION);
      this.#windowUsed -= size;
      this.#probationUsed += size;
    }
  }

  /** Probation's LRU entry, else protected's, else the window's (Caffeine's victim queues). */
  #mainVictim(): number {
    const lists = this.#lists;
    if (!lists.isEmpty(PROBATION)) return lists.first(PROBATION);
    if (!lists.isEmpty(PROTECTED)) return lists.first(PROTECTED);
    return lists.first(WINDOW);
  }

  /** TinyLFU's admission: the candidate enters only if estimated strictly more frequent. */
  #admit(candidate: number, victim: number): boolean {
    const victimFreq = this.#sketch.frequency(this.#key[victim] as number);
    const candidateFreq = this.#sketch.frequency(this.#key[candidate] as number);
    if (candidateFreq > victimFreq) return true;
    return candidateFreq >= ADMIT_HASHDOS_THRESHOLD && this.#random.int(128) === 0;
  }

  #demoteProtected(): void {
    const lists = this.#lists;
    while (this.#protectedUsed > this.#protectedMax && !lists.isEmpty(PROTECTED)) {
      const slot = lists.first(PROTECTED);
      const size = this.#size[slot] as number;
      lists.moveToBack(slot, PROBATION);
      this.#protectedUsed -= size;
      this.#probationUsed += size;
    }
  }

  /** Caffeine's climb(): adjust the window once per sample, then apply what is left. */
  #climb(): void {
    if (!this.#climbing) {
      this.#hitsInSample = 0;
      this.#missesInSample = 0;
      return;
    }
    const requests = this.#hitsInSample + this.#missesInSample;
    if (requests >= this.#sketch.sampleSize) this.#determineAdjustment(requests);
    if (this.#adjustment > 0) this.#increaseWindow();
    else if (this.#adjustment < 0) this.#decreaseWindow();
  }

  #determineAdjustment(requests: number): void {
    const hitRate = this.#hitsInSample / requests;
    const change = hitRate - this.#previousHitRate;
    const amount = change >= 0 ? this.#stepSize : -this.#stepSize;
    this.#stepSize =
      Math.abs(change) >= RESTART_THRESHOLD
        ? STEP_SHARE * this.#capacity * (amount >= 0 ? 1 : -1)
        : STEP_DECAY * amount;
    this.#previousHitRate = hitRate;
    this.#adjustment = Math.trunc(amount);
    this.#hitsInSample = 0;
    this.#missesInSample = 0;
  }

  /** Grows the window by up to `adjustment`, taken from protected's share (Caffeine). */
  #increaseWindow(): void {
    if (this.#protectedMax <= 0) {
      this.#adjustment = 0;
      return;
    }
    let quota = Math.min(this.#adjustment, this.#protectedMax);
    this.#protectedMax -= quota;
    this.#windowMax += quota;
    this.#demoteProtected();
    const lists = this.#lists;
    for (let moved = 0; moved < QUEUE_TRANSFER_THRESHOLD; moved++) {
      let slot = lists.last(PROBATION);
      let from = PROBATION;
      if (slot === NONE || quota < (this.#size[slot] as number)) {
        slot = lists.last(PROTECTED);
        from = PROTECTED;
      }
      if (slot === NONE) break;
      const size = this.#size[slot] as number;
      if (quota < size) break;
      quota -= size;
      this.#addUsed(from, -size);
      this.#windowUsed += size;
      lists.moveToBack(slot, WINDOW);
    }
    // What could not move stays owed to the next call.
    this.#protectedMax += quota;
    this.#windowMax -= quota;
    this.#adjustment = quota;
  }

  /** Shrinks the window by up to -`adjustment` (keeping 1 unit), giving it to protected. */
  #decreaseWindow(): void {
    if (this.#windowMax <= 1) {
      this.#adjustment = 0;
      return;
    }
    let quota = Math.min(-this.#adjustment, Math.max(0, this.#windowMax - 1));
    this.#protectedMax += quota;
    this.#windowMax -= quota;
    const lists = this.#lists;
    for (let moved = 0; moved < QUEUE_TRANSFER_THRESHOLD; moved++) {
      const slot = lists.first(WINDOW);
      if (slot === NONE) break;
      const size = this.#size[slot] as number;
      if (quota < size) break;
      quota -= size;
      this.#windowUsed -= size;
      this.#probationUsed += size;
      lists.moveToBack(slot, PROBATION);
    }
    this.#protectedMax -= quota;
    this.#windowMax += quota;
    this.#adjustment = -quota;
  }

  #addUsed(list: number, delta: number): void {
    if (list === WINDOW) this.#windowUsed += delta;
    else if (list === PROBATION) this.#probationUsed += delta;
    else this.#protectedUsed += delta;
  }

  #forget(slot: number, list: number): void {
    this.#addUsed(list, -(this.#size[slot] as number));
    this.#resident--;
    // Exact zeros for empty queues, so float rounding of byte sizes cannot build up.
    if (this.#lists.isEmpty(WINDOW)) this.#windowUsed = 0;
    if (this.#lists.isEmpty(PROBATION)) this.#probationUsed = 0;
    if (this.#lists.isEmpty(PROTECTED)) this.#protectedUsed = 0;
  }

  #grow(slot: number): void {
    const size = grownSize(this.#size.length, slot);
    this.#size = growFloat64(this.#size, size);
    this.#key = growFloat64(this.#key, size);
  }
}
