import { Doorkeeper } from './doorkeeper.ts';
import { hashKeyId } from './key-hash.ts';

/** Rows of the sketch, one hash each (Caffeine's FrequencySketch uses 4). */
const DEPTH = 4;
/** Counters are 4 bits (TinyLFU §3.3 / Caffeine): a frequency beyond 15 tells nothing more. */
const MAX_COUNT = 15;
/** Samples between two halvings, per expected entry (TinyLFU's W = 10 x cache size; Caffeine). */
const SAMPLE_FACTOR = 10;
/**
 * Columns per expected entry: 4 rows x 4 = 16 counters per entry, as Caffeine's FrequencySketch
 * (one 64-bit word of sixteen 4-bit counters per entry). Fewer let a scan's keys saturate the
 * counters within one sample.
 */
const COLUMNS_PER_ENTRY = 4;
/**
 * Doorkeeper bits per sample increment: a sample of n increments sees at most n distinct keys,
 * and 8 bits per key with 3 hashes keep false positives near 3% even then.
 */
const DOORKEEPER_BITS_PER_SAMPLE = 8;
/** The widest row: 2^26 columns (256 MiB of counters at most) bounds memory on huge nodes. */
const MAX_WIDTH = 1 << 26;
const MIN_WIDTH = 16;

/**
 * TinyLFU's approximate frequency histogram (Einziger, Friedman & Manes, ACM ToS 2017): a
 * count-min sketch of 4 rows of saturating 4-bit counters (one byte each here, for speed),
 * `width` = the next power of two >= the expected number of entries, behind a doorkeeper Bloom
 * filter. Every `sampleSize` = 10 x entries increments, all counters are halved and the
 * doorkeeper is emptied (the "reset" of §3.3), so old popularity fades.
 *
 * The estimate of a key is the minimum of its 4 counters, plus 1 if the doorkeeper holds it.
 * Key ids are hashed with the seed, so a run is reproducible and two nodes' sketches differ.
 *
 * It can grow: `ensureCapacity` widens it to a larger power of two by tiling the counters, which
 * keeps every key's estimate (column i of the wider row reads column i mod old width, the very
 * counter that key used). So a policy can size it to the entries it really holds, as Caffeine
 * does for weighted caches, where the capacity (bytes) says nothing about the entry count.
 */
export class CountMinSketch {
  readonly #seed: number;
  #width: number;
  #counters: Uint8Array<ArrayBuffer>;
  #doorkeeper: Doorkeeper;
  #entries: number;
  #samples = 0;

  constructor(entries: number, seed: number) {
    this.#seed = (seed ^ 0x5bd1e995) >>> 0;
    this.#entries = Math.max(1, entries);
    this.#width = widthFor(this.#entries);
    this.#counters = new Uint8Array(DEPTH * this.#width);
    this.#doorkeeper = new Doorkeeper(doorkeeperBitsFor(this.#entries));
  }

  /** The number of entries the sketch is sized for. */
  get entries(): number {
    return this.#entries;
  }

  /** Increments between two halvings (the hill climber of W-TinyLFU uses it as its period). */
  get sampleSize(): number {
    return SAMPLE_FACTOR * this.#entries;
  }

  /** Counts one occurrence of `keyId`. */
  increment(keyId: number): void {
    const h1 = hashKeyId(keyId, this.#seed);
    const h2 = second(h1);
    if (this.#doorkeeper.admit(h1, h2)) {
      const mask = this.#width - 1;
      const counters = this.#counters;
      for (let row = 0; row < DEPTH; row++) {
        const at = row * this.#width + ((h1 + Math.imul(row, h2)) & mask);
        const count = counters[at] as number;
        if (count < MAX_COUNT) counters[at] = count + 1;
      }
    }
    if (++this.#samples >= this.sampleSize) this.#reset();
  }

  /** The estimated count of `keyId` in the current sample, 0 to 16. */
  frequency(keyId: number): number {
    const h1 = hashKeyId(keyId, this.#seed);
    const h2 = second(h1);
    const mask = this.#width - 1;
    const counters = this.#counters;
    let min = MAX_COUNT;
    for (let row = 0; row < DEPTH; row++) {
      const count = counters[row * this.#width + ((h1 + Math.imul(row, h2)) & mask)] as number;
      if (count < min) min = count;
    }
    return this.#doorkeeper.contains(h1, h2) ? min + 1 : min;
  }

  /** Sizes the sketch for at least `entries` entries (never shrinks). */
  ensureCapacity(entries: number): void {
    if (entries <= this.#entries) return;
    this.#entries = entries;
    const bits = doorkeeperBitsFor(entries);
    if (bits > this.#doorkeeper.bits) this.#doorkeeper.grow(bits);
    const width = widthFor(entries);
    if (width <= this.#width) return;
    const old = this.#counters;
    const oldWidth = this.#width;
    const counters = new Uint8Array(DEPTH * width);
    for (let row = 0; row < DEPTH; row++) {
      const source = old.subarray(row * oldWidth, (row + 1) * oldWidth);
      for (let at = 0; at < width; at += oldWidth) counters.set(source, row * width + at);
    }
    this.#counters = counters;
    this.#width = width;
  }

  /** Halves every counter and empties the doorkeeper (TinyLFU's reset). */
  #reset(): void {
    // Four counters per 32-bit word: shift them all, then clear the bit each one got from the
    // counter above it.
    const words = new Uint32Array(this.#counters.buffer);
    for (let i = 0; i < words.length; i++) words[i] = ((words[i] as number) >>> 1) & 0x7f7f7f7f;
    this.#doorkeeper.clear();
    this.#samples = this.#samples >>> 1;
  }
}

/**
 * The stride of double hashing (Kirsch & Mitzenmacher): row i reads column h1 + i*h2. The hash's
 * high half rotated down is independent of the low bits that pick row 0's column; odd, so the
 * rows of a power-of-two width never coincide.
 */
function second(h1: number): number {
  return ((h1 >>> 16) | (h1 << 16) | 1) >>> 0;
}

function widthFor(entries: number): number {
  return powerOfTwoAtLeast(COLUMNS_PER_ENTRY * entries, MIN_WIDTH, MAX_WIDTH);
}

function doorkeeperBitsFor(entries: number): number {
  return powerOfTwoAtLeast(DOORKEEPER_BITS_PER_SAMPLE * SAMPLE_FACTOR * entries, 32, 2 ** 30);
}

function powerOfTwoAtLeast(value: number, min: number, max: number): number {
  let result = min;
  while (result < value && result < max) result *= 2;
  return result;
}
