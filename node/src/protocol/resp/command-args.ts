import { parseBigIntAt, parseIntegerAt } from './integer.ts';

/** Buffer methods that Node has had for years but that @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

const EMPTY = Buffer.alloc(0);
const INITIAL_CAPACITY = 16;

/**
 * The arguments of one decoded command, as offsets into a buffer rather than one Buffer object per
 * argument: the hot path turns the key into a string and copies the value once, and nothing else
 * is allocated. The decoder reuses this object for every command, so a view is valid only until
 * the next call to the decoder; whatever outlives the command (a stored value) must be copied.
 */
export class CommandArgs {
  /** Number of arguments, the command name included. */
  count = 0;
  /** The bytes the offsets point into: the socket chunk, or the decoder's carry-over buffer. */
  buffer: Buffer = EMPTY;
  starts = new Int32Array(INITIAL_CAPACITY);
  ends = new Int32Array(INITIAL_CAPACITY);

  /** Byte length of argument `i`. */
  length(i: number): number {
    return (this.ends[i] as number) - (this.starts[i] as number);
  }

  /**
   * Argument `i` as a string with one character per byte (the store's key encoding; lossless for
   * any bytes and the cheapest string Node can build from a buffer).
   */
  latin1(i: number): string {
    return (this.buffer as FastBuffer).latin1Slice(
      this.starts[i] as number,
      this.ends[i] as number,
    );
  }

  /** Argument `i` decoded as UTF-8, for names and texts shown back to people. */
  utf8(i: number): string {
    return this.buffer.toString('utf8', this.starts[i], this.ends[i]);
  }

  /** A view of argument `i` without copying; valid only while this command runs. */
  view(i: number): Buffer {
    return this.buffer.subarray(this.starts[i], this.ends[i]);
  }

  /**
   * An owned copy of argument `i`. Small values come from Node's shared 8 KiB pool: a fresh
   * ArrayBuffer per value costs about 20 times more to allocate and ~200 bytes more per entry.
   */
  copy(i: number): Buffer {
    const start = this.starts[i] as number;
    const end = this.ends[i] as number;
    const out = Buffer.allocUnsafe(end - start);
    this.buffer.copy(out, 0, start, end);
    return out;
  }

  /** Argument `i` as a 64-bit integer (Redis's string2ll rules), or NaN. */
  integer(i: number): number {
    return parseIntegerAt(this.buffer, this.starts[i] as number, this.ends[i] as number);
  }

  /** Argument `i` as an exact 64-bit integer, or undefined. */
  bigInteger(i: number): bigint | undefined {
    return parseBigIntAt(this.buffer, this.starts[i] as number, this.ends[i] as number);
  }

  /**
   * True when argument `i` equals `lowercase` ignoring ASCII case; `lowercase` must be lowercase
   * ASCII (option names such as 'ex', 'nx', 'withscores').
   */
  is(i: number, lowercase: string): boolean {
    const start = this.starts[i] as number;
    const length = (this.ends[i] as number) - start;
    if (length !== lowercase.length) return false;
    const bytes = this.buffer;
    for (let k = 0; k < length; k++) {
      let byte = bytes[start + k] as number;
      if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
      if (byte !== lowercase.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Argument `i` lowercased (ASCII only), for looking names up in tables. */
  lower(i: number): string {
    return this.latin1(i).toLowerCase();
  }

  /** Copies of every argument as Buffers; for tests and logs, not for the hot path. */
  toBuffers(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < this.count; i++) out.push(Buffer.from(this.view(i)));
    return out;
  }

  /** Makes room for `count` arguments, keeping those already recorded. */
  reserve(count: number): void {
    if (count <= this.starts.length) return;
    let capacity = this.starts.length * 2;
    while (capacity < count) capacity *= 2;
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  /** A view over copies of `buffers` (tests and tools). */
  static fromBuffers(buffers: readonly Buffer[]): CommandArgs {
    const args = new CommandArgs();
    args.buffer = Buffer.concat(buffers);
    args.count = buffers.length;
    args.reserve(buffers.length);
    let at = 0;
    for (let i = 0; i < buffers.length; i++) {
      args.starts[i] = at;
      at += (buffers[i] as Buffer).length;
      args.ends[i] = at;
    }
    return args;
  }
}
