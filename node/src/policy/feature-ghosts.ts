import { KeyIndex } from './feature-key-index.ts';

/** Layout of one ghost row: 8 doubles, one 64-byte cache line. */
export const G_KEY = 0;
export const G_LAST = 1;
export const G_COUNT = 2;
export const G_GAP1 = 3;
export const G_GAP2 = 4;
export const G_EDC0 = 5; // G_EDC0 + k for the k-th half-life
export const GHOST_STRIDE = 8;

/**
 * A bounded memory of recently removed keys: key id → the access history the features need
 * (last access, count, the two newest gaps, the decayed counters). A key that returns picks its
 * history up again instead of looking brand new, and a label logger can still see when an evicted
 * key was last touched.
 *
 * A ring of `capacity` rows in FIFO order plus an index from key id to ring position. Taking a
 * row back (the key returned) only drops its index entry; the position is reused when the ring
 * wraps, so the table holds at most `capacity` keys and every operation is O(1).
 */
export class FeatureGhosts {
  readonly capacity: number;
  /** `capacity` rows of GHOST_STRIDE doubles (layout above). */
  readonly rows: Float64Array;
  readonly #index: KeyIndex;
  #head = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity));
    this.rows = new Float64Array(this.capacity * GHOST_STRIDE);
    this.#index = new KeyIndex(this.capacity);
  }

  /** Number of keys remembered. */
  get size(): number {
    return this.#index.size;
  }

  /** The offset in `rows` of `keyId`'s row, or -1 if it is not remembered. */
  find(keyId: number): number {
    if (this.capacity === 0) return -1;
    const i = this.#index.get(keyId);
    return i < 0 ? -1 : i * GHOST_STRIDE;
  }

  /**
   * Claims a ring position for `keyId`, displacing the oldest row when full, and returns the
   * offset of its row in `rows`; the caller then fills it. Returns -1 when the capacity is 0.
   */
  claim(keyId: number): number {
    if (this.capacity === 0) return -1;
    const index = this.#index;
    const i = this.#head;
    this.#head = i + 1 === this.capacity ? 0 : i + 1;
    const base = i * GHOST_STRIDE;
    // Only drop the displaced key if this position is still its live row (it may have been
    // remembered again at a newer position). A row taken back has NaN for its key: nothing to
    // drop, and no probe of the index for it.
    const displaced = this.rows[base + G_KEY]!;
    if (!Number.isNaN(displaced)) index.deleteIf(displaced, i);
    this.rows[base + G_KEY] = keyId;
    // An older row of the same key (removed twice without a return) is superseded: the index
    // now points here, and that row is not dropped when its position comes round.
    index.set(keyId, i);
    return base;
  }

  /**
   * Forgets `keyId` (it became resident again) and returns the offset of its row, whose history
   * stays readable until its ring position is reused by a later `claim` (its key is set to NaN:
   * the row is no one's any more); -1 if it is not remembered.
   */
  take(keyId: number): number {
    if (this.capacity === 0) return -1;
    const i = this.#index.take(keyId);
    if (i < 0) return -1;
    const base = i * GHOST_STRIDE;
    this.rows[base + G_KEY] = Number.NaN;
    return base;
  }

  /** Forgets `keyId` (it became resident again); its ring position stays until reused. */
  release(keyId: number): void {
    this.#index.delete(keyId);
  }

  /** Forgets every key. */
  clear(): void {
    this.#index.clear();
    this.#head = 0;
  }
}
