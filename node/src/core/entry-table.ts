import { growInt32 } from '../policy/typed-arrays.ts';
import { SlabArena } from './slab-arena.ts';

/** Buffer methods that Node has had for years but that @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/**
 * Per-slot record, 32 bytes (half a cache line, so a slot's record never straddles two): the
 * expiry as a float64 in int32 positions 0-1, then the chunk's page and offset, the key and value
 * lengths, and the 32-bit hash the index uses. A free slot has KEY_LENGTH -1.
 */
const STRIDE = 8;
const PAGE = 2;
const OFFSET = 3;
const KEY_LENGTH = 4;
const VALUE_LENGTH = 5;
const HASH = 6;
const FREE = -1;
const NONE = -1;
const INITIAL_SLOTS = 1024;
/**
 * Index cells, 16 bytes: the key's 32-bit hash, its slot + 1 (0 marks an empty cell), and the
 * page and offset of its chunk.
 */
const CELL = 4;
const CELL_SLOT = 1;
const CELL_PAGE = 2;
const CELL_OFFSET = 3;
/** Index capacity in cells (a power of two); it doubles past 3/4 full, so probes stay short. */
const INITIAL_INDEX = 2048;
/** Keys up to this length are compared byte by byte in JavaScript; longer ones with Buffer.compare. */
const INLINE_COMPARE = 64;
/** Copies up to this length are done byte by byte; longer ones with TypedArray.set. */
const INLINE_COPY = 16;

/**
 * The 53-bit hash of `bytes[start, end)`: the same cyrb53 construction and the same results as
 * `hashKey` (key-hash.ts) on the latin1 string of those bytes, so that the policy sees the key ids
 * it always saw. The low 32 bits (`hash | 0`) place the key in the index.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    h1 = Math.imul(h1 ^ byte, 2654435761);
    h2 = Math.imul(h2 ^ byte, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function copyBytes(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  if (end - start <= INLINE_COPY) {
    for (let i = start; i < end; i++) to[at++] = from[i] as number;
  } else {
    to.set(start === 0 && end === from.length ? from : from.subarray(start, end), at);
  }
}

/** True when `bytes[offset, ...)` starts with `key[start, end)`. */
function sameBytes(
  bytes: Buffer,
  offset: number,
  key: Uint8Array,
  start: number,
  end: number,
): boolean {
  const length = end - start;
  if (offset + length > bytes.length) return false;
  if (length > INLINE_COMPARE) return bytes.compare(key, start, end, offset, offset + length) === 0;
  for (let i = 0; i < length; i++) if (bytes[offset + i] !== key[start + i]) return false;
  return true;
}

/**
 * Where the store's entries live, without a JavaScript object per entry: key and value bytes in
 * one chunk of a slab arena (slab-arena.ts), a 32-byte record per slot in one typed array, and an
 * open-addressing hash index (linear probing, backward-shift deletion, no tombstones) whose cells
 * hold the key's 32-bit hash next to its slot, so that a probe reads one cache line and compares
 * key bytes only when the hashes match. A hit costs about three cache misses (index cell, slot
 * record, chunk) where a `Map<string, slot>` with Buffer values cost six or seven.
 *
 * Slots are dense integers reused through a free stack, as the eviction policies and the expiry
 * heap index their own arrays by slot. The table knows nothing of TTL semantics, budgets or
 * policies: it stores the expiry time for the Store, which owns the rules.
 *
 * Keys are handled as bytes (a latin1 key string is its bytes, one per character). Reads of a
 * value hand out the page and the value's range in it, valid until the next write.
 */
export class EntryTable {
  readonly #arena = new SlabArena();
  #records = new ArrayBuffer(INITIAL_SLOTS * STRIDE * 4);
  #ints = new Int32Array(this.#records);
  #floats = new Float64Array(this.#records);
  /** Slots ever used; slots at or past it are free and in no stack. */
  #end = 0;
  #count = 0;
  #freeSlots = new Int32Array(INITIAL_SLOTS);
  #freeCount = 0;
  #index = new Int32Array(CELL * INITIAL_INDEX);
  #mask = INITIAL_INDEX - 1;

  /** Resident entries. */
  get size(): number {
    return this.#count;
  }

  /** One past the highest slot ever used: every live slot is below it. */
  get end(): number {
    return this.#end;
  }

  /** Bytes held in arena pages. */
  get arenaBytes(): number {
    return this.#arena.bytesReserved;
  }

