import { FeatureGhosts, GHOST_STRIDE } from './feature-ghosts.ts';

/**
 * Rows moved from the table being outgrown per claim: at least one, so that the move ends before
 * the new table (twice the room) can fill and displace an old row not yet moved.
 */
const MOVE_PER_CLAIM = 2;

/**
 * The ghost table of a cache whose resident count outgrows it (a node sizes the first table
 * from a byte budget, so it cannot know how many keys it will hold). The same calls as
 * `FeatureGhosts`; `grow` switches to a larger table and moves the rows of the old one across
 * a few per claim, oldest first, instead of in one pause (re-claiming 2M rows takes about
 * 0.6 s). Until the move ends a key is looked up in both; one found in the old table is moved
 * at once, so every offset returned is in `rows` (the new table's).
 *
 * The new table has at least twice the old one's room, and the old rows are all moved within
 * as many claims as the old table had rows, so nothing is displaced before they are in: every
 * remembered key stays remembered through a growth. The order only changes where a claim and
 * a move interleave (a key claimed during the move may be older than an old row moved after it).
 */
export class GrowingGhosts {
  #table: FeatureGhosts;
  /** The table being emptied into `#table`, or null. */
  #old: FeatureGhosts | null = null;
  /** Ring positions of `#old` looked at so far, oldest first. */
  #moved = 0;

  constructor(capacity: number) {
    this.#table = new FeatureGhosts(capacity);
  }

  get capacity(): number {
    return this.#table.capacity;
  }

  /** The rows every returned offset refers to (they change with `grow`). */
  get rows(): Float64Array {
    return this.#table.rows;
  }

  get size(): number {
    return this.#table.size + (this.#old?.size ?? 0);
  }

  /** Whether rows of an outgrown table are still being moved. */
  get growing(): boolean {
    return this.#old !== null;
  }

  /** Switches to a table of `capacity` rows (ignored unless larger); the rows follow. */
  grow(capacity: number): void {
    if (capacity <= this.#table.capacity) return;
    while (this.#old !== null) this.#step();
    this.#old = this.#table;
    this.#moved = 0;
    this.#table = new FeatureGhosts(capacity);
  }

  /**
   * Switches to a table of `capacity` rows (ignored unless smaller) that keeps the newest
   * `capacity` rows, in their order; older keys are forgotten. At once, not a few per claim: the
   * work is bounded by the new, smaller table, and a lowered budget (CONFIG SET maxmemory, which
   * evicts at once too) must free the memory now.
   */
  shrink(capacity: number): void {
    const keep = Math.max(0, Math.floor(capacity));
    if (keep >= this.#table.capacity) return;
    while (this.#old !== null) this.#step();
    const old = this.#table;
    this.#table = new FeatureGhosts(keep);
    for (let age = old.capacity - keep; age < old.capacity; age++) {
      const from = old.offsetByAge(age);
      const keyId = old.keyAt(from);
      if (keyId === keyId && old.take(keyId) >= 0) this.#copy(old.rows, from, keyId);
    }
  }

  find(keyId: number): number {
    const g = this.#table.find(keyId);
    return g >= 0 || this.#old === null ? g : this.#adopt(keyId);
  }

  claim(keyId: number): number {
    // An older row of the key in the outgrown table is superseded by this one.
    if (this.#old !== null) {
      this.#old.take(keyId);
      this.#step();
    }
    return this.#table.claim(keyId);
  }

  take(keyId: number): number {
    const g = this.#table.take(keyId);
    if (g >= 0 || this.#old === null) return g;
    return this.#adopt(keyId) < 0 ? -1 : this.#table.take(keyId);
  }

  clear(): void {
    this.#table.clear();
    this.#old = null;
  }

  /** Moves `keyId`'s row from the outgrown table, if it is there; its offset now, or -1. */
  #adopt(keyId: number): number {
    const old = this.#old!;
    const from = old.take(keyId);
    return from < 0 ? -1 : this.#copy(old.rows, from, keyId);
  }

  /** Moves the next MOVE_PER_CLAIM ring positions of the outgrown table (oldest first). */
  #step(): void {
    const old = this.#old!;
    for (let k = 0; k < MOVE_PER_CLAIM && this.#moved < old.capacity; k++) {
      const from = old.offsetByAge(this.#moved++);
      const keyId = old.keyAt(from);
      // NaN: no one's row (never claimed, taken back or superseded).
      if (keyId === keyId && old.take(keyId) >= 0) this.#copy(old.rows, from, keyId);
    }
    if (this.#moved === old.capacity) this.#old = null;
  }

  #copy(rows: Float64Array, from: number, keyId: number): number {
    const to = this.#table.claim(keyId);
    const into = this.#table.rows;
    for (let f = 1; f < GHOST_STRIDE; f++) into[to + f] = rows[from + f]!;
    return to;
  }
}
