/** Bits per word of every level. */
const WORD = 32;
const SHIFT = 5;

/**
 * The set of free slots below the entry table's end, as a 32-ary tree of bitsets: level 0 has a
 * bit per slot, each higher level a bit per non-empty word of the level below, up to one word.
 * `lowest()` descends from the top word with one count-trailing-zeros per level (4 levels for a
 * million slots), so the table can always hand out its lowest free slot: new entries fill the
 * bottom of the slot range and the top empties as older entries leave, which is what lets the
 * slot records shrink (entry-table.ts). A free stack would hand slots out in LIFO order and keep
 * the range as wide as its widest moment.
 *
 * Memory: about 1/8 byte per slot of capacity (plus 1/32 of that for the upper levels).
 */
export class FreeSlots {
  /** levels[0] holds a bit per slot; levels[top] is a single word. */
  #levels: Uint32Array[] = [];
  #capacity = 0;
  #size = 0;

  constructor(capacity: number) {
    this.resize(capacity);
  }

  /** Number of free slots in the set. */
  get size(): number {
    return this.#size;
  }

  /** Slots the set can hold: 0 to capacity - 1. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes held by the bitsets. */
  get bytes(): number {
    let bytes = 0;
    for (const level of this.#levels) bytes += level.byteLength;
    return bytes;
  }

  has(slot: number): boolean {
    const word = this.#levels[0]![slot >>> SHIFT] as number;
    return (word & (1 << (slot & (WORD - 1)))) !== 0;
  }

  /** Adds `slot` (below capacity, not in the set). */
  add(slot: number): void {
    const levels = this.#levels;
    let at = slot;
    for (let l = 0; l < levels.length; l++) {
      const level = levels[l]!;
      const w = at >>> SHIFT;
      const before = level[w] as number;
      level[w] = before | (1 << (at & (WORD - 1)));
      if (before !== 0) break;
      at = w;
    }
    this.#size++;
  }

  /** Removes `slot` (in the set). */
  delete(slot: number): void {
    const levels = this.#levels;
    let at = slot;
    for (let l = 0; l < levels.length; l++) {
      const level = levels[l]!;
      const w = at >>> SHIFT;
      const after = (level[w] as number) & ~(1 << (at & (WORD - 1)));
      level[w] = after;
      if (after !== 0) break;
      at = w;
    }
    this.#size--;
  }

  /** The lowest slot in the set, or -1 when it is empty. */
  lowest(): number {
    if (this.#size === 0) return -1;
    const levels = this.#levels;
    let at = 0;
    for (let l = levels.length - 1; l >= 0; l--) {
      const word = levels[l]![at] as number;
      at = (at << SHIFT) | (31 - Math.clz32(word & -word));
    }
    return at;
  }

  /** Empties the set. */
  clear(): void {
    for (const level of this.#levels) level.fill(0);
    this.#size = 0;
  }

  /**
   * Changes the capacity, keeping the members below it; members at or above `capacity` must
   * have been deleted first. O(capacity / 32).
   */
  resize(capacity: number): void {
    const old = this.#levels[0];
    const levels: Uint32Array[] = [];
    let words = Math.max(1, Math.ceil(capacity / WORD));
    for (;;) {
      levels.push(new Uint32Array(words));
      if (words === 1) break;
      words = Math.ceil(words / WORD);
    }
    this.#levels = levels;
    this.#capacity = capacity;
    if (old === undefined || this.#size === 0) return;
    const base = levels[0]!;
    base.set(old.length <= base.length ? old : old.subarray(0, base.length));
    // Rebuild the summaries from level 0.
    for (let l = 1; l < levels.length; l++) {
      const below = levels[l - 1]!;
      const level = levels[l]!;
      for (let w = 0; w < below.length; w++) {
        if (below[w] !== 0) level[w >>> SHIFT] = (level[w >>> SHIFT] as number) | (1 << (w & 31));
      }
    }
  }
}
