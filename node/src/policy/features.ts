/**
 * The eviction model's features: their schema, and the O(1) per-access state that produces them.
 * The node, the simulator and the trainer all use this file, so a model is always fed exactly the
 * features it was trained on; `FEATURE_SCHEMA_VERSION` travels inside every model and the scorer
 * refuses a model whose version differs.
 *
 * Time is the logical clock `t`: the cache's request counter (an integer), which is immune to
 * traffic-rate changes. Wall time (epoch ms) is used only for the remaining TTL. Missing values
 * are a large sentinel rather than NaN, so neither the trees nor ONNX need missing-value handling.
 */
import { decayFactor } from './feature-decay.ts';
import { G_COUNT, G_EDC0, G_GAP1, G_GAP2, G_LAST } from './feature-ghosts.ts';
import { GrowingGhosts } from './growing-ghosts.ts';
import {
  F32_STRIDE,
  F64_STRIDE,
  MAX_RECORD_SIZE,
  S_COUNT,
  S_EDC0,
  S_GAP1,
  S_GAP2,
  S_GAP3,
  S_INSERTED,
  S_KEY,
  S_LAST,
  S_SIZE,
  U32_STRIDE,
  FeatureTable,
} from './feature-table.ts';

/** Bump whenever a feature's meaning, unit or position changes. */
export const FEATURE_SCHEMA_VERSION = 1;

/** The features in row order (research note §4.2, f0–f11). */
export const FEATURE_NAMES: readonly string[] = Object.freeze([
  'age', // t − last access
  'freq', // accesses seen (capped at FREQ_CAP), including the ones before an eviction
  'gap1', // newest inter-access gap, in requests
  'gap2',
  'gap3',
  'edc10', // decayed access counter, half-life 2^10 requests
  'edc13', // half-life 2^13
  'edc16', // half-life 2^16
  'log2_size', // log2 of the entry's size in the cache's unit (≥ 0)
  'ttl_left_ms', // wall-clock ms until expiry, clamped to [0, MISSING]; MISSING without a TTL
  'residency', // t − the time the entry became resident
  'cache_usage', // the cache's usage fraction, passed in by the caller
]);

/** Values per row. */
export const FEATURE_COUNT = 12;

/** The value of a feature that does not exist yet (a gap never seen, no TTL). */
export const MISSING = 1e9;

/** The access counter saturates here (a 16-bit counter, as in the research note). */
export const FREQ_CAP = 65535;

/** Half-lives of the decayed counters, as powers of two of requests. */
export const EDC_HALF_LIFE_SHIFTS: readonly number[] = Object.freeze([10, 13, 16]);

export interface FeatureTrackerOptions {
  /** Slots to allocate up front; the table grows by doubling past it. @default 1024 */
  readonly initialSlots?: number;
  /** Removed keys whose history is remembered (FIFO). 0 disables the ghosts. @default 4096 */
  readonly ghostCapacity?: number;
  /** The most removed keys `growGhosts` may make room for. @default ghostCapacity (no growth) */
  readonly ghostMaxCapacity?: number;
}

/**
 * Per-slot feature state for one cache. The cache calls the `on*` methods as entries come, get
 * read and go (all O(1)), and `write` when it wants a row for the model.
 *
 * The half-life shifts below are literals (10, 13, 16) rather than reads of
 * EDC_HALF_LIFE_SHIFTS, which keeps the hot path free of array loads; a test ties them together.
 */
export class FeatureTracker {
  readonly #table: FeatureTable;
  readonly #ghosts: GrowingGhosts;
  #ghostMax: number;

  constructor(options: FeatureTrackerOptions = {}) {
    this.#table = new FeatureTable(options.initialSlots ?? 1024);
    this.#ghosts = new GrowingGhosts(options.ghostCapacity ?? 4096);
    this.#ghostMax = Math.max(this.#ghosts.capacity, options.ghostMaxCapacity ?? 0);
  }

  /**
   * Lets `growGhosts` go up to `keys`; a table already larger shrinks to `keys` rows, keeping
   * the newest (a lowered memory budget).
   */
  setGhostLimit(keys: number): void {
    this.#ghostMax = keys;
    this.#ghosts.shrink(keys);
  }

  /** How many removed keys the ghost table can hold now. */
  get ghostCapacity(): number {
    return this.#ghosts.capacity;
  }

