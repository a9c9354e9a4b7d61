/**
 * Intrusive doubly linked lists over cache slots, kept in typed arrays, usable from both ends.
 *
 * Each slot belongs to at most one list at a time. Lists are numbered densely by the user (LRU
 * and FIFO use list 0 only, ARC and S3-FIFO two, LFU one list per frequency bucket); a list
 * numbered past the initial count is made on its first insert. Both ends can be read and written
 * (`last`, `prev`, `pushFront`), which W-TinyLFU's window resizing needs (Caffeine moves
 * probation's most recent entries into the window). The slot and list arrays grow by doubling,
 * so a policy never allocates per entry: an insert, move or removal is a few typed-array writes.
 */

import { growInt32, grownSize } from './typed-arrays.ts';

const NONE = -1;
const INITIAL_SLOTS = 1024;
const INITIAL_LISTS = 16;

export class LinkedSlots {
  /** How many lists the arrays hold after construction and `clear`. */
  readonly #initialLists: number;
  /** Towards the oldest end. */
  #prev: Int32Array;
  /** Towards the newest end. */
  #next: Int32Array;
  /** The list that holds each slot, or -1 when the slot is in none. */
  #owner: Int32Array;
  #first: Int32Array;
  #last: Int32Array;

  /** `lists` is how many lists to make room for up front; more are added on demand. */
  constructor(lists = INITIAL_LISTS) {
    this.#initialLists = lists;
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owner = new Int32Array(INITIAL_SLOTS).fill(NONE);
    this.#first = new Int32Array(lists).fill(NONE);
    this.#last = new Int32Array(lists).fill(NONE);
  }

  /** The list holding `slot`, or -1 if it is in none (never inserted, or removed). */
  ownerOf(slot: number): number {
    return slot >= 0 && slot < this.#owner.length ? (this.#owner[slot] as number) : NONE;
  }

  /** The oldest slot of `list`, or -1 when it is empty. */
  first(list: number): number {
    return list < this.#first.length ? (this.#first[list] as number) : NONE;
  }

  /** The newest slot of `list`, or -1 when it is empty. */
  last(list: number): number {
    return list < this.#last.length ? (this.#last[list] as number) : NONE;
  }

  /** The next newer slot in the same list, or -1 at the newest end. */
  next(slot: number): number {
    return this.#next[slot] as number;
  }

  /** The next older slot in the same list, or -1 at the oldest end. */
  prev(slot: number): number {
    return this.#prev[slot] as number;
  }

  isEmpty(list: number): boolean {
    return this.first(list) === NONE;
  }

  /** Appends `slot`, which must be in no list, at the newest end of `list`. */
  pushBack(list: number, slot: number): void {
    if (slot >= this.#owner.length) this.#growSlots(slot);
    if (list >= this.#first.length) this.#growLists(list);
    const last = this.#last[list] as number;
    this.#prev[slot] = last;
    this.#next[slot] = NONE;
    this.#owner[slot] = list;
    if (last === NONE) this.#first[list] = slot;
    else this.#next[last] = slot;
    this.#last[list] = slot;
  }

  /** Prepends `slot`, which must be in no list, at the oldest end of `list`. */
  pushFront(list: number, slot: number): void {
    if (slot >= this.#owner.length) this.#growSlots(slot);
    if (list >= this.#first.length) this.#growLists(list);
    const first = this.#first[list] as number;
    this.#prev[slot] = NONE;
    this.#next[slot] = first;
    this.#owner[slot] = list;
    if (first === NONE) this.#last[list] = slot;
    else this.#prev[first] = slot;
    this.#first[list] = slot;
  }

  /** Inserts `slot`, which must be in no list, just before (older than) `before`, in `list`. */
  insertBefore(list: number, slot: number, before: number): void {
    if (slot >= this.#owner.length) this.#growSlots(slot);
    const prev = this.#prev[before] as number;
    this.#prev[slot] = prev;
    this.#next[slot] = before;
    this.#owner[slot] = list;
    this.#prev[before] = slot;
    if (prev === NONE) this.#first[list] = slot;
    else this.#next[prev] = slot;
  }

  /** Unlinks `slot` from whatever list holds it; returns that list, or -1 if it was in none. */
  remove(slot: number): number {
    const list = this.ownerOf(slot);
    if (list === NONE) return NONE;
    const prev = this.#prev[slot] as number;
    const next = this.#next[slot] as number;
    if (prev === NONE) this.#first[list] = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#last[list] = prev;
    else this.#prev[next] = prev;
    this.#owner[slot] = NONE;
    return list;
  }

  /**
   * Moves a listed `slot` to the newest end of `list` (by default its own list: an LRU touch).
   * A slot in no list stays out.
   */
  moveToBack(slot: number, list = this.ownerOf(slot)): void {
    if (list === NONE || (this.#last[list] === slot && this.#owner[slot] === list)) return;
    this.remove(slot);
    this.pushBack(list, slot);
  }

  /** Empties every list and gives the grown arrays back to the heap (FLUSHALL frees memory). */
  clear(): void {
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owner = new Int32Array(INITIAL_SLOTS).fill(NONE);
    this.#first = new Int32Array(this.#initialLists).fill(NONE);
    this.#last = new Int32Array(this.#initialLists).fill(NONE);
  }

  #growSlots(slot: number): void {
    const size = grownSize(this.#owner.length, slot);
    this.#prev = growInt32(this.#prev, size);
    this.#next = growInt32(this.#next, size);
    this.#owner = growInt32(this.#owner, size, NONE);
  }

  #growLists(list: number): void {
    const size = grownSize(this.#first.length, list);
    this.#first = growInt32(this.#first, size, NONE);
    this.#last = growInt32(this.#last, size, NONE);
  }
}
