/**
 * Many intrusive doubly linked lists over cache slots, kept in typed arrays.
 *
 * Each slot belongs to at most one list at a time. Lists are numbered densely by the user (LRU
 * uses list 0 only, LFU one list per frequency bucket). Both the slot arrays and the list arrays
 * grow by doubling, so a policy never allocates per entry: an insert, move or removal is a few
 * typed-array writes.
 */

import { growInt32, grownSize } from './typed-arrays.ts';

const NONE = -1;
const INITIAL_SLOTS = 1024;
const INITIAL_LISTS = 16;

export class SlotLists {
  #prev: Int32Array;
  #next: Int32Array;
  /** The list that holds each slot, or -1 when the slot is in none. */
  #owner: Int32Array;
  #head: Int32Array;
  #tail: Int32Array;

  constructor() {
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owner = new Int32Array(INITIAL_SLOTS).fill(NONE);
    this.#head = new Int32Array(INITIAL_LISTS).fill(NONE);
    this.#tail = new Int32Array(INITIAL_LISTS).fill(NONE);
  }

  /** The list holding `slot`, or -1 if it is in none (never inserted, or removed). */
  ownerOf(slot: number): number {
    return slot < this.#owner.length ? (this.#owner[slot] as number) : NONE;
  }

  /** The first (oldest) slot of `list`, or -1 when it is empty. */
  first(list: number): number {
    return list < this.#head.length ? (this.#head[list] as number) : NONE;
  }

  /** The slot after `slot` in its list, or -1 at the end. */
  next(slot: number): number {
    return this.#next[slot] as number;
  }

  isEmpty(list: number): boolean {
    return this.first(list) === NONE;
  }

  /** Appends `slot`, which must be in no list, at the end (newest position) of `list`. */
  pushBack(list: number, slot: number): void {
    if (slot >= this.#owner.length) this.#growSlots(slot);
    if (list >= this.#head.length) this.#growLists(list);
    const tail = this.#tail[list] as number;
    this.#prev[slot] = tail;
    this.#next[slot] = NONE;
    this.#owner[slot] = list;
    if (tail === NONE) this.#head[list] = slot;
    else this.#next[tail] = slot;
    this.#tail[list] = slot;
  }

  /** Inserts `slot`, which must be in no list, just before `before`, which is in `list`. */
  insertBefore(list: number, slot: number, before: number): void {
    if (slot >= this.#owner.length) this.#growSlots(slot);
    const prev = this.#prev[before] as number;
    this.#prev[slot] = prev;
    this.#next[slot] = before;
    this.#owner[slot] = list;
    this.#prev[before] = slot;
    if (prev === NONE) this.#head[list] = slot;
    else this.#next[prev] = slot;
  }

  /** Unlinks `slot` from whatever list holds it; returns that list, or -1 if it was in none. */
  remove(slot: number): number {
    const list = this.ownerOf(slot);
    if (list === NONE) return NONE;
    const prev = this.#prev[slot] as number;
    const next = this.#next[slot] as number;
    if (prev === NONE) this.#head[list] = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#tail[list] = prev;
    else this.#prev[next] = prev;
    this.#owner[slot] = NONE;
    return list;
  }

  /** Moves `slot` to the end of its own list (an LRU touch). */
  moveToBack(slot: number): void {
    const list = this.#owner[slot] as number;
    if (this.#tail[list] === slot) return;
    this.remove(slot);
    this.pushBack(list, slot);
  }

  /** Empties every list and gives the grown arrays back to the heap (FLUSHALL frees memory). */
  clear(): void {
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owner = new Int32Array(INITIAL_SLOTS).fill(NONE);
    this.#head = new Int32Array(INITIAL_LISTS).fill(NONE);
    this.#tail = new Int32Array(INITIAL_LISTS).fill(NONE);
  }

  #growSlots(slot: number): void {
    const size = grownSize(this.#owner.length, slot);
    this.#prev = growInt32(this.#prev, size, 0);
    this.#next = growInt32(this.#next, size, 0);
    this.#owner = growInt32(this.#owner, size, NONE);
  }

  #growLists(list: number): void {
    const size = grownSize(this.#head.length, list);
    this.#head = growInt32(this.#head, size, NONE);
    this.#tail = growInt32(this.#tail, size, NONE);
  }
}
