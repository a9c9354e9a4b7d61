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
 * Slots from which the records live in a WebAssembly.Memory instead of an ArrayBuffer (16 MB of
 * records). Growing an ArrayBuffer copies it: 20 ms for 32 MB, 70 ms for 128 MB and 440 ms for
 * 512 MB on the reference machine, a pause of every request while a large node fills. A wasm
 * memory grows in place (its address range is reserved once, its pages are committed as they
 * are touched), so from here on a growth costs no copy, and its start is page-aligned, so record
 * k is exactly cache line k. Below this size a copy is cheap, and a process that makes many
 * small tables (tests, the simulator's cells) reserves no address space for them.
 */
export const IN_PLACE_FROM_SLOTS = 1 << 18;

/** The part of WebAssembly.Memory used here (the project's TypeScript lib has no wasm types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
};
const WASM_PAGE_BYTES = 65_536;
/** A 32-bit wasm memory's limit, 4 GiB: 67M records. A larger table goes back to copying. */
const WASM_MAX_PAGES = 65_536;
const RECORD_BYTES = 8 * F64_STRIDE;

export class FeatureTable {
  /** Slots that fit without growing. */
  capacity: number;
  /** Three views of the same records. */
  f64: Float64Array;
  f32: Float32Array;
  u32: Uint32Array;
  /**
   * Per slot, the wall-clock expiry in epoch ms (0: none), or null while no expiry was ever set
   * (then every slot's is 0). Sized like the records once it exists.
   */
  expire: Float64Array | null = null;
  /** Where the records are once the table reached `inPlaceFrom` slots; null before. */
  #memory: WasmMemory | null = null;
  readonly #inPlaceFrom: number;

  /** `inPlaceFrom`: slots from which growth is in place (IN_PLACE_FROM_SLOTS; tests lower it). */
  constructor(capacity: number, inPlaceFrom = IN_PLACE_FROM_SLOTS) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#inPlaceFrom = inPlaceFrom;
    this.f64 = new Float64Array(this.capacity * F64_STRIDE);
    this.f32 = new Float32Array(this.f64.buffer);
    this.u32 = new Uint32Array(this.f64.buffer);
  }

  /** Whether the records are in a memory that grows in place (see IN_PLACE_FROM_SLOTS). */
  get growsInPlace(): boolean {
    return this.#memory !== null;
  }

  /** Grows (by doubling) until `slot` fits; existing records keep their values. */
  ensure(slot: number): void {
    if (slot < this.capacity) return;
    let n = this.capacity;
    while (n <= slot) n *= 2;
    const pages = Math.ceil((n * RECORD_BYTES) / WASM_PAGE_BYTES);
    if (n >= this.#inPlaceFrom && pages <= WASM_MAX_PAGES) this.#growInPlace(pages);
    else this.#growByCopy(n);
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

  /** To `pages` wasm pages: the memory grows in place, or is made and the records copied once. */
  #growInPlace(pages: number): void {
    let memory = this.#memory;
    if (memory === null) {
      try {
        memory = new WebAssembly.Memory({ initial: pages, maximum: WASM_MAX_PAGES });
      } catch {
        // No address space to reserve (a limit on virtual memory): keep copying.
        this.#growByCopy((pages * WASM_PAGE_BYTES) / RECORD_BYTES);
        return;
      }
      new Uint8Array(memory.buffer).set(new Uint8Array(this.f64.buffer));
      this.#memory = memory;
    } else {
      memory.grow(pages - memory.buffer.byteLength / WASM_PAGE_BYTES);
    }
    this.#view(memory.buffer);
  }

  #growByCopy(n: number): void {
    const bytes = new ArrayBuffer(n * RECORD_BYTES);
    // A byte copy: the float fields must not travel as doubles (a NaN's bits may change).
    new Uint8Array(bytes).set(new Uint8Array(this.f64.buffer, 0, this.capacity * RECORD_BYTES));
    this.#memory = null;
    this.#view(bytes);
  }

  #view(buffer: ArrayBuffer): void {
    this.f64 = new Float64Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.capacity = buffer.byteLength / RECORD_BYTES;
  }
}
