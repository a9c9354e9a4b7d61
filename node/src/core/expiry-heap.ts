import { growFloat64, growInt32, grownSize } from '../policy/typed-arrays.ts';

const NONE = -1;
const INITIAL = 1024;

/**
 * The store's expiry times: an indexed binary min-heap of (expireAt, slot), one node per slot
 * that has a TTL, in typed arrays.
 *
 * Indexed rather than lazy-deleted: each slot knows its heap position, so changing or clearing a
 * TTL updates the one node in O(log n) instead of leaving a stale node behind. A workload that
 * refreshes TTLs (sessions re-SET with EX every request) would otherwise grow a lazy heap by one
 * node per refresh until the old times come due. Active expiry pops from the top and never scans
 * the keyspace.
 */
export class ExpiryHeap {
  /** Heap order: time and slot of each node. */
  #times = new Float64Array(INITIAL);
  #slots = new Int32Array(INITIAL);
  /** Per slot: its node's index in the heap, or -1. */
  #position = new Int32Array(INITIAL).fill(NONE);
  #size = 0;

  /** Number of slots with an expiry. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the heap's arrays. */
  get bytes(): number {
    return this.#times.byteLength + this.#slots.byteLength + this.#position.byteLength;
  }

  /** The earliest expiry, or Infinity when the heap is empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : (this.#times[0] as number);
  }

  /** The slot with the earliest expiry, or -1. */
  peekSlot(): number {
    return this.#size === 0 ? NONE : (this.#slots[0] as number);
  }

  /** Sets (or moves) the expiry of `slot`. */
  set(slot: number, time: number): void {
    if (slot >= this.#position.length) {
      this.#position = growInt32(this.#position, grownSize(this.#position.length, slot), NONE);
    }
    const at = this.#position[slot] as number;
    if (at === NONE) {
      if (this.#size === this.#times.length) {
        const size = grownSize(this.#times.length, this.#size);
        this.#times = growFloat64(this.#times, size);
        this.#slots = growInt32(this.#slots, size);
      }
      this.#place(this.#size++, time, slot);
      this.#siftUp(this.#size - 1);
    } else {
      const old = this.#times[at] as number;
      this.#times[at] = time;
      if (time < old) this.#siftUp(at);
      else this.#siftDown(at);
    }
  }

  /** Forgets the expiry of `slot`, if any. */
  delete(slot: number): void {
    if (slot >= this.#position.length) return;
    const at = this.#position[slot] as number;
    if (at === NONE) return;
    this.#position[slot] = NONE;
    const last = --this.#size;
    if (last * 4 <= this.#times.length && this.#times.length > INITIAL) this.#shrinkNodes();
    if (at === last) return;
    const time = this.#times[last] as number;
    const moved = this.#slots[last] as number;
    const old = this.#times[at] as number;
    this.#place(at, time, moved);
    if (time < old) this.#siftUp(at);
    else this.#siftDown(at);
  }

  /**
   * Gives back the per-slot positions of slots at or above `slots` (the store's slot range
   * shrank; those slots hold no entry, so they have no node).
   */
  fitSlots(slots: number): void {
    const length = Math.max(INITIAL, slots);
    if (length < this.#position.length) this.#position = this.#position.slice(0, length);
  }

  /** Forgets everything and gives the grown arrays back. */
  clear(): void {
    this.#times = new Float64Array(INITIAL);
    this.#slots = new Int32Array(INITIAL);
    this.#position = new Int32Array(INITIAL).fill(NONE);
    this.#size = 0;
  }

  /** Halves the node arrays once they are at most a quarter full (growth doubles them). */
  #shrinkNodes(): void {
    const length = this.#times.length >>> 1;
    this.#times = this.#times.slice(0, length);
    this.#slots = this.#slots.slice(0, length);
  }

  #place(at: number, time: number, slot: number): void {
    this.#times[at] = time;
    this.#slots[at] = slot;
    this.#position[slot] = at;
  }

  #siftUp(start: number): void {
    const times = this.#times;
    const time = times[start] as number;
    const slot = this.#slots[start] as number;
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((times[parent] as number) <= time) break;
      this.#place(at, times[parent] as number, this.#slots[parent] as number);
      at = parent;
    }
    this.#place(at, time, slot);
  }

  #siftDown(start: number): void {
    const times = this.#times;
    const size = this.#size;
    const time = times[start] as number;
    const slot = this.#slots[start] as number;
    let at = start;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && (times[child + 1] as number) < (times[child] as number)) child++;
      if ((times[child] as number) >= time) break;
      this.#place(at, times[child] as number, this.#slots[child] as number);
      at = child;
    }
    this.#place(at, time, slot);
  }
}
