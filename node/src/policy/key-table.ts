import { hashKeyId } from './key-hash.ts';

const EMPTY = Number.NaN;
const INITIAL_CAPACITY = 64;
/** Seed of the table's hash; any constant works, it only has to differ from the sketches'. */
const SEED = 0x2545f491;

/**
 * A hash map from key id (any number but NaN) to a non-negative int32, for the ghost lists'
 * "is this missed key a ghost?" lookup on every miss. It is an open-addressing table with linear
 * probing in typed arrays, kept at most half full, with backward-shift deletion (no tombstones,
 * so probes stay short however many ghosts come and go). It is several times faster than a
 * `Map<number, number>` for this load and allocates nothing per entry.
 */
export class KeyTable {
  #keys: Float64Array;
  #values: Int32Array;
  /** Each occupied cell's hash, so deletion need not rehash the keys it shifts. */
  #hashes: Uint32Array;
  #mask: number;
  #size = 0;

  constructor() {
    this.#keys = new Float64Array(INITIAL_CAPACITY).fill(EMPTY);
    this.#values = new Int32Array(INITIAL_CAPACITY);
    this.#hashes = new Uint32Array(INITIAL_CAPACITY);
    this.#mask = INITIAL_CAPACITY - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let at = hashKeyId(key, SEED) & mask; ; at = (at + 1) & mask) {
      const stored = keys[at] as number;
      if (stored === key) return this.#values[at] as number;
      if (stored !== stored) return -1;
    }
  }

  /** Stores `value` (>= 0) for `key`; returns the value it replaced, or -1 if it is new. */
  set(key: number, value: number): number {
    if (2 * (this.#size + 1) > this.#keys.length) this.#grow();
    const hash = hashKeyId(key, SEED);
    const keys = this.#keys;
    const mask = this.#mask;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const stored = keys[at] as number;
      if (stored === key) {
        const previous = this.#values[at] as number;
        this.#values[at] = value;
        return previous;
      }
      if (stored !== stored) {
        keys[at] = key;
        this.#values[at] = value;
        this.#hashes[at] = hash;
        this.#size++;
        return -1;
      }
    }
  }

  /** Removes `key`; returns its value, or -1 if it was absent. */
  delete(key: number): number {
    const keys = this.#keys;
    const hashes = this.#hashes;
    const mask = this.#mask;
    let hole = hashKeyId(key, SEED) & mask;
    for (; ; hole = (hole + 1) & mask) {
      const stored = keys[hole] as number;
      if (stored === key) break;
      if (stored !== stored) return -1;
    }
    const value = this.#values[hole] as number;
    // Backward shift: pull later cells of the probe run into the hole unless that would move
    // them before their home cell.
    for (let at = (hole + 1) & mask; keys[at] === keys[at]; at = (at + 1) & mask) {
      const home = (hashes[at] as number) & mask;
      const between = hole <= at ? hole < home && home <= at : hole < home || home <= at;
      if (between) continue;
      keys[hole] = keys[at] as number;
      this.#values[hole] = this.#values[at] as number;
      hashes[hole] = hashes[at] as number;
      hole = at;
    }
    keys[hole] = EMPTY;
    this.#size--;
    return value;
  }

  clear(): void {
    this.#keys = new Float64Array(INITIAL_CAPACITY).fill(EMPTY);
    this.#values = new Int32Array(INITIAL_CAPACITY);
    this.#hashes = new Uint32Array(INITIAL_CAPACITY);
    this.#mask = INITIAL_CAPACITY - 1;
    this.#size = 0;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const oldHashes = this.#hashes;
    const capacity = oldKeys.length * 2;
    const keys = new Float64Array(capacity).fill(EMPTY);
    const values = new Int32Array(capacity);
    const hashes = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i] as number;
      if (key !== key) continue;
      const hash = oldHashes[i] as number;
      let at = hash & mask;
      while (keys[at] === keys[at]) at = (at + 1) & mask;
      keys[at] = key;
      values[at] = oldValues[i] as number;
      hashes[at] = hash;
    }
    this.#keys = keys;
    this.#values = values;
    this.#hashes = hashes;
    this.#mask = mask;
  }
}
