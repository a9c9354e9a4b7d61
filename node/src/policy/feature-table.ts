/**
 * The per-slot state behind the model's features, indexed by slot (see eviction-policy.ts for
 * slots). Internal to FeatureTracker, which owns the update rules.
 *
 * One 64-byte record per slot in one buffer, seen through a Float64Array, a Float32Array and a
 * Uint32Array view: the key and the two times as doubles, then the count, the decayed counters and
 * the gaps as floats, then the size and two uint32s that are the ML policy's, not the features':
 * the slot's version and pooled mark. A record is one cache line once the table is large
 * (IN_PLACE_FROM_SLOTS: its memory is then page-aligned, so record k is exactly line k), and an
 * insert, hit, overwrite or removal of a random slot, or a sampled candidate's row, costs one miss
 * (a 96-byte record always spanned two lines). A smaller table is an ArrayBuffer, which malloc
 * aligns to 16 bytes only (a large one from mmap sits 16 bytes past a page), so there a record may
 * span two lines. The key and the size are what the ML policy needs of a slot besides its features
 * (ml-hybrid.ts reads them here, so a request for a slot touches this record instead of two more
 * arrays as well). So are the version it bumps on every touch of a slot and the mark it reads for
 * every sampled candidate: as arrays of their own, they were one more cold cache line per hit,
 * insert and removal, and two per candidate, whose record is read right after.
 *
 * Times are request counts on the logical clock and stay in Float64 so that a long-lived node
 * never wraps; the key id needs 53 bits. The count (at most FREQ_CAP) is exact in a float. The
 * decayed counters are kept as the float32 the model sees (the update rounds once per access),
 * and the gaps are floats too. The size is a whole number of the cache's unit below 2^32 (a
 * node's values are at most 512 MB); log2 of it is computed when a row is written. The expiry is
 * not in the record: most caches never set one, so it lives in an array of its own that exists
 * only once an expiry was set (`expire`), and a row reads it only then.
 */

import { GrowableBuffer, IN_PLACE_FROM_BYTES } from './growable-buffer.ts';

/** Doubles of a record (Float64Array index within the record). */
export const S_KEY = 0; // the key's stable id, to remember it in the ghost table on removal
export const S_INSERTED = 1; // logical time the entry became resident
export const S_LAST = 2; // logical time of the last access (insert, hit or overwrite)
/** A record in doubles: 3 doubles, then 10 floats and 3 uint32s (8 doubles' worth). */
export const F64_STRIDE = 8;
/** Floats of a record (Float32Array index within the record, after the 3 doubles). */
export const S_COUNT = 6; // accesses seen, capped at FREQ_CAP
export const S_EDC0 = 7; // decayed counters as of S_LAST (S_EDC0 + k for the k-th half-life)
export const S_GAP1 = 10; // the three newest inter-access gaps, MISSING until seen
export const S_GAP2 = 11;
export const S_GAP3 = 12;
/** The same record in floats: slot * F32_STRIDE is the record's start in the Float32Array. */
export const F32_STRIDE = 2 * F64_STRIDE;
/**
 * Uint32s of a record (Uint32Array index within the record, after the floats): the entry's size,
 * and the ML policy's (ml-hybrid.ts): the slot's version, bumped on every touch, and its version
 * + 1 while it sits in the victim pool. All start at 0, and a growth keeps them like every other
 * field.
 */
export const S_SIZE = 13;
export const S_VERSION = 14;
export const S_POOLED = 15;
/** The same record in uint32s: slot * U32_STRIDE is the record's start in the Uint32Array. */
export const U32_STRIDE = F32_STRIDE;
/** The largest size a record holds; larger ones are stored as this. */
export const MAX_RECORD_SIZE = 0xffffffff;

/**
 * Slots from which the records grow in place (growable-buffer.ts): 16 MB of records. From there
 * on a growth copies nothing, and the records sit in page-aligned memory, one cache line each.
 */
export const IN_PLACE_FROM_SLOTS = IN_PLACE_FROM_BYTES / (8 * F64_STRIDE);
const RECORD_BYTES = 8 * F64_STRIDE;

export class FeatureTable {
  /** Slots that fit without growing. */
  capacity!: number;
  /** Three views of the same records (made by `#view`). */
  f64!: Float64Array;
  f32!: Float32Array;
  u32!: Uint32Array;
  /**
   * Per slot, the wall-clock expiry in epoch ms (0: none), or null while no expiry was ever set
   * (then every slot's is 0). Sized like the records once it exists.
   */
  expire: Float64Array | null = null;
  readonly #records: GrowableBuffer;

  /** `inPlaceFrom`: slots from which growth is in place (IN_PLACE_FROM_SLOTS; tests lower it). */
  constructor(capacity: number, inPlaceFrom = IN_PLACE_FROM_SLOTS) {
    this.#records = new GrowableBuffer(
      Math.max(1, Math.floor(capacity)) * RECORD_BYTES,
      inPlaceFrom * RECORD_BYTES,
    );
    this.#view();
  }

  /** Whether the records are in memory that grows in place (see IN_PLACE_FROM_SLOTS). */
  get growsInPlace(): boolean {
    return this.#records.growsInPlace;
  }

  /** Grows (by doubling) until `slot` fits; existing records keep their values. */
  ensure(slot: number): void {
    if (slot < this.capacity) return;
    this.#records.ensure((slot + 1) * RECORD_BYTES);
    this.#view();
    if (this.expire !== null) {
      const expire = new Float64Array(this.capacity);
      expire.set(this.expire);
      this.expire = expire;
    }
  }

  /** The expiry array, made (all 0) the first time an expiry is set. */
  expiries(): Float64Array {
    this.expire ??= new Float64Array(this.capacity);
    return this.expire;
  }

  #view(): void {
    const buffer = this.#records.buffer;
    this.f64 = new Float64Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.capacity = buffer.byteLength / RECORD_BYTES;
  }
}
