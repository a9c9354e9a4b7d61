/**
 * A fixed-capacity hash map from key id (an integer below 2^53) to a small non-negative int,
 * stored in two typed arrays: open addressing, linear probing, backward-shift deletion (so no
 * tombstones build up under constant churn).
 *
 * Why not a Map: the ghost table inserts and deletes on every eviction, and the node's key ids
 * are 53-bit hashes, which a Map keeps as heap numbers. Under that churn a Map measured 2–3.5×
 * slower than this table (16K and 1M keys, ml-scorer/README.md), and this table's memory is
 * fixed up front with nothing for the GC to trace.
 */
export class KeyIndex {
  readonly #keys: Float64Array;
  /** -1 marks an empty bucket. */
  readonly #values: Int32Array;
  readonly #mask: number;
  #size = 0;

  /** A table for at most `maxKeys` keys, kept at most half full. */
  constructor(maxKeys: number) {
    let n = 2;
    while (n < maxKeys * 2) n *= 2;
    this.#keys = new Float64Array(n);
    this.#values = new Int32Array(n).fill(-1);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const values = this.#values;
    for (let i = bucket(key) & this.#mask; ; i = (i + 1) & this.#mask) {
      const v = values[i]!;
      if (v < 0 || keys[i] === key) return v;
    }
  }

  /** Stores `value` (≥ 0) for `key`. The caller keeps the key count within `maxKeys`. */
  set(key: number, value: number): void {
    const keys = this.#keys;
    const values = this.#values;
    let i = bucket(key) & this.#mask;
    while (values[i]! >= 0 && keys[i] !== key) i = (i + 1) & this.#mask;
    if (values[i]! < 0) this.#size++;
    keys[i] = key;
    values[i] = value;
  }

  /** Removes `key` if present. */
  delete(key: number): void {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let i = bucket(key) & mask;
    for (; ; i = (i + 1) & mask) {
      if (values[i]! < 0) return;
      if (keys[i] === key) break;
    }
    this.#size--;
    // Backward shift: pull later members of the probe run into the hole when their home bucket
    // does not lie cyclically in (hole, j].
    for (let j = (i + 1) & mask; values[j]! >= 0; j = (j + 1) & mask) {
      const home = bucket(keys[j]!) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j]!;
        values[i] = values[j]!;
        i = j;
      }
    }
    values[i] = -1;
  }

  /** Removes every key. */
  clear(): void {
    this.#values.fill(-1);
    this.#size = 0;
  }
}

/** Mixes both 32-bit halves of an integer key below 2^53 (murmur3 finaliser). */
function bucket(key: number): number {
  let h = (key >>> 0) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
