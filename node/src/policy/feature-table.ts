/**
 * The per-slot state behind the model's features, indexed by slot (see eviction-policy.ts for
 * slots). Internal to FeatureTracker, which owns the update rules.
 *
 * One 96-byte record per slot in one buffer, seen through a Float64Array, a Float32Array and a
 * Uint32Array view: the times, key, count and decayed counters as doubles, then the gaps and
 * log2(size) as floats, then the size itself as a double, and last two uint32s that are the ML
 * policy's, not the features': the slot's version and pooled mark (at 96 bytes a record never
 * straddles three cache lines). An insert, hit, overwrite or removal of a random slot of a large
 * cache then touches one contiguous record (two adjacent cache lines at most) rather than a
 * 64-byte row in one array and a 16-byte row in another. The fields a hit reads and writes (last
 * access, count, decayed counters, gaps) are bytes 24–80, together; the ones only an insert, a
 * removal or a row for the model need (insertion time, expiry, key) come first. The key and the
 * size are what the ML policy needs of a slot besides its features (ml-hybrid.ts reads them
 * here, so a request for a slot touches this record instead of two more arrays as well). So are
 * the version it bumps on every touch of a slot and the mark it reads for every sampled
 * candidate: as arrays of their own, they were one more cold cache line per hit, insert and
 * removal, and two per candidate, whose record is read right after.
 *
 * Times are request counts on the logical clock and stay in Float64 so that a long-lived node
 * never wraps; gaps are stored as the float32 the model sees anyway.
 */

/** Doubles of a record (Float64Array index within the record). */
export const S_INSERTED = 0; // logical time the entry became resident
export const S_EXPIRE = 1; // wall-clock expiry in epoch ms; 0 for none
export const S_KEY = 2; // the key's stable id, to remember it in the ghost table on removal
export const S_LAST = 3; // logical time of the last access (insert, hit or overwrite)
export const S_COUNT = 4; // accesses seen, capped
export const S_EDC0 = 5; // decayed counters as of S_LAST (S_EDC0 + k for the k-th half-life)
export const S_SIZE = 10; // the entry's size in the cache's unit (after the floats)
/** A record in doubles: 8 doubles, 4 floats (2 doubles' worth), the size, padding. */
export const F64_STRIDE = 12;
/** Floats of a record (Float32Array index within the record, after the 8 doubles). */
export const S_GAP1 = 16; // the three newest inter-access gaps, MISSING until seen
export const S_GAP2 = 17;
export const S_GAP3 = 18;
export const S_LOG2_SIZE = 19;
/** The same record in floats: slot * F32_STRIDE is the record's start in the Float32Array. */
export const F32_STRIDE = 2 * F64_STRIDE;
/**
 * Uint32s of a record (Uint32Array index within the record, after the size), used by the ML
 * policy (ml-hybrid.ts): the slot's version, bumped on every touch, and its version + 1 while it
 * sits in the victim pool. Both start at 0, and a growth keeps them like every other field.
 */
export const S_VERSION = 22;
export const S_POOLED = 23;
/** The same record in uint32s: slot * U32_STRIDE is the record's start in the Uint32Array. */
export const U32_STRIDE = F32_STRIDE;

export class FeatureTable {
  /** Slots that fit without growing. */
  capacity: number;
  /** Three views of the same records. */
  f64: Float64Array;
  f32: Float32Array;
  u32: Uint32Array;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.f64 = new Float64Array(this.capacity * F64_STRIDE);
    this.f32 = new Float32Array(this.f64.buffer);
    this.u32 = new Uint32Array(this.f64.buffer);
  }

  /** Grows (by doubling) until `slot` fits; existing records keep their values. */
  ensure(slot: number): void {
    if (slot < this.capacity) return;
    let n = this.capacity;
    while (n <= slot) n *= 2;
    const f64 = new Float64Array(n * F64_STRIDE);
    // A byte copy: the float fields must not travel as doubles (a NaN's bits may change).
    new Uint8Array(f64.buffer).set(new Uint8Array(this.f64.buffer));
    this.f64 = f64;
    this.f32 = new Float32Array(f64.buffer);
    this.u32 = new Uint32Array(f64.buffer);
    this.capacity = n;
  }
}
