/**
 * A fixed-capacity hash map from key id (an integer below 2^53) to a small non-negative int,
 * stored in one typed array of (key, value) pairs: open addressing, linear probing,
 * backward-shift deletion (so no tombstones build up under constant churn). A bucket's key and
 * value share a cache line, so a probe of a table that does not fit the core's cache (the ghosts'
 * index is 1 MiB for 2^15 keys) costs one memory access, not two.
 *
 * Why not a Map: the ghost table inserts and deletes on every eviction, and the node's key ids
 * are 53-bit hashes, which a Map keeps as heap numbers. Under that churn a Map measured 2–3.5×
 * slower than this table (16K and 1M keys, ml-scorer/README.md), and this table's memory is
 * fixed up front with nothing for the GC to trace.
 */
export class KeyIndex {
  /** Bucket i: the key at 2i, its value at 2i + 1; a value of -1 marks an empty bucket. */
  readonly #cells: Float64Array;
  readonly #mask: number;
  #size = 0;

  /** A table for at most `maxKeys` keys, kept at most half full. */
  constructor(maxKeys: number) {
    let n = 2;
    while (n < maxKeys * 2) n *= 2;
    this.#cells = new Float64Array(2 * n);
    this.#mask = n - 1;
    this.clear();
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const cells = this.#cells;
    const mask = this.#mask;
    for (let i = keyHash32(key) & mask; ; i = (i + 1) & mask) {
      const v = cells[2 * i + 1]!;
      if (v < 0 || cells[2 * i] === key) return v;
    }
  }

  /** Stores `value` (≥ 0) for `key`. The caller keeps the key count within `maxKeys`. */
  set(key: number, value: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let i = keyHash32(key) & mask;
    while (cells[2 * i + 1]! >= 0 && cells[2 * i] !== key) i = (i + 1) & mask;
    if (cells[2 * i + 1]! < 0) this.#size++;
    cells[2 * i] = key;
    cells[2 * i + 1] = value;
  }

  /** Removes `key` if present. */
  delete(key: number): void {
    const i = this.#find(key);
    if (i >= 0) this.#removeAt(i);
  }

  /** Removes `key` and returns its value; -1 (and nothing removed) when it is absent. */
  take(key: number): number {
    const i = this.#find(key);
    if (i < 0) return -1;
    const value = this.#cells[2 * i + 1]!;
    this.#removeAt(i);
    return value;
  }

  /** Removes `key` only if its value is `value` (one probe where get + delete take two). */
  deleteIf(key: number, value: number): void {
    const i = this.#find(key);
    if (i >= 0 && this.#cells[2 * i + 1] === value) this.#removeAt(i);
  }

  /** Removes every key. */
  clear(): void {
    const cells = this.#cells;
    for (let i = 1; i < cells.length; i += 2) cells[i] = -1;
    this.#size = 0;
  }

  /** The bucket holding `key`, or -1. */
  #find(key: number): number {
    const cells = this.#cells;
    const mask = this.#mask;
    for (let i = keyHash32(key) & mask; ; i = (i + 1) & mask) {
      if (cells[2 * i + 1]! < 0) return -1;
      if (cells[2 * i] === key) return i;
    }
  }

  /** Empties bucket `hole` (occupied). */
  #removeAt(hole: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let i = hole;
    this.#size--;
    // Backward shift: pull later members of the probe run into the hole when their home bucket
    // does not lie cyclically in (hole, j].
    for (let j = (i + 1) & mask; cells[2 * j + 1]! >= 0; j = (j + 1) & mask) {
      const home = keyHash32(cells[2 * j]!) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        cells[2 * i] = cells[2 * j]!;
        cells[2 * i + 1] = cells[2 * j + 1]!;
        i = j;
      }
    }
    cells[2 * i + 1] = -1;
  }
}

/** Mixes both 32-bit halves of an integer key below 2^53 (murmur3 finaliser) into an int32. */
export function keyHash32(key: number): number {
  let h = (key >>> 0) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
