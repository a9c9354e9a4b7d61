import type { ReplySink } from './reply-sink.ts';

const INITIAL_CAPACITY = 64;

/**
 * The requests a node link has queued or sent and not yet seen answered, oldest first, as
 * parallel arrays in a growable ring (no object per request). Each entry is a sink, a tag, the
 * request's bytes as a range, and how many times it was sent (MOVED retries).
 *
 * Entries [head, unsent) were written to the socket; [unsent, tail) wait for the next flush.
 */
export class RequestFifo {
  #sinks: (ReplySink | undefined)[] = new Array<ReplySink | undefined>(INITIAL_CAPACITY);
  #tags = new Float64Array(INITIAL_CAPACITY);
  #bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(INITIAL_CAPACITY);
  #starts = new Int32Array(INITIAL_CAPACITY);
  #ends = new Int32Array(INITIAL_CAPACITY);
  #attempts = new Uint8Array(INITIAL_CAPACITY);
  /** Monotonic ms at which each request was written (latency of timed links). */
  #sentAt = new Float64Array(INITIAL_CAPACITY);
  #mask = INITIAL_CAPACITY - 1;
  #head = 0;
  #unsent = 0;
  #tail = 0;

  /** Entries queued or sent and not answered. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** Entries not yet written to the socket. */
  get unsentLength(): number {
    return this.#tail - this.#unsent;
  }

  push(
    sink: ReplySink,
    tag: number,
    buf: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void {
    if (this.#tail - this.#head > this.#mask) this.#grow();
    const at = this.#tail & this.#mask;
    this.#sinks[at] = sink;
    this.#tags[at] = tag;
    this.#bufs[at] = buf;
    this.#starts[at] = start;
    this.#ends[at] = end;
    this.#attempts[at] = attempts;
    this.#tail++;
  }

  /**
   * Queues a request ahead of all others (a connection's handshake, before the requests queued
   * while it connected). Only while nothing was written: the head is then unsent too.
   */
  pushFront(
    sink: ReplySink,
    tag: number,
    buf: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void {
    if (this.#head !== this.#unsent) throw new RangeError('pushFront after requests were sent');
    if (this.#tail - this.#head > this.#mask) this.#grow();
    const at = --this.#head & this.#mask;
    this.#unsent = this.#head;
    this.#sinks[at] = sink;
    this.#tags[at] = tag;
    this.#bufs[at] = buf;
    this.#starts[at] = start;
    this.#ends[at] = end;
    this.#attempts[at] = attempts;
  }

  /**
   * Calls `write` for each unsent request in order and marks them sent at `now` (monotonic ms;
   * only links that measure latency pass it).
   */
  drainUnsent(write: (buf: Buffer, start: number, end: number) => void, now = 0): void {
    const mask = this.#mask;
    for (let i = this.#unsent; i < this.#tail; i++) {
      const at = i & mask;
      this.#sentAt[at] = now;
      write(this.#bufs[at] as Buffer, this.#starts[at] as number, this.#ends[at] as number);
    }
    this.#unsent = this.#tail;
  }

  // The oldest entry, read field by field before shift() drops it.
  get headSink(): ReplySink {
    return this.#sinks[this.#head & this.#mask] as ReplySink;
  }
  get headTag(): number {
    return this.#tags[this.#head & this.#mask] as number;
  }
  get headBuf(): Buffer {
    return this.#bufs[this.#head & this.#mask] as Buffer;
  }
  get headStart(): number {
    return this.#starts[this.#head & this.#mask] as number;
  }
  get headEnd(): number {
    return this.#ends[this.#head & this.#mask] as number;
  }
  get headAttempts(): number {
    return this.#attempts[this.#head & this.#mask] as number;
  }
  /** When the oldest entry was written (the `now` given to drainUnsent). */
  get headSentAt(): number {
    return this.#sentAt[this.#head & this.#mask] as number;
  }

  /** True when the oldest entry was written to the socket (a reply for it may arrive). */
  get headSent(): boolean {
    return this.#head < this.#unsent;
  }

  /** Drops the oldest entry, written or not (a link that went down fails what it queued). */
  shift(): void {
    const at = this.#head & this.#mask;
    this.#sinks[at] = undefined;
    this.#bufs[at] = undefined;
    this.#head++;
    if (this.#unsent < this.#head) this.#unsent = this.#head;
  }

  #grow(): void {
    const oldMask = this.#mask;
    const capacity = (oldMask + 1) * 2;
    const mask = capacity - 1;
    const sinks = new Array<ReplySink | undefined>(capacity);
    const tags = new Float64Array(capacity);
    const bufs = new Array<Buffer | undefined>(capacity);
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    const attempts = new Uint8Array(capacity);
    const sentAt = new Float64Array(capacity);
    for (let i = this.#head; i < this.#tail; i++) {
      const from = i & oldMask;
      const to = i & mask;
      sinks[to] = this.#sinks[from];
      tags[to] = this.#tags[from] as number;
      bufs[to] = this.#bufs[from];
      starts[to] = this.#starts[from] as number;
      ends[to] = this.#ends[from] as number;
      attempts[to] = this.#attempts[from] as number;
      sentAt[to] = this.#sentAt[from] as number;
    }
    this.#sinks = sinks;
    this.#tags = tags;
    this.#bufs = bufs;
    this.#starts = starts;
    this.#ends = ends;
    this.#attempts = attempts;
    this.#sentAt = sentAt;
    this.#mask = mask;
  }
}
