/**
 * A hash map from numeric key ids to non-negative int32 values (slots), with open addressing and
 * linear probing on typed arrays. A JS `Map` boxes keys beyond the small-integer range on every
 * lookup; this does not allocate per operation, which is what lets the simulator's loop run at
 * millions of requests a second. Deletion shifts the following entries back (no tombstones), so
 * lookups stay short however many keys come and go.
 */
export class KeyIndex {
  #keys: Float64Array;
  /** -1 marks an empty bucket. */
  #values: Int32Array;
  #mask: number;
  #size = 0;

  constructor(expectedSize = 1024) {
    const buckets = bucketsFor(expectedSize);
    this.#keys = new Float64Array(buckets);
    this.#values = new Int32Array(buckets).fill(-1);
    this.#mask = buckets - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    for (let i = hashKey(key) & mask; ; i = (i + 1) & mask) {
      const value = values[i]!;
      if (value === -1 || keys[i] === key) return value;
    }
  }

  /** Stores `value` (>= 0) for `key`, replacing any previous value. */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#values.length) this.#rehash(this.#values.length * 2);
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let i = hashKey(key) & mask;
    while (values[i] !== -1 && keys[i] !== key) i = (i + 1) & mask;
    if (values[i] === -1) this.#size++;
    keys[i] = key;
    values[i] = value;
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: number): boolean {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let hole = hashKey(key) & mask;
    for (; ; hole = (hole + 1) & mask) {
      if (values[hole] === -1) return false;
      if (keys[hole] === key) break;
    }
    // Backward-shift deletion: move up every later entry of the run whose home bucket does not
    // lie cyclically in (hole, j], so that no probe sequence crosses an empty bucket.
    for (let j = (hole + 1) & mask; values[j] !== -1; j = (j + 1) & mask) {
      const home = hashKey(keys[j]!) & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys[hole] = keys[j]!;
      values[hole] = values[j]!;
      hole = j;
    }
    values[hole] = -1;
    this.#size--;
    return true;
  }

  /** Calls `visit` for every entry, in no particular order. */
  forEach(visit: (key: number, value: number) => void): void {
    for (let i = 0; i < this.#values.length; i++) {
      if (this.#values[i] !== -1) visit(this.#keys[i]!, this.#values[i]!);
    }
  }

  clear(): void {
    this.#values.fill(-1);
    this.#size = 0;
  }

  #rehash(buckets: number): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    this.#keys = new Float64Array(buckets);
    this.#values = new Int32Array(buckets).fill(-1);
    this.#mask = buckets - 1;
    this.#size = 0;
    for (let i = 0; i < oldValues.length; i++) {
      if (oldValues[i] !== -1) this.set(oldKeys[i]!, oldValues[i]!);
    }
  }
}

/** A power of two at least twice `expected`, so that the table starts at most half full. */
function bucketsFor(expected: number): number {
  let buckets = 16;
  while (buckets < expected * 2) buckets *= 2;
  return buckets;
}

/**
 * Mixes both 32-bit halves of an integer-valued double. Trace keys are often consecutive block
 * numbers, so the low bits alone would fill runs of neighbouring buckets; the multiply-xorshift
 * spreads them.
 */
export function hashKey(key: number): number {
  const low = key >>> 0;
  const high = (key / 4294967296) | 0;
  let h = Math.imul(low ^ Math.imul(high, 0x27d4eb2f), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
