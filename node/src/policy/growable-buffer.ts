/**
 * The bytes behind a policy's per-slot typed arrays, grown by doubling without a pause once
 * large. Growing an ArrayBuffer copies it: 20 ms for 32 MB, 70 ms for 128 MB and 440 ms for
 * 512 MB on the reference machine, a pause of every request while a large node fills. From
 * `inPlaceFromBytes` on the bytes live in a WebAssembly.Memory instead, which grows in place
 * (its address range is reserved once, its pages committed as they are touched): one copy into
 * it, none after. Its start is page-aligned, so fixed-size rows that divide 64 bytes never
 * straddle a cache line (an ArrayBuffer from malloc is 16-byte aligned only; glibc maps a large
 * one 16 bytes past a page). Below the threshold a copy is cheap, and a process that makes many
 * small policies (tests, the simulator's cells) reserves no address space for them.
 *
 * New bytes are always 0, so the users encode "none" as 0 where they need one (no fill pass,
 * which would touch every new page at once). After `ensure` the buffer may be another object:
 * views must be made again from `buffer`.
 */

/** 16 MB: the records of 262,144 slots of the feature table, links of 1M slots. */
export const IN_PLACE_FROM_BYTES = 1 << 24;
const WASM_PAGE_BYTES = 65_536;
/** A 32-bit wasm memory's limit, 4 GiB. Larger buffers go back to copying. */
const WASM_MAX_PAGES = 65_536;

/** The part of WebAssembly.Memory used here (the project's TypeScript lib has no wasm types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
};

export class GrowableBuffer {
  /** The bytes now (all of them usable: a wasm memory's are whole pages). */
  buffer: ArrayBuffer;
  #memory: WasmMemory | null = null;
  readonly #inPlaceFrom: number;

  /** `inPlaceFromBytes`: the size from which growth is in place (tests lower it). */
  constructor(bytes: number, inPlaceFromBytes = IN_PLACE_FROM_BYTES) {
    this.buffer = new ArrayBuffer(Math.max(8, bytes));
    this.#inPlaceFrom = inPlaceFromBytes;
  }

  /** Whether the bytes are in a memory that grows in place. */
  get growsInPlace(): boolean {
    return this.#memory !== null;
  }

  /** Grows (by doubling) until at least `bytes` fit; existing bytes are kept, new ones are 0. */
  ensure(bytes: number): void {
    const current = this.buffer.byteLength;
    if (bytes <= current) return;
    let n = current;
    while (n < bytes) n *= 2;
    const pages = Math.ceil(n / WASM_PAGE_BYTES);
    if (n >= this.#inPlaceFrom && pages <= WASM_MAX_PAGES) this.#growInPlace(pages);
    else this.#growByCopy(n);
  }

  /** To `pages` wasm pages: the memory grows in place, or is made and the bytes copied once. */
  #growInPlace(pages: number): void {
    let memory = this.#memory;
    if (memory === null) {
      try {
        memory = new WebAssembly.Memory({ initial: pages, maximum: WASM_MAX_PAGES });
      } catch {
        // No address space to reserve (a limit on virtual memory): keep copying.
        this.#growByCopy(pages * WASM_PAGE_BYTES);
        return;
      }
      new Uint8Array(memory.buffer).set(new Uint8Array(this.buffer));
      this.#memory = memory;
    } else {
      memory.grow(pages - memory.buffer.byteLength / WASM_PAGE_BYTES);
    }
    this.buffer = memory.buffer;
  }

  #growByCopy(bytes: number): void {
    const bigger = new ArrayBuffer(bytes);
    // A byte copy: float fields must not travel as doubles (a NaN's bits may change).
    new Uint8Array(bigger).set(new Uint8Array(this.buffer));
    this.#memory = null;
    this.buffer = bigger;
  }
}
