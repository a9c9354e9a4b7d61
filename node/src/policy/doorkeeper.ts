/**
 * TinyLFU's doorkeeper (Einziger, Friedman & Manes, ACM ToS 2017, §3.4.2): a Bloom filter in
 * front of the counting sketch. A key's first occurrence in a sample only sets its bits here, so
 * the many keys seen once never reach (and never pollute) the sketch's counters; the filter is
 * emptied at every reset. Bits are indexed by double hashing (Kirsch & Mitzenmacher).
 */
export class Doorkeeper {
  #words: Uint32Array;
  #mask: number;

  /** `bits` must be a power of two, at least 32. */
  constructor(bits: number) {
    this.#words = new Uint32Array(bits >>> 5);
    this.#mask = bits - 1;
  }

  get bits(): number {
    return this.#mask + 1;
  }

  /** Sets the key's bits; returns whether they were all set already (the key was let in). */
  admit(h1: number, h2: number): boolean {
    let present = true;
    for (let i = 0; i < DOORKEEPER_HASHES; i++) {
      const bit = (h1 + Math.imul(i + 1, h2)) & this.#mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      const value = this.#words[word] as number;
      if ((value & flag) === 0) {
        present = false;
        this.#words[word] = value | flag;
      }
    }
    return present;
  }

  contains(h1: number, h2: number): boolean {
    for (let i = 0; i < DOORKEEPER_HASHES; i++) {
      const bit = (h1 + Math.imul(i + 1, h2)) & this.#mask;
      if (((this.#words[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  clear(): void {
    this.#words.fill(0);
  }

  /**
   * Grows to `bits` (a larger power of two) without forgetting anyone: the old bits are tiled,
   * so bit i of the new filter is bit (i mod old size) of the old one, exactly the bit each key
   * mapped to before.
   */
  grow(bits: number): void {
    const old = this.#words;
    const words = new Uint32Array(bits >>> 5);
    for (let at = 0; at < words.length; at += old.length) words.set(old, at);
    this.#words = words;
    this.#mask = bits - 1;
  }
}

/** Bits set per key: 3 keeps false positives near 1-5% at the sizes the sketch picks. */
const DOORKEEPER_HASHES = 3;
