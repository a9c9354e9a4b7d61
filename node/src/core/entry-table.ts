import { FreeSlots } from './free-slots.ts';
import { SlabArena } from './slab-arena.ts';

/** Buffer methods that Node has had for years but that @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/**
 * Per-slot record, 32 bytes (half a cache line, so a slot's record never straddles two): the
 * expiry as a float64 in int32 positions 0-1, then the chunk's page and offset, the key and value
 * lengths, the 32-bit hash the index uses, and the second of the last access (OBJECT IDLETIME:
 * the store's coarse clock, as Redis's 24-bit LRU clock). A free slot has KEY_LENGTH -1.
 */
const STRIDE = 8;
const PAGE = 2;
const OFFSET = 3;
const KEY_LENGTH = 4;
const VALUE_LENGTH = 5;
const HASH = 6;
const ACCESSED = 7;
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
/**
 * Index capacity in cells (a power of two). It doubles past 3/4 full, so probes stay short, and
 * halves (or more) once below 1/8 full, to the smallest size at most 3/8 full: after either
 * change the load is 3/16 to 3/8, so a workload must double or lose two thirds of its keys to
 * cause the next one, and one oscillating around a size never rehashes repeatedly.
 */
const INITIAL_INDEX = 2048;
/**
 * Old-table cells moved per insert or remove while a rehash is in progress (a whole probe run is
 * moved at once, so a step may move a little more). A rehash of C cells thus spreads over C/16
 * writes, well before the new table, at most 3/8 full when the rehash starts, can fill.
 */