  /** The slot holding the key `key[start, end)` whose hash is `hash`, or -1. */
  find(key: Uint8Array, start: number, end: number, hash: number): number {
    const index = this.#index;
    const mask = this.#mask;
    const h32 = hash | 0;
    for (let cell = h32 & mask; ; cell = (cell + 1) & mask) {
      const at = cell * CELL;
      const stored = index[at + CELL_SLOT] as number;
      if (stored === 0) return NONE;
      if (index[at] === h32) {
        // The cell names the chunk, so that the key bytes and the slot's record are read in
        // parallel rather than one after the other.
        const slot = stored - 1;
        const bytes = this.#arena.pages[index[at + CELL_PAGE] as number] as Buffer;
        if (
          sameBytes(bytes, index[at + CELL_OFFSET] as number, key, start, end) &&
          this.#ints[slot * STRIDE + KEY_LENGTH] === end - start
        ) {
          return slot;
        }
      }
    }
  }

  /** Stores a new entry and returns its slot; the key must not be resident. */
  insert(
    key: Uint8Array,
    keyStart: number,
    keyEnd: number,
    hash: number,
    value: Uint8Array,
    valueStart: number,
    valueEnd: number,
  ): number {
    const keyLength = keyEnd - keyStart;
    const arena = this.#arena;
    const page = arena.allocate(keyLength + valueEnd - valueStart);
    const offset = arena.offset;
    const bytes = arena.pages[page] as Buffer;
    copyBytes(key, keyStart, keyEnd, bytes, offset);
    copyBytes(value, valueStart, valueEnd, bytes, offset + keyLength);
    let slot: number;
    if (this.#freeCount > 0) {
      slot = this.#freeSlots[--this.#freeCount] as number;
    } else {
      slot = this.#end++;
      if (slot * STRIDE >= this.#ints.length) this.#growRecords();
    }
    const base = slot * STRIDE;
    const ints = this.#ints;
    this.#floats[base >> 1] = 0;
    ints[base + PAGE] = page;
    ints[base + OFFSET] = offset;
    ints[base + KEY_LENGTH] = keyLength;
    ints[base + VALUE_LENGTH] = valueEnd - valueStart;
    ints[base + HASH] = hash | 0;
    if (++this.#count > ((this.#mask + 1) * 3) >>> 2) this.#growIndex();
    this.#place(hash | 0, slot, page, offset);
    return slot;
  }

  /** Replaces the value of the entry in `slot`, in its chunk when the new size has the same class. */
  replaceValue(slot: number, value: Uint8Array, valueStart: number, valueEnd: number): void {
    const ints = this.#ints;
    const base = slot * STRIDE;
    const arena = this.#arena;
    const keyLength = ints[base + KEY_LENGTH] as number;
    const valueLength = valueEnd - valueStart;
    const page = ints[base + PAGE] as number;
    const offset = ints[base + OFFSET] as number;
    if (arena.fits(page, keyLength + valueLength)) {
      copyBytes(value, valueStart, valueEnd, arena.pages[page] as Buffer, offset + keyLength);
    } else {
      const newPage = arena.allocate(keyLength + valueLength);
      const newOffset = arena.offset;
      const bytes = arena.pages[newPage] as Buffer;
      copyBytes(arena.pages[page] as Buffer, offset, offset + keyLength, bytes, newOffset);
      copyBytes(value, valueStart, valueEnd, bytes, newOffset + keyLength);
      arena.free(page, offset);
      ints[base + PAGE] = newPage;
      ints[base + OFFSET] = newOffset;
      const at = this.#cellOf(ints[base + HASH] as number, slot);
      this.#index[at + CELL_PAGE] = newPage;
      this.#index[at + CELL_OFFSET] = newOffset;
    }
    ints[base + VALUE_LENGTH] = valueLength;
  }

  /** Removes the entry in `slot` and frees the slot for reuse. */
  remove(slot: number): void {
    const ints = this.#ints;
    const base = slot * STRIDE;
    this.#unplace(ints[base + HASH] as number, slot);
    this.#arena.free(ints[base + PAGE] as number, ints[base + OFFSET] as number);
    ints[base + KEY_LENGTH] = FREE;
    this.#count--;
    if (this.#freeCount === this.#freeSlots.length) {
      this.#freeSlots = growInt32(this.#freeSlots, this.#freeSlots.length * 2);
    }
    this.#freeSlots[this.#freeCount++] = slot;
  }

  /** True when `slot` holds an entry. */
  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.#end && this.#ints[slot * STRIDE + KEY_LENGTH] !== FREE;
  }

  keyLength(slot: number): number {
    return this.#ints[slot * STRIDE + KEY_LENGTH] as number;
  }

  valueLength(slot: number): number {
    return this.#ints[slot * STRIDE + VALUE_LENGTH] as number;
  }

  /** Absolute expiry in ms, 0 for none (the Store's meaning; the table only keeps it). */
  expireAt(slot: number): number {
    return this.#floats[slot * (STRIDE >> 1)] as number;
  }

  setExpireAt(slot: number, expireAt: number): void {
    this.#floats[slot * (STRIDE >> 1)] = expireAt;
  }

  /** The page holding the value of `slot`; the value is `[valueStart(slot), valueEnd(slot))`. */
  page(slot: number): Buffer {
    return this.#arena.pages[this.#ints[slot * STRIDE + PAGE] as number] as Buffer;
  }

  valueStart(slot: number): number {
    const base = slot * STRIDE;
    return (this.#ints[base + OFFSET] as number) + (this.#ints[base + KEY_LENGTH] as number);
  }

  valueEnd(slot: number): number {
    const base = slot * STRIDE;
    return (
      (this.#ints[base + OFFSET] as number) +
      (this.#ints[base + KEY_LENGTH] as number) +
      (this.#ints[base + VALUE_LENGTH] as number)
    );
  }

  /** The key of `slot` as a latin1 string. */
  keyString(slot: number): string {
    const base = slot * STRIDE;
    const offset = this.#ints[base + OFFSET] as number;
    const page = this.#arena.pages[this.#ints[base + PAGE] as number] as FastBuffer;
    return page.latin1Slice(offset, offset + (this.#ints[base + KEY_LENGTH] as number));
  }

  /** A copy of the value of `slot` in a Buffer of its own (from Node's pool when small). */
  valueCopy(slot: number): Buffer {
    const start = this.valueStart(slot);
    const length = this.#ints[slot * STRIDE + VALUE_LENGTH] as number;
    const copy = Buffer.allocUnsafe(length);
    copyBytes(this.page(slot), start, start + length, copy, 0);
    return copy;
  }

  /** Forgets every entry and gives the memory back. */
  clear(): void {
    this.#arena.clear();
    this.#records = new ArrayBuffer(INITIAL_SLOTS * STRIDE * 4);
    this.#ints = new Int32Array(this.#records);
    this.#floats = new Float64Array(this.#records);
    this.#end = 0;
    this.#count = 0;
    this.#freeSlots = new Int32Array(INITIAL_SLOTS);
    this.#freeCount = 0;
    this.#index = new Int32Array(CELL * INITIAL_INDEX);
    this.#mask = INITIAL_INDEX - 1;
  }

  #place(h32: number, slot: number, page: number, offset: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let cell = h32 & mask;
    while (index[cell * CELL + CELL_SLOT] !== 0) cell = (cell + 1) & mask;
    const at = cell * CELL;
    index[at] = h32;
    index[at + CELL_SLOT] = slot + 1;
    index[at + CELL_PAGE] = page;
    index[at + CELL_OFFSET] = offset;
  }

  /** The position in the index of the cell of `slot`, whose hash is `h32`. */
  #cellOf(h32: number, slot: number): number {
    const index = this.#index;
    const mask = this.#mask;
    let cell = h32 & mask;
    while (index[cell * CELL + CELL_SLOT] !== slot + 1) cell = (cell + 1) & mask;
    return cell * CELL;
  }

  /** Backward-shift deletion: later cells of the run move up so that no probe meets a hole. */
  #unplace(h32: number, slot: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let hole = this.#cellOf(h32, slot) / CELL;
    for (let cell = (hole + 1) & mask; ; cell = (cell + 1) & mask) {
      const at = cell * CELL;
      if (index[at + CELL_SLOT] === 0) break;
      // The entry may move into the hole unless its home lies cyclically in (hole, cell].
      const home = (index[at] as number) & mask;
      if (((cell - home) & mask) >= ((cell - hole) & mask)) {
        index.copyWithin(hole * CELL, at, at + CELL);
        hole = cell;
      }
    }
    index.fill(0, hole * CELL, hole * CELL + CELL);
  }

  #growIndex(): void {
    const old = this.#index;
    const capacity = (this.#mask + 1) * 2;
    this.#index = new Int32Array(CELL * capacity);
    this.#mask = capacity - 1;
    for (let at = 0; at < old.length; at += CELL) {
      const stored = old[at + CELL_SLOT] as number;
      if (stored !== 0) {
        this.#place(
          old[at] as number,
          stored - 1,
          old[at + CELL_PAGE] as number,
          old[at + CELL_OFFSET] as number,
        );
      }
    }
  }

  #growRecords(): void {
    const records = new ArrayBuffer(this.#records.byteLength * 2);
    new Int32Array(records).set(this.#ints);
    this.#records = records;
    this.#ints = new Int32Array(records);
    this.#floats = new Float64Array(records);
  }
}
