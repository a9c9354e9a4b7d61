const INITIAL_CAPACITY = 16;

/**
 * A client's replies in request order. Each request takes the next sequence number (its tag);
 * its reply fills that slot whenever it arrives, from whichever node; `drain` hands out the
 * filled slots at the head, in order, and stops at the first one still waiting. So replies from
 * different nodes (or from the gateway itself) leave in the order the requests came.
 *
 * Slots hold byte ranges (buffer, start, end) that stay valid (see ReplyFramer), so nothing is
 * copied until the flush writes them out. Parallel arrays in a growable ring: no object per reply.
 */
export class ReplyQueue {
  #bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(INITIAL_CAPACITY);
  #starts = new Int32Array(INITIAL_CAPACITY);
  #ends = new Int32Array(INITIAL_CAPACITY);
  /** Monotonic ms at which each request was read, for the latency histogram. */
  #times = new Float64Array(INITIAL_CAPACITY);
  /** Slots whose reply is dropped when drained (CLIENT REPLY OFF or SKIP), and their count. */
  #muted = new Uint8Array(INITIAL_CAPACITY);
  #mutedCount = 0;
  #mask = INITIAL_CAPACITY - 1;
  #head = 0;
  #tail = 0;

  /** Requests whose replies have not been drained yet. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** True when the oldest reply has arrived (a drain would hand something out). */
  get headReady(): boolean {
    return this.#head < this.#tail && this.#bufs[this.#head & this.#mask] !== undefined;
  }

  /** The tag the next `reserve` returns. */
  get next(): number {
    return this.#tail;
  }

  /**
   * The reply of `tag` is not to be sent (CLIENT REPLY OFF or SKIP): it still fills its slot, so
   * the replies after it wait for it as before, and leaves as nothing.
   */
  mute(tag: number): void {
    if (tag < this.#head || tag >= this.#tail) return;
    this.#muted[tag & this.#mask] = 1;
    this.#mutedCount++;
  }

  /** Takes the next slot for a request read at `time`; returns its tag. */
  reserve(time: number): number {
    if (this.#tail - this.#head > this.#mask) this.#grow();
    const tag = this.#tail++;
    const at = tag & this.#mask;
    this.#bufs[at] = undefined;
    this.#times[at] = time;
    return tag;
  }

  /** Fills the slot of `tag`; returns true when it is the head (so a drain can make progress). */
  fill(tag: number, buf: Buffer, start: number, end: number): boolean {
    if (tag < this.#head || tag >= this.#tail) return false;
    const at = tag & this.#mask;
    this.#bufs[at] = buf;
    this.#starts[at] = start;
    this.#ends[at] = end;
    return tag === this.#head;
  }

  /** Hands out the ready replies at the head, oldest first; returns how many. */
  drain(visit: (buf: Buffer, start: number, end: number, time: number) => void): number {
    const mask = this.#mask;
    const bufs = this.#bufs;
    let head = this.#head;
    while (head < this.#tail) {
      const at = head & mask;
      const buf = bufs[at];
      if (buf === undefined) break;
      const start = this.#starts[at] as number;
      let end = this.#ends[at] as number;
      if (this.#mutedCount !== 0 && this.#muted[at] === 1) {
        this.#muted[at] = 0;
        this.#mutedCount--;
        end = start;
      }
      visit(buf, start, end, this.#times[at] as number);
      bufs[at] = undefined;
      head++;
    }
    const drained = head - this.#head;
    this.#head = head;
    return drained;
  }

  #grow(): void {
    const oldMask = this.#mask;
    const capacity = (oldMask + 1) * 2;
    const mask = capacity - 1;
    const bufs = new Array<Buffer | undefined>(capacity);
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    const times = new Float64Array(capacity);
    const muted = new Uint8Array(capacity);
    for (let i = this.#head; i < this.#tail; i++) {
      const from = i & oldMask;
      const to = i & mask;
      bufs[to] = this.#bufs[from];
      starts[to] = this.#starts[from] as number;
      ends[to] = this.#ends[from] as number;
      times[to] = this.#times[from] as number;
      muted[to] = this.#muted[from] as number;
    }
    this.#bufs = bufs;
    this.#starts = starts;
    this.#ends = ends;
    this.#times = times;
    this.#muted = muted;
    this.#mask = mask;
  }
}
