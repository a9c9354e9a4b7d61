/**
 * Intrusive doubly linked lists over cache slots in typed arrays, usable from both ends.
 *
 * Like `slot-lists.ts` (which LRU and LFU use), each slot is in at most one list at a time and
 * lists are numbered densely; this variant also reads and writes the newest end (`last`,
 * `prev`, `pushFront`), which W-TinyLFU's window resizing needs (Caffeine moves probation's most
 * recent entries into the window). The arrays grow by doubling, so inserts, moves and removals
 * allocate nothing in steady state.
 */

import { growInt32, grownSize } from './typed-arrays.ts';

const NONE = -1;
const INITIAL_SLOTS = 1024;

export class LinkedSlots {
  readonly #lists: number;
  /** Towards the oldest end. */
  #prev: Int32Array;
  /** Towards the newest end. */
  #next: Int32Array;
  /** The list that holds each slot, or -1. */
  #owner: Int32Array;
  #first: Int32Array;
  #last: Int32Array;

  constructor(lists: number) {
    this.#lists = lists;
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owner = new Int32Array(INITIAL_SLOTS).fill(NONE);
    this.#first = new Int32Array(lists).fill(NONE);
    this.#last = new Int32Array(lists).fill(NONE);
  }

  /** The list holding `slot`, or -1. */
  ownerOf(slot: number): number {
    return slot >= 0 && slot < this.#owner.length ? (this.#owner[slot] as number) : NONE;
  }

  /** The oldest slot of `list`, or -1 when empty. */
  first(list: number): number {
    return this.#first[list] as number;
  }

  /** The newest slot of `list`, or -1 when empty. */
  last(list: number): number {
    return this.#last[list] as number;
  }

  /** The next newer slot in the same list, or -1. */
  next(slot: number): number {
    return this.#next[slot] as number;
  }

  /** The next older slot in the same list, or -1. */
  prev(slot: number): number {
    return this.#prev[slot] as number;
  }

  isEmpty(list: number): boolean {
    return this.#first[list] === NONE;
  }

  /** Appends `slot`, which must be in no list, at the newest end of `list`. */
  pushBack(list: number, slot: number): void {
    if (slot >= this.#owner.length) this.#grow(slot);
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
    if (slot >= this.#owner.length) this.#grow(slot);
    const first = this.#first[list] as number;
    this.#prev[slot] = NONE;
    this.#next[slot] = first;
    this.#owner[slot] = list;
    if (first === NONE) this.#last[list] = slot;
    else this.#prev[first] = slot;
    this.#first[list] = slot;
  }

  /** Unlinks `slot`; returns the list it was in, or -1 if none. */
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

  /** Moves a listed `slot` to the newest end of `list` (its own list or another). */
  moveToBack(slot: number, list = this.ownerOf(slot)): void {
    if (list === NONE || (this.#last[list] === slot && this.#owner[slot] === list)) return;
    this.remove(slot);
    this.pushBack(list, slot);
  }

  /** Empties every list and gives grown arrays back to the heap. */
  clear(): void {
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owner = new Int32Array(INITIAL_SLOTS).fill(NONE);
    this.#first = new Int32Array(this.#lists).fill(NONE);
    this.#last = new Int32Array(this.#lists).fill(NONE);
  }

  #grow(slot: number): void {
    const size = grownSize(this.#owner.length, slot);
    this.#prev = growInt32(this.#prev, size);
    this.#next = growInt32(this.#next, size);
    this.#owner = growInt32(this.#owner, size, NONE);
  }
}
