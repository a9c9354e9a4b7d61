/**
 * The hottest keys of a stream in bounded memory: the Space-Saving algorithm (Metwally, Agrawal
 * and El Abbadi, "Efficient computation of frequent and top-k elements in data streams", 2005).
 *
 * It keeps `capacity` counters. A key already counted gets its counter increased; a new key takes
 * over the smallest counter, inherits its value as the key's possible overcount (`error`), and
 * adds its own weight. Hence, after N requests in total, for every counted key:
 *   count − error ≤ true count ≤ count,
 * the smallest counter is at most N / capacity, and any key seen more than N / capacity times is
 * counted. The counters sit in a binary min-heap (O(log capacity) per request, weights allowed),
 * with a Map from key to heap slot.
 *
 * Keys are strings; a caller holding a Buffer passes its latin1 string (`buf.latin1Slice()`).
 */

/** One hot key: its estimated count and the most that estimate can exceed the truth by. */
export interface HotKey {
  readonly key: string;
  readonly count: number;
  readonly error: number;
}

/** A Space-Saving summary of the top keys of a stream. */
export class TopKeys {
  readonly capacity: number;
  readonly #keys: string[] = [];
  readonly #counts: Float64Array;
  readonly #errors: Float64Array;
  readonly #slots = new Map<string, number>();
  #total = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#counts = new Float64Array(capacity);
    this.#errors = new Float64Array(capacity);
  }

  /** The total weight recorded since creation or the last clear(). */
  get total(): number {
    return this.#total;
  }

  /** Records `weight` (default 1) requests for `key`. */
  record(key: string, weight = 1): void {
    this.#total += weight;
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      this.#counts[slot]! += weight;
      this.#siftDown(slot);
      return;
    }
    if (this.#keys.length < this.capacity) {
      const last = this.#keys.length;
      this.#keys.push(key);
      this.#counts[last] = weight;
      this.#errors[last] = 0;
      this.#slots.set(key, last);
      this.#siftUp(last);
      return;
    }
    // Evict the smallest counter: the newcomer may be that old, so its error is that count.
    this.#slots.delete(this.#keys[0]!);
    this.#keys[0] = key;
    this.#errors[0] = this.#counts[0]!;
    this.#counts[0]! += weight;
    this.#slots.set(key, 0);
    this.#siftDown(0);
  }

  /** The estimate for one key, or undefined when it is not counted (its count is ≤ min). */
  estimate(key: string): HotKey | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : this.#entry(slot);
  }

  /** The `n` (default all) counted keys with the highest counts, highest first. */
  top(n = this.capacity): HotKey[] {
    const entries = this.#keys.map((_, slot) => this.#entry(slot));
    entries.sort((a, b) => b.count - a.count || a.error - b.error);
    return entries.slice(0, n);
  }

  /** Forgets everything (for a new measurement window). */
  clear(): void {
    this.#keys.length = 0;
    this.#slots.clear();
    this.#total = 0;
  }

  #entry(slot: number): HotKey {
    return { key: this.#keys[slot]!, count: this.#counts[slot]!, error: this.#errors[slot]! };
  }

  #siftUp(slot: number): void {
    let child = slot;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (this.#counts[parent]! <= this.#counts[child]!) return;
      this.#swap(parent, child);
      child = parent;
    }
  }

  #siftDown(slot: number): void {
    const size = this.#keys.length;
    let parent = slot;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && this.#counts[right]! < this.#counts[left]! ? right : left;
      if (this.#counts[parent]! <= this.#counts[child]!) return;
      this.#swap(parent, child);
      parent = child;
    }
  }

  #swap(a: number, b: number): void {
    const keys = this.#keys;
    const [keyA, keyB] = [keys[a]!, keys[b]!];
    keys[a] = keyB;
    keys[b] = keyA;
    this.#slots.set(keyB, a);
    this.#slots.set(keyA, b);
    const counts = this.#counts;
    const count = counts[a]!;
    counts[a] = counts[b]!;
    counts[b] = count;
    const errors = this.#errors;
    const error = errors[a]!;
    errors[a] = errors[b]!;
    errors[b] = error;
  }
}
