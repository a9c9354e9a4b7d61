/**
 * A small pool of scored eviction candidates, so that inference is amortised over evictions
 * (research note §4.5, after 3L-Cache's heap of predictions). Each eviction scores a few fresh
 * candidates and adds them here; the victim is the pool's highest score. Candidates that lose
 * stay for later evictions, so every victim is the best of many scored candidates while each
 * eviction scores only a few. When the pool is full, a new candidate displaces the lowest score
 * (the entry most worth keeping) if it scores higher.
 *
 * Each entry remembers the slot's version when it was scored. The policy bumps a slot's version
 * whenever the slot is touched (hit, overwrite, removal, reuse), so an entry whose version no
 * longer matches is stale (the key was just read, or left) and is dropped: O(1) invalidation
 * without searching. The pool is tiny (16–32), so a linear scan beats a heap; removal swaps the
 * last entry in, so the order of entries (and which of two equal scores wins) is arbitrary but
 * deterministic.
 */
export class VictimBuffer {
  readonly #slots: Int32Array;
  readonly #versions: Uint32Array;
  readonly #scores: Float64Array;
  /** Where a slot's version is in the `versions` the methods get: `slot * #stride + #at`. */
  readonly #stride: number;
  readonly #at: number;
  #size = 0;
  /** The best valid entry the last `takeAbove` saw (taken or not), and its score; -1: none. */
  #lastBest = -1;
  #lastBestScore = Number.NaN;

  /**
   * `stride` and `at` say where a slot's version sits in the `versions` array every method is
   * given: at `slot * stride + at` (the ML policy keeps it in the slot's feature record, so one
   * array of several words per slot; by default an array of versions alone).
   */
  constructor(capacity: number, stride = 1, at = 0) {
    this.#stride = stride;
    this.#at = at;
    const n = Math.max(1, Math.floor(capacity));
    this.#slots = new Int32Array(n);
    this.#versions = new Uint32Array(n);
    this.#scores = new Float64Array(n);
  }

  get capacity(): number {
    return this.#slots.length;
  }

  /** Entries held (some may be stale). */
  get size(): number {
    return this.#size;
  }

