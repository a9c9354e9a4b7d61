const DEFAULT_SLAB_SIZE = 64 * 1024;

/**
 * Gathers byte ranges into one Buffer per socket write. The gateway forwards requests and replies
 * as the ranges they arrived in; at flush time each destination's ranges are copied here back to
 * back and leave in a single `socket.write`. One OutBuffer serves every socket in turn, because
 * each flush appends and takes synchronously. A taken range is never written again (a full slab
 * is replaced, not reused), so the socket may hold it as long as it needs.
 */
export class OutBuffer {
  readonly #slabSize: number;
  #slab: Buffer;
  #start = 0;
  #pos = 0;

  constructor(slabSize = DEFAULT_SLAB_SIZE) {
    if (!Number.isSafeInteger(slabSize) || slabSize < 64) {
      throw new RangeError(`slabSize must be an integer >= 64 (got ${slabSize})`);
    }
    this.#slabSize = slabSize;
    this.#slab = Buffer.allocUnsafeSlow(slabSize);
  }

  /** Bytes appended and not yet taken. */
  get pendingLength(): number {
    return this.#pos - this.#start;
  }

  /** Appends `bytes[start, end)`. */
  append(bytes: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.#pos + length > this.#slab.length) this.#grow(length);
    const slab = this.#slab;
    if (length <= 8) {
      let pos = this.#pos;
      for (let i = start; i < end; i++) slab[pos++] = bytes[i] as number;
      this.#pos = pos;
    } else {
      // Buffer#copy allocates nothing (a subarray view would) and beats a byte loop from ~10 bytes.
      this.#pos += bytes.copy(slab, this.#pos, start, end);
    }
  }

  /** Appends ASCII text (headers the gateway writes itself). */
  appendAscii(text: string): void {
    const length = text.length;
    if (this.#pos + length > this.#slab.length) this.#grow(length);
    this.#pos += this.#slab.write(text, this.#pos, length, 'latin1');
  }

  /** Everything appended since the last take, or undefined when nothing was. */
  take(): Buffer | undefined {
    if (this.#pos === this.#start) return undefined;
    const view = this.#slab.subarray(this.#start, this.#pos);
    this.#start = this.#pos;
    return view;
  }

  /** Moves the pending bytes to a new slab large enough for `length` more. */
  #grow(length: number): void {
    const pending = this.#pos - this.#start;
    const needed = pending + length;
    const size = needed <= this.#slabSize ? this.#slabSize : 2 * needed;
    const slab = Buffer.allocUnsafeSlow(size);
    this.#slab.copy(slab, 0, this.#start, this.#pos);
    this.#slab = slab;
    this.#start = 0;
    this.#pos = pending;
  }
}
