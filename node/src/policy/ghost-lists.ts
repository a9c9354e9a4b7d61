/**
 * Lists of key ids that already left the cache ("ghosts"), each oldest to newest, with each
 * ghost's size. ARC keeps two (B1, B2: Megiddo & Modha, FAST'03 §III); S3-FIFO one (Yang et al.,
 * SOSP'23 §4.1). Both look every missed key up, remove it from the middle of its list, and drop
 * the oldest, so every operation here is O(1): one hash index over all the lists finds a key's
 * node (one probe per miss, whichever list holds it), and the nodes form doubly linked lists in
 * typed arrays with a free list, so steady state allocates nothing.
 */

import { KeyTable } from './key-table.ts';
import { growFloat64, growInt32, grownSize } from './typed-arrays.ts';

const NONE = -1;
const INITIAL_NODES = 256;

export class GhostLists {
  /** keyId -> node. */
  #index = new KeyTable();
  #key = new Float64Array(INITIAL_NODES);
  #size = new Float64Array(INITIAL_NODES);
  #list = new Int32Array(INITIAL_NODES);
  #prev = new Int32Array(INITIAL_NODES);
  #next = new Int32Array(INITIAL_NODES);
  #oldest: Int32Array;
  #newest: Int32Array;
  #used: Float64Array;
  #length: Int32Array;
  /** Free nodes, chained through #next. */
  #free = NONE;
  #allocated = 0;
  /** The size of the ghost that the last successful `remove` took. */
  #removedSize = 0;

  constructor(lists: number) {
    this.#oldest = new Int32Array(lists).fill(NONE);
    this.#newest = new Int32Array(lists).fill(NONE);
    this.#used = new Float64Array(lists);
    this.#length = new Int32Array(lists);
  }

  /** The summed sizes of the ghosts in `list`. */
  used(list: number): number {
    return this.#used[list] as number;
  }

  length(list: number): number {
    return this.#length[list] as number;
  }

  /** The size of the ghost that the last successful `remove` took. */
  get removedSize(): number {
    return this.#removedSize;
  }

  /** Removes `keyId` from whichever list holds it; returns that list, or -1 if none does. */
  remove(keyId: number): number {
    const node = this.#index.delete(keyId);
    if (node < 0) return NONE;
    const list = this.#list[node] as number;
    this.#removedSize = this.#size[node] as number;
    this.#unlink(node);
    return list;
  }

  /** Appends `keyId` as the newest ghost of `list` (moving it there if it was a ghost already). */
  pushNewest(list: number, keyId: number, size: number): void {
    let node = this.#free;
    if (node !== NONE) {
      this.#free = this.#next[node] as number;
    } else {
      node = this.#allocated++;
      if (node >= this.#key.length) this.#grow(node);
    }
    const previous = this.#index.set(keyId, node);
    if (previous >= 0) this.#unlink(previous);
    const newest = this.#newest[list] as number;
    this.#key[node] = keyId;
    this.#size[node] = size;
    this.#list[node] = list;
    this.#prev[node] = newest;
    this.#next[node] = NONE;
    if (newest === NONE) this.#oldest[list] = node;
    else this.#next[newest] = node;
    this.#newest[list] = node;
    this.#used[list] = (this.#used[list] as number) + size;
    this.#length[list] = (this.#length[list] as number) + 1;
  }

  /** Drops the oldest ghost of `list`; returns false when it has none. */
  dropOldest(list: number): boolean {
    const node = this.#oldest[list] as number;
    if (node === NONE) return false;
    this.#index.delete(this.#key[node] as number);
    this.#unlink(node);
    return true;
  }

  clear(): void {
    this.#index.clear();
    this.#key = new Float64Array(INITIAL_NODES);
    this.#size = new Float64Array(INITIAL_NODES);
    this.#list = new Int32Array(INITIAL_NODES);
    this.#prev = new Int32Array(INITIAL_NODES);
    this.#next = new Int32Array(INITIAL_NODES);
    this.#oldest.fill(NONE);
    this.#newest.fill(NONE);
    this.#used.fill(0);
    this.#length.fill(0);
    this.#free = NONE;
    this.#allocated = 0;
  }

  #unlink(node: number): void {
    const list = this.#list[node] as number;
    const prev = this.#prev[node] as number;
    const next = this.#next[node] as number;
    if (prev === NONE) this.#oldest[list] = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#newest[list] = prev;
    else this.#prev[next] = prev;
    const length = (this.#length[list] as number) - 1;
    this.#length[list] = length;
    // An empty list resets its sum, so float rounding of byte sizes cannot accumulate.
    this.#used[list] =
      length === 0 ? 0 : (this.#used[list] as number) - (this.#size[node] as number);
    this.#next[node] = this.#free;
    this.#free = node;
  }

  #grow(node: number): void {
    const size = grownSize(this.#key.length, node);
    this.#key = growFloat64(this.#key, size);
    this.#size = growFloat64(this.#size, size);
    this.#list = growInt32(this.#list, size);
    this.#prev = growInt32(this.#prev, size);
    this.#next = growInt32(this.#next, size);
  }
}