  /** Entries still valid (not touched or removed since they were scored). */
  live(versions: Uint32Array): number {
    let n = 0;
    for (let i = 0; i < this.#size; i++)
      if (this.#versions[i] === this.#of(versions, this.#slots[i]!)) n++;
    return n;
  }

  /** Whether `slot` is held with its current version (a linear scan; for tests and checks). */
  has(slot: number, versions: Uint32Array): boolean {
    for (let i = 0; i < this.#size; i++) {
      if (this.#slots[i] === slot && this.#versions[i] === this.#of(versions, slot)) return true;
    }
    return false;
  }

  /**
   * Adds `slot` (at its current version) with `score`. Returns the slot it displaced, `slot`
   * itself if it scored too low to be kept, or -1 if nothing left the pool.
   */
  add(slot: number, score: number, versions: Uint32Array): number {
    let at = this.#size;
    let displaced = -1;
    if (at === this.#slots.length) {
      at = this.#weakest(versions);
      const held = this.#slots[at]!;
      if (this.#versions[at] === this.#of(versions, held)) {
        if (!(score > this.#scores[at]!)) return slot;
        displaced = held;
      }
    } else {
      this.#size++;
    }
    this.#slots[at] = slot;
    this.#versions[at] = this.#of(versions, slot);
    this.#scores[at] = score;
    return displaced;
  }

  /**
   * `add` for each of `slots[0 … n)` in turn but `except` (the base's victim, scored with them),
   * writing what `add` would have returned into `out[i]`. The versions cannot change between
   * these adds, so the entries one scan finds stale stay stale and the fresh ones fresh: where
   * `add` scans the pool (its versions too) once per candidate when the pool is full, this scans
   * it once per batch, then walks on to the next stale entry or, once none is left, finds the
   * lowest score among the scores alone. The same entries are replaced as by `add`, in the same
   * order (the first stale one, else the first of the lowest scores).
   */
  addBatch(
    slots: Int32Array,
    scores: Float64Array,
    n: number,
    except: number,
    versions: Uint32Array,
    out: Int32Array,
  ): void {
    const capacity = this.#slots.length;
    /** The next stale entry to replace; -1 when none is left, -2 before the scan. */
    let stale = -2;
    let weakest = -1;
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!;
      if (slot === except) continue;
      const score = scores[i]!;
      let at = this.#size;
      let displaced = -1;
      if (at === capacity) {
        if (stale === -2) stale = this.#staleFrom(0, versions);
        if (stale >= 0) {
          at = stale;
          stale = this.#staleFrom(stale + 1, versions);
          weakest = -1;
        } else {
          if (weakest < 0) weakest = this.#lowest();
          at = weakest;
          if (!(score > this.#scores[at]!)) {
            out[i] = slot;
            continue;
          }
          displaced = this.#slots[at]!;
          weakest = -1;
        }
      } else {
        this.#size++;
      }
      this.#slots[at] = slot;
      this.#versions[at] = this.#of(versions, slot);
      this.#scores[at] = score;
      out[i] = displaced;
    }
  }

  /**
   * Removes and returns the valid entry with the highest score if that score exceeds `floor`;
   * otherwise -1 (and the pool keeps it). Stale entries met on the way are dropped.
   */
  takeAbove(floor: number, versions: Uint32Array): number {
    // The arrays in locals, and the best score in a register: this runs on every eviction.
    const slots = this.#slots;
    const held = this.#versions;
    const scores = this.#scores;
    const stride = this.#stride;
    const offset = this.#at;
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < this.#size; i++) {
      if (held[i] !== versions[slots[i]! * stride + offset]) {
        this.#removeAt(i--);
        continue;
      }
      const score = scores[i]!;
      if (best < 0 || score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    this.#lastBest = best < 0 ? -1 : slots[best]!;
    this.#lastBestScore = best < 0 ? Number.NaN : bestScore;
    if (best < 0 || !(bestScore > floor)) return -1;
    const slot = slots[best]!;
    this.#removeAt(best);
    return slot;
  }

  /**
   * The slot of the best valid entry the last `takeAbove` saw, whether it took it or not (-1 when
   * the pool held none), and its score: what the challenge compared with the base's victim.
   */
  get lastBest(): number {
    return this.#lastBest;
  }

  get lastBestScore(): number {
    return this.#lastBestScore;
  }

  /** Removes and returns the valid entry with the highest score, or -1. */
  pop(versions: Uint32Array): number {
    return this.takeAbove(Number.NEGATIVE_INFINITY, versions);
  }

  /** Empties the pool, telling `onDrop` (if given) each slot it held. */
  clear(onDrop?: (slot: number) => void): void {
    if (onDrop !== undefined) for (let i = 0; i < this.#size; i++) onDrop(this.#slots[i]!);
    this.#size = 0;
  }

  /** A stale entry if there is one, else the lowest score (the first of equal ones). */
  #weakest(versions: Uint32Array): number {
    const stale = this.#staleFrom(0, versions);
    return stale >= 0 ? stale : this.#lowest();
  }

  /** The first stale entry at or after `from`, or -1. */
  #staleFrom(from: number, versions: Uint32Array): number {
    const slots = this.#slots;
    const held = this.#versions;
    const stride = this.#stride;
    const offset = this.#at;
    for (let i = from; i < this.#size; i++) {
      if (held[i] !== versions[slots[i]! * stride + offset]) return i;
    }
    return -1;
  }

  /** The lowest score's entry (the first of equal ones), stale or not. */
  #lowest(): number {
    const scores = this.#scores;
    let weakest = 0;
    let lowest = scores[0]!;
    for (let i = 1; i < this.#size; i++) {
      const score = scores[i]!;
      if (score < lowest) {
        weakest = i;
        lowest = score;
      }
    }
    return weakest;
  }

  /** `slot`'s current version in `versions`. */
  #of(versions: Uint32Array, slot: number): number {
    return versions[slot * this.#stride + this.#at]!;
  }

  #removeAt(i: number): void {
    const last = --this.#size;
    this.#slots[i] = this.#slots[last]!;
    this.#versions[i] = this.#versions[last]!;
    this.#scores[i] = this.#scores[last]!;
  }
}
