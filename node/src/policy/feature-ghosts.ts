import { keyHash32 } from './feature-key-index.ts';

/** Layout of one ghost row: 8 doubles, one 64-byte cache line. */
export const G_KEY = 0;
export const G_LAST = 1;
export const G_COUNT = 2;
export const G_GAP1 = 3;
export const G_GAP2 = 4;
export const G_EDC0 = 5; // G_EDC0 + k for the k-th half-life
export const GHOST_STRIDE = 8;

/** Claim numbers wrap at 2^31 (they live in an Int32Array whose -1 marks an empty bucket). */
const CLAIM_MASK = 0x7fffffff;
/** Index buckets the sweep looks at per claim (see `#sweep`). */
const SWEEP = 8;

/**
 * A bounded memory of recently removed keys: key id → the access history the features need
 * (last access, count, the two newest gaps, the decayed counters). A key that returns picks its
 * history up again instead of looking brand new, and a label logger can still see when an evicted
 * key was last touched.
 *
 * A ring of `capacity` rows in FIFO order plus an index from key id to ring position. Taking a
 * row back (the key returned) only drops its index entry; the position is reused when the ring
 * wraps, so the table holds at most `capacity` keys and every operation is O(1).
 *
 * The index costs one probe per claim and one per take. It is open addressing with linear
 * probing over 8-byte buckets (the key's 32-bit hash, then its claim number, adjacent in one
 * Int32Array: half the bytes of a bucket holding the key itself). A claim number says where the
 * row is (the ring position follows from how many claims came since) and whether it is still
 * live (at most `capacity` claims ago), so a claim that displaces the oldest row needs no probe
 * to drop that row's entry: it simply goes stale, and a sweep that walks a few buckets per claim
 * (sequential memory, no random access) deletes stale entries before they can crowd the table.
 * A hash match is confirmed against the full key in the row (G_KEY), so the index never needs
 * the key; a live entry's row always holds its key.
 */
