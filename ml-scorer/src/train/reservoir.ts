import type { Random } from '../../../node/src/util/random.ts';

/**
 * A uniform sample of at most `capacity` labelled feature rows from a stream of any length
 * (Vitter's algorithm R, seeded): after n offers, every offered row is kept with probability
 * capacity / n. Training then costs the same however long the trace or the uptime.
 */
export class RowReservoir {
  readonly capacity: number;
  readonly nFeatures: number;
  readonly #rows: Float32Array;
  readonly #labels: Float32Array;
  readonly #random: Random;
  #seen = 0;

  constructor(capacity: number, nFeatures: number, random: Random) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`reservoir capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.nFeatures = nFeatures;
    this.#rows = new Float32Array(capacity * nFeatures);
    this.#labels = new Float32Array(capacity);
    this.#random = random;
  }

  /** Rows offered so far. */
  get seen(): number {
    return this.#seen;
  }

  /** Rows held: min(seen, capacity). */
  get size(): number {
    return Math.min(this.#seen, this.capacity);
  }

  /**
   * Offers the row `row[offset … offset + nFeatures)` with its label; copies it if kept.
   * Returns whether it was kept.
   */
  offer(row: Float32Array, offset: number, label: number): boolean {
    const n = this.#seen++;
    const at = n < this.capacity ? n : this.#random.int(n + 1);
    if (at >= this.capacity) return false;
    const f = this.nFeatures;
    this.#rows.set(row.subarray(offset, offset + f), at * f);
    this.#labels[at] = label;
    return true;
  }

  /**
   * Copies of the rows and labels held, in fresh buffers of exact length: safe to transfer to a
   * training worker while the reservoir keeps filling.
   */
  snapshot(): { rows: Float32Array; labels: Float32Array } {
    const n = this.size;
    return {
      rows: this.#rows.slice(0, n * this.nFeatures),
      labels: this.#labels.slice(0, n),
    };
  }

  /** Empties the reservoir (for example after a retrain that should not reuse old rows). */
  clear(): void {
    this.#seen = 0;
  }
}
