/**
 * Intrusive doubly linked lists over cache slots, kept in typed arrays, usable from both ends.
 *
 * Each slot belongs to at most one list at a time. Lists are numbered densely by the user (LRU
 * and FIFO use list 0 only, ARC and S3-FIFO two, LFU one list per frequency bucket); a list
 * numbered past the initial count is made on its first insert. Both ends can be read and written
 * (`last`, `prev`, `pushFront`), which W-TinyLFU's window resizing needs (Caffeine moves
 * probation's most recent entries into the window). The slot and list arrays grow by doubling,
 * so a policy never allocates per entry: an insert, move or removal is a few typed-array writes.
 * The slots' links grow without a pause once large (growable-buffer.ts).
 */

import { GrowableBuffer } from './growable-buffer.ts';
import { growInt32, grownSize } from './typed-arrays.ts';

const NONE = -1;
const INITIAL_SLOTS = 1024;
const INITIAL_LISTS = 16;
/**
 * Int32s per slot in `#links`: prev at 0, next at 1, owner + 1 at 2 (0: in no list, so that
 * new slots, zeroed, need no fill), 3 unused. A slot's links sit
 * together in one 16-byte group, so a touch of a random slot (its owner, then its neighbours'
 * links) misses one cache line instead of three: in a large cache the lists' cost is those
 * misses, and the learned policies keep two such orders. 16 rather than 12 bytes so that no
 * group straddles two lines.
 */
const LINK = 4;
const PREV = 0;
const NEXT = 1;
const OWNER = 2;

export class LinkedSlots {
  /** How many lists the arrays hold after construction and `clear`. */
  readonly #initialLists: number;
  /**
   * Per slot, LINK int32s: towards the oldest end, towards the newest end, and the list that
   * holds the slot plus one (0 when it is in none). A view of `#slots`.
   */
  #links: Int32Array;
  #slots: GrowableBuffer;
  #first: Int32Array;
  #last: Int32Array;

  /** `lists` is how many lists to make room for up front; more are added on demand. */
  constructor(lists = INITIAL_LISTS) {
    this.#initialLists = lists;
    this.#slots = new GrowableBuffer(INITIAL_SLOTS * LINK * 4);
    this.#links = new Int32Array(this.#slots.buffer);
    this.#first = new Int32Array(lists).fill(NONE);
    this.#last = new Int32Array(lists).fill(NONE);
  }

  /** The list holding `slot`, or -1 if it is in none (never inserted, or removed). */
  ownerOf(slot: number): number {
    const at = slot * LINK + OWNER;
    return slot >= 0 && at < this.#links.length ? (this.#links[at] as number) - 1 : NONE;
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
    return this.#links[slot * LINK + NEXT] as number;
  }

  /** The next older slot in the same list, or -1 at the oldest end. */
  prev(slot: number): number {
    return this.#links[slot * LINK + PREV] as number;
  }

  isEmpty(list: number): boolean {
    return this.first(list) === NONE;
  }

  /** Appends `slot`, which must be in no list, at the newest end of `list`. */
  pushBack(list: number, slot: number): void {
    if (slot * LINK >= this.#links.length) this.#growSlots(slot);
    if (list >= this.#first.length) this.#growLists(list);
    const links = this.#links;
    const at = slot * LINK;
    const last = this.#last[list] as number;
    links[at + PREV] = last;
    links[at + NEXT] = NONE;
    links[at + OWNER] = list + 1;
    if (last === NONE) this.#first[list] = slot;
    else links[last * LINK + NEXT] = slot;
    this.#last[list] = slot;
  }

  /** Prepends `slot`, which must be in no list, at the oldest end of `list`. */
  pushFront(list: number, slot: number): void {
    if (slot * LINK >= this.#links.length) this.#growSlots(slot);
    if (list >= this.#first.length) this.#growLists(list);
    const links = this.#links;
    const at = slot * LINK;
    const first = this.#first[list] as number;
    links[at + PREV] = NONE;
    links[at + NEXT] = first;
    links[at + OWNER] = list + 1;
    if (first === NONE) this.#last[list] = slot;
    else links[first * LINK + PREV] = slot;
    this.#first[list] = slot;
  }

  /** Inserts `slot`, which must be in no list, just before (older than) `before`, in `list`. */
  insertBefore(list: number, slot: number, before: number): void {
    if (slot * LINK >= this.#links.length) this.#growSlots(slot);
    const links = this.#links;
    const at = slot * LINK;
    const prev = links[before * LINK + PREV] as number;
    links[at + PREV] = prev;
    links[at + NEXT] = before;
    links[at + OWNER] = list + 1;
    links[before * LINK + PREV] = slot;
    if (prev === NONE) this.#first[list] = slot;
    else links[prev * LINK + NEXT] = slot;
  }

  /** Unlinks `slot` from whatever list holds it; returns that list, or -1 if it was in none. */
  remove(slot: number): number {
    const list = this.ownerOf(slot);
    if (list === NONE) return NONE;
    const links = this.#links;
    const at = slot * LINK;
    const prev = links[at + PREV] as number;
    const next = links[at + NEXT] as number;
    if (prev === NONE) this.#first[list] = next;
    else links[prev * LINK + NEXT] = next;
    if (next === NONE) this.#last[list] = prev;
    else links[next * LINK + PREV] = prev;
    links[at + OWNER] = 0;
    return list;
  }

  /**
   * Moves a listed `slot` to the newest end of `list` (by default its own list: an LRU touch).
   * A slot in no list stays out.
   */
  moveToBack(slot: number, list = this.ownerOf(slot)): void {
    if (list === NONE || (this.#last[list] === slot && this.ownerOf(slot) === list)) return;
    this.remove(slot);
    this.pushBack(list, slot);
  }

  /** Empties every list and gives the grown arrays back to the heap (FLUSHALL frees memory). */
  clear(): void {
    this.#slots = new GrowableBuffer(INITIAL_SLOTS * LINK * 4);
    this.#links = new Int32Array(this.#slots.buffer);
    this.#first = new Int32Array(this.#initialLists).fill(NONE);
    this.#last = new Int32Array(this.#initialLists).fill(NONE);
  }

  #growSlots(slot: number): void {
    this.#slots.ensure((slot + 1) * LINK * 4);
    this.#links = new Int32Array(this.#slots.buffer);
  }

  #growLists(list: number): void {
    const size = grownSize(this.#first.length, list);
    this.#first = growInt32(this.#first, size, NONE);
    this.#last = growInt32(this.#last, size, NONE);
  }
}