  /**
   * Makes room for the history of `keys` removed keys (at least doubling, at most
   * `ghostMaxCapacity`), keeping every key remembered (the rows move a few per removal,
   * growing-ghosts.ts). A cache whose resident count outgrew its first guess (a node sizes it
   * from a byte budget) calls this so that evicted keys stay remembered for as long as in a
   * cache the table was sized for.
   */
  growGhosts(keys: number): void {
    const ghosts = this.#ghosts;
    if (keys <= ghosts.capacity || ghosts.capacity >= this.#ghostMax || ghosts.growing) return;
    ghosts.grow(Math.min(this.#ghostMax, Math.max(keys, 2 * ghosts.capacity)));
  }

  /**
   * A key became resident in `slot` at time `t`. This request counts as an access. If the key
   * was removed recently, its remembered history continues (the gap since its last access is
   * shifted in); otherwise it starts fresh. `expireAt` is epoch ms, 0 for none.
   */
  onInsert(slot: number, keyId: number, t: number, size: number, expireAt: number): void {
    const table = this.#table;
    table.ensure(slot);
    const f64 = table.f64;
    const f32 = table.f32;
    const a = slot * F64_STRIDE;
    const b = slot * F32_STRIDE;
    f64[a + S_KEY] = keyId;
    f64[a + S_INSERTED] = t;
    this.#setSize(slot, size);
    this.#setExpire(slot, expireAt);
    const ghosts = this.#ghosts;
    const g = ghosts.take(keyId);
    if (g < 0) {
      f64[a + S_LAST] = t;
      f32[b + S_COUNT] = 1;
      f32[b + S_EDC0] = 1;
      f32[b + S_EDC0 + 1] = 1;
      f32[b + S_EDC0 + 2] = 1;
      f32[b + S_GAP1] = MISSING;
      f32[b + S_GAP2] = MISSING;
      f32[b + S_GAP3] = MISSING;
      return;
    }
    const rows = ghosts.rows;
    f64[a + S_LAST] = rows[g + G_LAST]!;
    f32[b + S_COUNT] = rows[g + G_COUNT]!;
    f32[b + S_EDC0] = rows[g + G_EDC0]!;
    f32[b + S_EDC0 + 1] = rows[g + G_EDC0 + 1]!;
    f32[b + S_EDC0 + 2] = rows[g + G_EDC0 + 2]!;
    f32[b + S_GAP1] = rows[g + G_GAP1]!;
    f32[b + S_GAP2] = rows[g + G_GAP2]!;
    this.onAccess(slot, t);
  }

  /** The entry in `slot` was read at time `t`. */
  onAccess(slot: number, t: number): void {
    const f64 = this.#table.f64;
    const f32 = this.#table.f32;
    const a = slot * F64_STRIDE;
    const b = slot * F32_STRIDE;
    const delta = t - f64[a + S_LAST]!;
    f64[a + S_LAST] = t;
    const n = f32[b + S_COUNT]!;
    if (n < FREQ_CAP) f32[b + S_COUNT] = n + 1;
    f32[b + S_GAP3] = f32[b + S_GAP2]!;
    f32[b + S_GAP2] = f32[b + S_GAP1]!;
    f32[b + S_GAP1] = delta;
    f32[b + S_EDC0] = 1 + f32[b + S_EDC0]! * decayFactor(delta, 10);
    f32[b + S_EDC0 + 1] = 1 + f32[b + S_EDC0 + 1]! * decayFactor(delta, 13);
    f32[b + S_EDC0 + 2] = 1 + f32[b + S_EDC0 + 2]! * decayFactor(delta, 16);
  }

  /** The entry in `slot` was overwritten at time `t`: an access with a new size and expiry. */
  onUpdate(slot: number, t: number, size: number, expireAt: number): void {
    this.#setSize(slot, size);
    this.#setExpire(slot, expireAt);
    this.onAccess(slot, t);
  }

  /** Makes room for `slot`'s record (inserts do it themselves); existing records are kept. */
  ensure(slot: number): void {
    this.#table.ensure(slot);
  }

  /**
   * The records seen as uint32s, for the ML policy's per-slot version and pooled mark (S_VERSION
   * and S_POOLED of record `slot * U32_STRIDE`; feature-table.ts). A growth replaces the array:
   * read this again after any insert.
   */
  get slotWords(): Uint32Array {
    return this.#table.u32;
  }

  /**
   * The key id of the entry in `slot` (as of its insert; after a removal, until the slot is
   * reused, the key that left). Kept in the slot's record, which a request for the slot reads
   * anyway, so the policy needs no array of its own for it.
   */
  keyOf(slot: number): number {
    return this.#table.f64[slot * F64_STRIDE + S_KEY]!;
  }

  /** The logical time of the last access to the entry in `slot` (its insert, hit or overwrite). */
  lastAccessOf(slot: number): number {
    return this.#table.f64[slot * F64_STRIDE + S_LAST]!;
  }

  /** The accesses seen of the key in `slot` (capped at FREQ_CAP), its history included. */
  countOf(slot: number): number {
    return this.#table.f32[slot * F32_STRIDE + S_COUNT]!;
  }

  /** The size of the entry in `slot` (as of its insert or last overwrite), like `keyOf`. */
  sizeOf(slot: number): number {
    return this.#table.u32[slot * U32_STRIDE + S_SIZE]!;
  }

  /**
   * The entry's expiry changed (EXPIRE, PERSIST, or a SET with a TTL right after its insert or
   * overwrite) without an access to its value; epoch ms, 0 for none. The ML policy calls this
   * only when it has a clock to measure the TTL left with (`MlHybridPolicy.setExpiry`), so
   * without one feature 9 stays MISSING.
   */
  setExpireAt(slot: number, expireAt: number): void {
    this.#setExpire(slot, expireAt);
  }

  /** The entry in `slot` left the cache; its key's history moves to the ghost table. */
  onRemove(slot: number): void {
    const f64 = this.#table.f64;
    const f32 = this.#table.f32;
    const a = slot * F64_STRIDE;
    const b = slot * F32_STRIDE;
    const g = this.#ghosts.claim(f64[a + S_KEY]!);
    if (g < 0) return;
    const rows = this.#ghosts.rows;
    rows[g + G_LAST] = f64[a + S_LAST]!;
    rows[g + G_COUNT] = f32[b + S_COUNT]!;
    rows[g + G_EDC0] = f32[b + S_EDC0]!;
    rows[g + G_EDC0 + 1] = f32[b + S_EDC0 + 1]!;
    rows[g + G_EDC0 + 2] = f32[b + S_EDC0 + 2]!;
    rows[g + G_GAP1] = f32[b + S_GAP1]!;
    rows[g + G_GAP2] = f32[b + S_GAP2]!;
  }

  /** Forgets every ghost (FLUSHALL). Resident slots need nothing: onInsert overwrites a slot. */
  clear(): void {
    this.#ghosts.clear();
  }

  /** The last access time of a removed key still remembered, or -1. */
  ghostLastAccess(keyId: number): number {
    const g = this.#ghosts.find(keyId);
    return g < 0 ? -1 : this.#ghosts.rows[g + G_LAST]!;
  }

  /** Removed keys currently remembered. */
  get ghostCount(): number {
    return this.#ghosts.size;
  }

  /**
   * Writes the FEATURE_COUNT features of the entry in `slot`, as seen at logical time `t` and
   * wall time `nowMs`, into `out[offset …]`. `usage` is the cache's usage fraction (f11).
   */
  write(
    slot: number,
    t: number,
    nowMs: number,
    usage: number,
    out: Float32Array,
    offset: number,
  ): void {
    const table = this.#table;
    const f64 = table.f64;
    const f32 = table.f32;
    const a = slot * F64_STRIDE;
    const b = slot * F32_STRIDE;
    const age = t - f64[a + S_LAST]!;
    out[offset] = age;
    out[offset + 1] = f32[b + S_COUNT]!;
    out[offset + 2] = f32[b + S_GAP1]!;
    out[offset + 3] = f32[b + S_GAP2]!;
    out[offset + 4] = f32[b + S_GAP3]!;
    out[offset + 5] = f32[b + S_EDC0]! * decayFactor(age, 10);
    out[offset + 6] = f32[b + S_EDC0 + 1]! * decayFactor(age, 13);
    out[offset + 7] = f32[b + S_EDC0 + 2]! * decayFactor(age, 16);
    const size = table.u32[slot * U32_STRIDE + S_SIZE]!;
    out[offset + 8] = size > 1 ? Math.log2(size) : 0;
    const expireAt = table.expire === null ? 0 : table.expire[slot]!;
    out[offset + 9] = expireAt === 0 ? MISSING : Math.min(MISSING, Math.max(0, expireAt - nowMs));
    out[offset + 10] = t - f64[a + S_INSERTED]!;
    out[offset + 11] = usage;
  }

  /** Stores `size` in `slot`'s record as a whole number below 2^32 (what `sizeOf` returns). */
  #setSize(slot: number, size: number): void {
    this.#table.u32[slot * U32_STRIDE + S_SIZE] = Math.min(MAX_RECORD_SIZE, Math.max(0, size));
  }

  /** `slot`'s expiry; the array is made only for the first expiry that is not 0. */
  #setExpire(slot: number, expireAt: number): void {
    const table = this.#table;
    if (expireAt !== 0) table.expiries()[slot] = expireAt;
    else if (table.expire !== null) table.expire[slot] = 0;
  }
}