export class FeatureGhosts {
  readonly capacity: number;
  /** `capacity` rows of GHOST_STRIDE doubles (layout above). */
  readonly rows: Float64Array;
  /** Bucket b: the key's hash at 2b, its claim number at 2b + 1 (-1: empty). */
  readonly #cells: Int32Array;
  readonly #mask: number;
  /** Ring position of the next claim. */
  #head = 0;
  /** Number of the next claim (mod 2^31). */
  #claims = 0;
  /**
   * Ring positions claimed since the last clear (the ring fills from 0): only their keys are
   * read. The rest hold zeros or old rows and count as no one's, so neither the constructor nor
   * `clear` writes every row (for 2^22 rows that was 0.1 s of page faults).
   */
  #filled = 0;
  #size = 0;
  /** The sweep's next bucket. */
  #cursor = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity));
    this.rows = new Float64Array(this.capacity * GHOST_STRIDE);
    // At most half full with live keys; the sweep keeps stale ones to a small share (SWEEP).
    let n = 16;
    while (n < this.capacity * 2) n *= 2;
    this.#cells = new Int32Array(2 * n);
    this.#mask = n - 1;
    this.clear();
  }

  /** Number of keys remembered. */
  get size(): number {
    return this.#size;
  }

  /** The offset in `rows` of `keyId`'s row, or -1 if it is not remembered. */
  find(keyId: number): number {
    if (this.capacity === 0) return -1;
    const b = this.#find(keyId);
    return b < 0 ? -1 : this.#position(this.#cells[2 * b + 1]!) * GHOST_STRIDE;
  }

  /**
   * Claims a ring position for `keyId`, displacing the oldest row when full, and returns the
   * offset of its row in `rows`; the caller then fills it. Returns -1 when the capacity is 0.
   */
  claim(keyId: number): number {
    if (this.capacity === 0) return -1;
    const rows = this.rows;
    const i = this.#head;
    this.#head = i + 1 === this.capacity ? 0 : i + 1;
    const claim = this.#claims;
    this.#claims = (claim + 1) & CLAIM_MASK;
    const base = i * GHOST_STRIDE;
    // The displaced row's index entry (if it still had one: a row taken back, released or
    // superseded has NaN for its key) is now stale; the sweep deletes it.
    if (i === this.#filled) {
      this.#filled++;
    } else {
      const displaced = rows[base + G_KEY]!;
      if (displaced === displaced) this.#size--;
    }
    rows[base + G_KEY] = keyId;
    this.#sweep();
    const cells = this.#cells;
    const mask = this.#mask;
    const h = keyHash32(keyId);
    for (let b = h & mask; ; b = (b + 1) & mask) {
      const c = cells[2 * b + 1]!;
      if (c < 0) {
        cells[2 * b] = h;
        cells[2 * b + 1] = claim;
        this.#size++;
        break;
      }
      if (cells[2 * b] === h && this.#live(c)) {
        const older = this.#position(c) * GHOST_STRIDE;
        if (rows[older + G_KEY] === keyId) {
          // Removed twice without a return: the older row is superseded (no one's any more).
          rows[older + G_KEY] = Number.NaN;
          cells[2 * b + 1] = claim;
          break;
        }
      }
    }
    return base;
  }

  /**
   * Forgets `keyId` (it became resident again) and returns the offset of its row, whose history
   * stays readable until its ring position is reused by a later `claim` (its key is set to NaN:
   * the row is no one's any more); -1 if it is not remembered.
   */
  take(keyId: number): number {
    if (this.capacity === 0) return -1;
    const b = this.#find(keyId);
    if (b < 0) return -1;
    const base = this.#position(this.#cells[2 * b + 1]!) * GHOST_STRIDE;
    this.#removeAt(b);
    this.#size--;
    this.rows[base + G_KEY] = Number.NaN;
    return base;
  }

  /**
   * The offset in `rows` of the ring position `age` places after the oldest (0: the position
   * the next claim reuses, which holds the oldest row once the ring wrapped).
   */
  offsetByAge(age: number): number {
    const i = this.#head + age;
    return (i < this.capacity ? i : i - this.capacity) * GHOST_STRIDE;
  }

  /**
   * The key of the row at `offset`, or NaN when it is no one's (never claimed since the last
   * clear, taken back, released or superseded).
   */
  keyAt(offset: number): number {
    return offset < this.#filled * GHOST_STRIDE ? this.rows[offset + G_KEY]! : Number.NaN;
  }

  /** Forgets `keyId` (it became resident again); its ring position stays until reused. */
  release(keyId: number): void {
    this.take(keyId);
  }

  /** Forgets every key. */
  clear(): void {
    this.#cells.fill(-1);
    this.#filled = 0;
    this.#head = 0;
    this.#claims = 0;
    this.#size = 0;
    this.#cursor = 0;
  }

  /** Whether claim number `c` is among the last `capacity` claims (its row is still its own). */
  #live(c: number): boolean {
    return ((this.#claims - c) & CLAIM_MASK) <= this.capacity;
  }

  /** The ring position of live claim number `c`. */
  #position(c: number): number {
    const at = this.#head - ((this.#claims - c) & CLAIM_MASK);
    return at < 0 ? at + this.capacity : at;
  }

  /** The bucket of `keyId`'s live entry, or -1. */
  #find(keyId: number): number {
    const cells = this.#cells;
    const mask = this.#mask;
    const h = keyHash32(keyId);
    for (let b = h & mask; ; b = (b + 1) & mask) {
      const c = cells[2 * b + 1]!;
      if (c < 0) return -1;
      if (
        cells[2 * b] === h &&
        this.#live(c) &&
        this.rows[this.#position(c) * GHOST_STRIDE + G_KEY] === keyId
      ) {
        return b;
      }
    }
  }

  /**
   * Deletes the stale entries among the next SWEEP buckets. Every bucket is visited once per
   * (buckets / SWEEP) claims, so an entry is deleted at most about twice that many claims after
   * it went stale (a backward shift may move it behind the sweep once): stale entries stay below
   * a quarter of the buckets, with live ones below half.
   */
  #sweep(): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let b = this.#cursor;
    for (let k = 0; k < SWEEP; k++) {
      const c = cells[2 * b + 1]!;
      // A deleted bucket takes a later entry of its run: look at it again.
      if (c >= 0 && !this.#live(c)) this.#removeAt(b);
      else b = (b + 1) & mask;
    }
    this.#cursor = b;
  }

  /** Empties bucket `hole` (occupied). */
  #removeAt(hole: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let i = hole;
    // Backward shift: pull later members of the probe run into the hole when their home bucket
    // does not lie cyclically in (hole, j]. The stored hash gives the home without rehashing.
    for (let j = (i + 1) & mask; cells[2 * j + 1]! >= 0; j = (j + 1) & mask) {
      const home = cells[2 * j]! & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        cells[2 * i] = cells[2 * j]!;
        cells[2 * i + 1] = cells[2 * j + 1]!;
        i = j;
      }
    }
    cells[2 * i + 1] = -1;
  }
}