const REHASH_STEP = 16;
/** Budget units a chunk move costs in `maintain` (a slot looked at costs one). */
const MOVE_COST = 64;
/** Free slots at the top of the slot range trimmed per remove (the rest by later removes or `maintain`). */
const TRIM_STEP = 64;
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
 * Slots are dense integers, as the eviction policies and the expiry heap index their own arrays
 * by slot. A new entry takes the lowest free slot (free-slots.ts), and free slots at the top of
 * the range are trimmed off, so that after mass deletions the range narrows as the entries left in
 * high slots go, and the records array shrinks (to half once the range uses a quarter of it). An
 * entry never moves to another slot: that would need the policy to move its state too.
 *
 * The index resizes like Redis's dict, incrementally: past 3/4 full it doubles, below 1/8 full
 * it shrinks to the smallest size at most 3/8 full, and in both cases the old index stays beside
 * the new one while each insert, remove, lookup that reaches the old index, and `maintain` moves
 * a few of its cells over; lookups probe both meanwhile. So no single operation rehashes a
 * million keys (about 85 ms in one go); the step that starts a rehash only allocates.
 *
 * The table knows nothing of TTL semantics, budgets or policies: it stores the expiry time for
 * the Store, which owns the rules. An arena page is freed once all its chunks are free
 * (slab-arena.ts); after mass deletes `maintain` moves the chunks out of the arena's sparsest
 * pages (a chunk's page and offset change in its record and index cell, never its slot), so
 * that those pages empty.
 *
 * Keys are handled as bytes (a latin1 key string is its bytes, one per character). Reads of a
 * value hand out the page and the value's range in it, valid until the next write.
 */
export class EntryTable {
  readonly #arena = new SlabArena();
  #records = new ArrayBuffer(INITIAL_SLOTS * STRIDE * 4);
  #ints = new Int32Array(this.#records);
  #floats = new Float64Array(this.#records);
  /** One past the highest slot in use or not yet trimmed; slots at or past it are free and not in `#free`. */
  #end = 0;
  #count = 0;
  /** The free slots below `#end`; new entries take the lowest, so the top of the range empties. */
  readonly #free = new FreeSlots(INITIAL_SLOTS);
  /** True when the slot below `#end` may be free (a trim stopped at its step limit). */
  #tailFree = false;
  #index: Int32Array = new Int32Array(CELL * INITIAL_INDEX);
  #mask = INITIAL_INDEX - 1;
  /** Grow the index past this many entries, shrink it below `#shrinkAt`. */
  #growAt = (INITIAL_INDEX * 3) >>> 2;
  #shrinkAt = 0;
  /**
   * While a rehash is in progress (Redis's incremental rehashing): the previous index, whose
   * cells below `#cursor` have all moved to `#index`. Every key is in exactly one of the two.
   */
  #old: Int32Array | null = null;
  #oldMask = 0;
  #cursor = 0;
  /** Removes since the arena last looked for sparse pages. */
  #removesSincePlan = 0;
  /** While the arena evacuates pages: the next slot whose chunk to check (see `#defragStep`). */
  #defragCursor = NONE;

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

  /** Cells of the hash index (the new one while a rehash is in progress). */
  get indexCapacity(): number {
    return this.#mask + 1;
  }

  /** True while entries are moving from a previous index to the current one. */
  get rehashing(): boolean {
    return this.#old !== null;
  }

  /** Slots the records array holds (the slot records' length). */
  get slotCapacity(): number {
    return this.#ints.length / STRIDE;
  }

  /** Bytes held by the table: arena pages, index (both during a rehash), slot records, free set. */
  get reservedBytes(): number {
    return (
      this.#arena.bytesReserved +
      this.#index.byteLength +
      (this.#old === null ? 0 : this.#old.byteLength) +
      this.#records.byteLength +
      this.#free.bytes
    );
  }

  /** The slot holding the key `key[start, end)` whose hash is `hash`, or -1. */
  find(key: Uint8Array, start: number, end: number, hash: number): number {
    const index = this.#index;
    const mask = this.#mask;
    const h32 = hash | 0;
    for (let cell = h32 & mask; ; cell = (cell + 1) & mask) {
      const at = cell * CELL;
      const stored = index[at + CELL_SLOT] as number;
      if (stored === 0) return this.#old === null ? NONE : this.#findOld(key, start, end, h32);
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
    let slot = this.#free.lowest();
    if (slot !== NONE) {
      this.#free.delete(slot);
    } else {
      slot = this.#end++;
      if (slot * STRIDE >= this.#ints.length) this.#resizeRecords(this.slotCapacity * 2);
    }
    const base = slot * STRIDE;
    const ints = this.#ints;
    this.#floats[base >> 1] = 0;
    ints[base + PAGE] = page;
    ints[base + OFFSET] = offset;
    ints[base + KEY_LENGTH] = keyLength;
    ints[base + VALUE_LENGTH] = valueEnd - valueStart;
    ints[base + HASH] = hash | 0;
    if (++this.#count > this.#growAt) this.#growIndex();
    else if (this.#old !== null) this.#rehashStep(REHASH_STEP);
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
      this.#moved(slot, base, newPage, newOffset);
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
    this.#free.add(slot);
    this.#removesSincePlan++;
    if (slot === this.#end - 1 || this.#tailFree) this.#trimTail(TRIM_STEP);
    if (this.#old !== null) this.#rehashStep(REHASH_STEP);
    else if (this.#count < this.#shrinkAt) this.#shrinkIndex();
  }

  /**
   * Background upkeep (the Store runs it with active expiry, as Redis rehashes in serverCron):
   * moves up to `cells` cells of an index rehash and trims up to `cells` free slots off the top
   * of the slot range. Returns true when work remains.
   */
  maintain(cells: number): boolean {
    if (this.#old !== null) this.#rehashStep(cells);
    if (this.#tailFree) this.#trimTail(cells);
    if (this.#defragCursor === NONE && this.#removesSincePlan > Math.max(1024, this.#count >>> 4)) {
      this.#removesSincePlan = 0;
      if (this.#arena.planEvacuation() > 0) this.#defragCursor = 0;
    }
    if (this.#defragCursor !== NONE) this.#defragStep(cells);
    return this.#old !== null || this.#tailFree || this.#defragCursor !== NONE;
  }

  /**
   * Moves the chunks of live entries out of the pages the arena evacuates, walking the slots
   * from the cursor up within `budget` (a slot costs 1, a move MOVE_COST). A move changes the
   * chunk's page and offset in the slot's record and index cell; the slot, and so the policy's
   * and the expiry heap's state, stay as they are. New chunks never go to an evacuating page,
   * so one pass over the slots empties them all.
   */
  #defragStep(budget: number): void {
    const arena = this.#arena;
    const ints = this.#ints;
    let slot = this.#defragCursor;
    let left = budget;
    for (; left > 0 && slot < this.#end; slot++, left--) {
      const base = slot * STRIDE;
      if (ints[base + KEY_LENGTH] === FREE || !arena.isEvacuating(ints[base + PAGE] as number)) {
        continue;
      }
      this.#moveChunk(slot);
      left -= MOVE_COST;
    }
    this.#defragCursor = slot;
    if (slot >= this.#end || arena.evacuatingPages === 0) {
      arena.endEvacuation();
      this.#defragCursor = NONE;
    }
  }

  /** Copies the chunk of `slot` into a chunk of the same class elsewhere and frees the old one. */
  #moveChunk(slot: number): void {
    const ints = this.#ints;
    const arena = this.#arena;
    const base = slot * STRIDE;
    const page = ints[base + PAGE] as number;
    const offset = ints[base + OFFSET] as number;
    const length = (ints[base + KEY_LENGTH] as number) + (ints[base + VALUE_LENGTH] as number);
    const newPage = arena.allocate(length);
    const newOffset = arena.offset;
    copyBytes(
      arena.pages[page] as Buffer,
      offset,
      offset + length,
      arena.pages[newPage] as Buffer,
      newOffset,
    );
    arena.free(page, offset);
    this.#moved(slot, base, newPage, newOffset);
  }

  /**
   * The bytes of `slot` (record at `base`) now live at (newPage, newOffset): updates its record
   * and its index cell, which is in the new index or, during a rehash, still in the old one.
   */
  #moved(slot: number, base: number, newPage: number, newOffset: number): void {
    const ints = this.#ints;
    ints[base + PAGE] = newPage;
    ints[base + OFFSET] = newOffset;
    const h32 = ints[base + HASH] as number;
    let index: Int32Array = this.#index;
    let at = cellOf(index, this.#mask, h32, slot);
    if (at === NONE) {
      index = this.#old as Int32Array;
      at = cellOf(index, this.#oldMask, h32, slot);
    }
    index[at + CELL_PAGE] = newPage;
    index[at + CELL_OFFSET] = newOffset;
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

  /** The second (on the Store's coarse clock) of the entry's last read or write. */
  accessedAt(slot: number): number {
    return this.#ints[slot * STRIDE + ACCESSED] as number;
  }

  setAccessedAt(slot: number, second: number): void {
    this.#ints[slot * STRIDE + ACCESSED] = second;
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

  /** The 53-bit hash of the key of `slot` (`hashBytes`): the key id the policy was given. */
  keyHash(slot: number): number {
    const base = slot * STRIDE;
    const offset = this.#ints[base + OFFSET] as number;
    const page = this.#arena.pages[this.#ints[base + PAGE] as number] as Buffer;
    return hashBytes(page, offset, offset + (this.#ints[base + KEY_LENGTH] as number));
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
    this.#free.resize(INITIAL_SLOTS);
    this.#free.clear();
    this.#tailFree = false;
    this.#old = null;
    this.#cursor = 0;
    this.#removesSincePlan = 0;
    this.#defragCursor = NONE;
    this.#setIndex(new Int32Array(CELL * INITIAL_INDEX));
  }

  /**
   * The probe of `find` in the previous index, during a rehash; it also moves a step of the
   * rehash, as Redis's lookups do, so that a read-mostly workload finishes it (and stops paying
   * two probes per miss) quickly. The step moves cells, never slots, so the answer stays valid.
   */
  #findOld(key: Uint8Array, start: number, end: number, h32: number): number {
    const slot = this.#probeOld(key, start, end, h32);
    this.#rehashStep(REHASH_STEP);
    return slot;
  }

  #probeOld(key: Uint8Array, start: number, end: number, h32: number): number {
    const index = this.#old as Int32Array;
    const mask = this.#oldMask;
    for (let cell = h32 & mask; ; cell = (cell + 1) & mask) {
      const at = cell * CELL;
      const stored = index[at + CELL_SLOT] as number;
      if (stored === 0) return NONE;
      if (index[at] === h32) {
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

  /** Takes the cell of `slot` out of whichever index holds it. */
  #unplace(h32: number, slot: number): void {
    const at = cellOf(this.#index, this.#mask, h32, slot);
    if (at !== NONE) deleteCell(this.#index, this.#mask, at / CELL);
    else {
      const old = this.#old as Int32Array;
      deleteCell(old, this.#oldMask, cellOf(old, this.#oldMask, h32, slot) / CELL);
    }
  }

  #setIndex(index: Int32Array): void {
    const capacity = index.length / CELL;
    this.#index = index;
    this.#mask = capacity - 1;
    this.#growAt = (capacity * 3) >>> 2;
    this.#shrinkAt = capacity > INITIAL_INDEX ? capacity >>> 3 : 0;
  }

  /** Starts moving every cell into a new index of `capacity` cells (see `#rehashStep`). */
  #startRehash(capacity: number): void {
    if (this.#old !== null) this.#rehashStep(Infinity);
    this.#old = this.#index;
    this.#oldMask = this.#mask;
    this.#cursor = 0;
    // A zeroed allocation of this size is mapped lazily, so starting costs no copy and no memset.
    this.#setIndex(new Int32Array(CELL * capacity));
  }

  #growIndex(): void {
    this.#startRehash((this.#mask + 1) * 2);
    this.#rehashStep(REHASH_STEP);
  }

  #shrinkIndex(): void {
    // The smallest power of two at most 3/8 full.
    let capacity = INITIAL_INDEX;
    while (capacity * 3 < this.#count * 8) capacity *= 2;
    if (capacity < this.#mask + 1) this.#startRehash(capacity);
  }

  /**
   * Moves about `budget` cells of the previous index into the current one, from the cursor up.
   * Cells move one probe run at a time: the run starting at the cursor is a whole cluster (all
   * cells below the cursor are empty) or, at cell 0, the wrapped end of one; emptying such a run
   * leaves every other key's probe path intact, so the old index stays valid for `find` and
   * `remove` between steps. Empty cells count one each, as moved ones do.
   */
  #rehashStep(budget: number): void {
    const old = this.#old as Int32Array;
    const capacity = this.#oldMask + 1;
    let cursor = this.#cursor;
    let left = budget;
    while (left > 0 && cursor < capacity) {
      if (old[cursor * CELL + CELL_SLOT] === 0) {
        cursor++;
        left--;
        continue;
      }
      let end = cursor + 1;
      while (end < capacity && old[end * CELL + CELL_SLOT] !== 0) end++;
      for (let at = cursor * CELL; at < end * CELL; at += CELL) {
        this.#place(
          old[at] as number,
          (old[at + CELL_SLOT] as number) - 1,
          old[at + CELL_PAGE] as number,
          old[at + CELL_OFFSET] as number,
        );
      }
      old.fill(0, cursor * CELL, end * CELL);
      left -= end - cursor;
      cursor = end;
    }
    this.#cursor = cursor;
    if (cursor === capacity) {
      this.#old = null;
      this.#cursor = 0;
      // Deletions during the rehash may already call for the next, smaller size.
      if (this.#count < this.#shrinkAt) this.#shrinkIndex();
    }
  }

  /**
   * Lowers `#end` past free slots at the top of the range (at most `limit` of them, so that one
   * remove never walks a long free tail; the rest follow on later removes or in `maintain`), and
   * shrinks the records once the range uses a quarter of them.
   */
  #trimTail(limit: number): void {
    const ints = this.#ints;
    const free = this.#free;
    let end = this.#end;
    for (let left = limit; left > 0 && end > 0; left--) {
      if (ints[(end - 1) * STRIDE + KEY_LENGTH] !== FREE) break;
      end--;
      free.delete(end);
    }
    this.#end = end;
    this.#tailFree = end > 0 && ints[(end - 1) * STRIDE + KEY_LENGTH] === FREE;
    const capacity = this.slotCapacity;
    if (capacity > INITIAL_SLOTS && end <= capacity >>> 2) {
      let smaller = INITIAL_SLOTS;
      while (smaller < end * 2) smaller *= 2;
      this.#resizeRecords(smaller);
    }
  }

  /** Moves the records of slots below `#end` into an array of `capacity` slots. */
  #resizeRecords(capacity: number): void {
    const records = new ArrayBuffer(capacity * STRIDE * 4);
    const ints = new Int32Array(records);
    ints.set(this.#ints.subarray(0, this.#end * STRIDE));
    this.#records = records;
    this.#ints = ints;
    this.#floats = new Float64Array(records);
    this.#free.resize(capacity);
  }
}

/** The position in `index` of the cell of `slot`, whose hash is `h32`, or -1. */
function cellOf(index: Int32Array, mask: number, h32: number, slot: number): number {
  for (let cell = h32 & mask; ; cell = (cell + 1) & mask) {
    const stored = index[cell * CELL + CELL_SLOT] as number;
    if (stored === slot + 1) return cell * CELL;
    if (stored === 0) return NONE;
  }
}

/** Backward-shift deletion: later cells of the run move up so that no probe meets a hole. */
function deleteCell(index: Int32Array, mask: number, start: number): void {
  let hole = start;
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
