import { CommandArgs } from './command-args.ts';
import { RespProtocolError } from './errors.ts';
import { splitInline } from './inline.ts';
import {
  CR,
  DEFAULT_MAX_ARRAY_LENGTH,
  DEFAULT_MAX_BULK_LENGTH,
  DEFAULT_MAX_QUERY_BUFFER,
  LF,
  MAX_INLINE_LENGTH,
  NEED_MORE,
  RESP_TYPES,
  UNAUTHENTICATED_MAX_ARRAY_LENGTH,
  UNAUTHENTICATED_MAX_BULK_LENGTH,
} from './types.ts';

export interface RespRequestDecoderOptions {
  /** Longest bulk string accepted (Redis's proto-max-bulk-len). @default 512 MiB */
  readonly maxBulkLength?: number;
  /** Most arguments in one request. @default 2^31 - 1, as Redis */
  readonly maxArrayLength?: number;
  /** Most bytes one unfinished request may hold (client-query-buffer-limit). @default 1 GiB */
  readonly maxQueryBuffer?: number;
}

const EMPTY = Buffer.alloc(0);
/**
 * Header parsing outcomes that are not values: fractions, so that no integer header can be
 * mistaken for one. A line without its CR is INCOMPLETE (and too big past 64 KiB); one whose CR
 * is the last byte received AWAITS the byte after it, however long it is (as in Redis).
 */
const LINE_INCOMPLETE = -0.25;
const LINE_AWAITS_LF = -0.5;
const LINE_INVALID = -0.75;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** The carry-over buffer starts at this size and is kept for reuse while it stays this small. */
const CARRY_MIN = 16 * 1024;
const CARRY_KEEP_MAX = 64 * 1024;
/** At most this many offsets are reserved up front for a declared array length. */
const RESERVE_AHEAD = 1024;
const INT_MAX = 2 ** 31 - 1;

/**
 * Streaming RESP2 request decoder: arrays of bulk strings (what client libraries send) and inline
 * commands (what people type), with Redis's own error texts and limits.
 *
 * Usage: `feed(chunk)`, then call `next()` until it returns NEED_MORE; each other return value is
 * the argument count of a complete command, whose arguments are in `args` until the next call.
 *
 * Zero-copy: while requests lie within one chunk, `args` points into that chunk. Only a request cut
 * by a chunk boundary is carried over: its start and the following chunk are copied into an owned
 * buffer that grows by doubling (so a large value arriving in many chunks costs O(n), not O(n^2)),
 * and parsing resumes where it stopped (the offsets already recorded stay valid). Protocol errors
 * are thrown as RespProtocolError; the connection must reply with `error.reply` and close, as
 * Redis does. After an error the decoder keeps throwing it.
 *
 * Like Redis, the CRLF after a bulk string is skipped without being checked, and a header line
 * ends at its CR (the byte after it is skipped, whatever it is).
 */
export class RespRequestDecoder {
  /** The arguments of the command that `next()` returned last. */
  readonly args = new CommandArgs();
  /**
   * When true, Redis's limits for clients that have not authenticated yet apply (10 arguments,
   * 16 KiB bulk strings). The connection sets it while a password is required and not given.
   */
  unauthenticated = false;

  readonly #maxBulkLength: number;
  readonly #maxArrayLength: number;
  readonly #maxQueryBuffer: number;

  /** The bytes being parsed: the latest chunk, or #carry. */
  #buffer: Buffer = EMPTY;
  /** Bytes of #buffer that hold data (a carry buffer has spare capacity beyond). */
  #end = 0;
  /** Next byte to parse. */
  #pos = 0;
  #carrying = false;
  /** An emptied carry buffer kept for the next request that spans chunks. */
  #spare: Buffer | undefined;

  // A multibulk request in progress.
  #remaining = 0;
  #argc = 0;
  #requestStart = 0;
  /** Length of the bulk string whose header was read, -1 while the next header is unread. */
  #bulkLength = -1;
  /** Set by #readHeader: index just past the header line's "\r\n". */
  #lineNext = 0;
  #failure: RespProtocolError | undefined;

  constructor(options: RespRequestDecoderOptions = {}) {
    this.#maxBulkLength = options.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH;
    this.#maxArrayLength = options.maxArrayLength ?? DEFAULT_MAX_ARRAY_LENGTH;
    this.#maxQueryBuffer = options.maxQueryBuffer ?? DEFAULT_MAX_QUERY_BUFFER;
    for (const [name, value] of [
      ['maxBulkLength', this.#maxBulkLength],
      ['maxArrayLength', this.#maxArrayLength],
      ['maxQueryBuffer', this.#maxQueryBuffer],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a positive integer (got ${value})`);
      }
    }
  }

  /** Bytes received but not yet returned as commands (a partial request). */
  get pendingBytes(): number {
    return this.#end - (this.#remaining > 0 ? this.#requestStart : this.#pos);
  }

  /** Adds received bytes. The chunk is read, never modified; it must not change until parsed. */
  feed(chunk: Buffer): void {
    if (this.#failure) throw this.#failure;
    if (chunk.length === 0) return;
    if (this.#remaining === 0 && this.#pos >= this.#end && !this.#carrying) {
      this.#buffer = chunk;
      this.#end = chunk.length;
      this.#pos = 0;
      return;
    }
    this.#carry(chunk);
  }

  /** The argument count of the next complete command (its arguments are in `args`), or NEED_MORE. */
  next(): number {
    if (this.#failure) throw this.#failure;
    try {
      return this.#parse();
    } catch (error) {
      if (error instanceof RespProtocolError) this.#failure = error;
      throw error;
    }
  }

  #parse(): number {
    const buffer = this.#buffer;
    const end = this.#end;
    const args = this.args;
    let pos = this.#pos;
    for (;;) {
      if (this.#remaining === 0) {
        if (pos >= end) {
          this.#pos = pos;
          this.#drained();
          return NEED_MORE;
        }
        if (buffer[pos] !== RESP_TYPES.ARRAY) {
          const count = this.#inline(buffer, pos, end);
          if (count < 0) return NEED_MORE;
          pos = this.#pos;
          if (count === 0) continue;
          return count;
        }
        const declared = this.#readHeader(buffer, pos + 1, end);
        if (declared === LINE_INCOMPLETE || declared === LINE_AWAITS_LF) {
          if (declared === LINE_INCOMPLETE && end - pos > MAX_INLINE_LENGTH) {
            throw RespProtocolError.multibulkHeaderTooBig();
          }
          this.#pos = pos;
          return NEED_MORE;
        }
        if (declared === LINE_INVALID || declared > INT_MAX) {
          throw RespProtocolError.invalidMultibulkLength();
        }
        if (declared > this.#maxArrayLength) {
          throw RespProtocolError.tooManyArguments(declared, this.#maxArrayLength);
        }
        if (declared > UNAUTHENTICATED_MAX_ARRAY_LENGTH && this.unauthenticated) {
          throw RespProtocolError.unauthenticatedMultibulkLength();
        }
        this.#requestStart = pos;
        pos = this.#lineNext;
        if (declared <= 0) continue; // Redis ignores empty requests without a reply.
        this.#remaining = declared;
        this.#argc = 0;
        this.#bulkLength = -1;
        args.reserve(Math.min(declared, RESERVE_AHEAD));
      }

      while (this.#remaining > 0) {
        let length = this.#bulkLength;
        if (length < 0) {
          if (pos >= end) break;
          if (buffer[pos] === RESP_TYPES.BULK_STRING) {
            length = this.#readHeader(buffer, pos + 1, end);
          } else {
            length = this.#unexpectedBulkHeader(buffer, pos, end);
          }
          if (length === LINE_INCOMPLETE || length === LINE_AWAITS_LF) {
            if (length === LINE_INCOMPLETE && end - pos > MAX_INLINE_LENGTH) {
              throw RespProtocolError.bulkHeaderTooBig();
            }
            break;
          }
          if (length === LINE_INVALID || length < 0) throw RespProtocolError.invalidBulkLength();
          if (length > this.#maxBulkLength) {
            throw RespProtocolError.bulkTooLong(length, this.#maxBulkLength);
          }
          if (length > UNAUTHENTICATED_MAX_BULK_LENGTH && this.unauthenticated) {
            throw RespProtocolError.unauthenticatedBulkLength();
          }
          pos = this.#lineNext;
          this.#bulkLength = length;
        }
        if (end - pos < length + 2) break;
        const argc = this.#argc;
        if (argc >= args.starts.length) args.reserve(argc + 1);
        args.starts[argc] = pos;
        args.ends[argc] = pos + length;
        this.#argc = argc + 1;
        pos += length + 2;
        this.#remaining--;
        this.#bulkLength = -1;
      }
      this.#pos = pos;
      if (this.#remaining > 0) return NEED_MORE;
      args.buffer = buffer;
      args.count = this.#argc;
      return this.#argc;
    }
  }

  /**
   * Reads the integer of a `*n` or `$n` line whose digits start at `from`. Returns the value and
   * sets #lineNext, or LINE_INCOMPLETE when the line (with one byte after its CR) has not fully
   * arrived, or LINE_INVALID when it is not an integer by string2ll's rules.
   */
  #readHeader(buffer: Buffer, from: number, end: number): number {
    let p = from;
    const negative = p < end && buffer[p] === MINUS;
    if (negative) p++;
    const digitsStart = p;
    let value = 0;
    while (p < end) {
      const c = buffer[p] as number;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      p++;
    }
    if (p + 1 < end && buffer[p] === CR) {
      this.#lineNext = p + 2;
      const digits = p - digitsStart;
      if (digits === 0 || p - from > 20) return LINE_INVALID;
      if (buffer[digitsStart] === ZERO && (digits > 1 || negative)) return LINE_INVALID;
      if (digits >= 19 && !fitsInt64(buffer, from, p)) return LINE_INVALID;
      return negative ? -value : value;
    }
    // Not a clean "digits CR" line: Redis looks for the CR anywhere further on, then parses.
    // (The search starts at the line's type byte, which cannot be a NUL.)
    const cr = strchrWithin(buffer, CR, p, end);
    if (cr < 0) return LINE_INCOMPLETE;
    if (cr + 1 >= end) return LINE_AWAITS_LF;
    this.#lineNext = cr + 2;
    return LINE_INVALID;
  }

  /** A bulk header that does not start with '$': an error once its line is complete. */
  #unexpectedBulkHeader(buffer: Buffer, pos: number, end: number): number {
    const cr = strchrWithin(buffer, CR, pos, end);
    if (cr < 0) return LINE_INCOMPLETE;
    if (cr + 1 >= end) return LINE_AWAITS_LF;
    throw RespProtocolError.unexpectedByte(buffer[pos] as number);
  }

  /**
   * Parses an inline command at `pos`. Returns its argument count (0 for a blank line, which
   * Redis ignores) with #pos past the line, or -1 when the line has not fully arrived.
   */
  #inline(buffer: Buffer, pos: number, end: number): number {
    const lf = strchrWithin(buffer, LF, pos, end);
    if (lf < 0) {
      if (end - pos > MAX_INLINE_LENGTH) throw RespProtocolError.inlineTooBig();
      this.#pos = pos;
      return -1;
    }
    const lineEnd = lf > pos && buffer[lf - 1] === CR ? lf - 1 : lf;
    if (!splitInline(buffer, pos, lineEnd, this.args)) throw RespProtocolError.unbalancedQuotes();
    this.#pos = lf + 1;
    return this.args.count;
  }

  /** Everything was parsed: drop the carry buffer (keeping a small one for reuse). */
  #drained(): void {
    if (!this.#carrying) return;
    if (this.#buffer.length <= CARRY_KEEP_MAX) this.#spare = this.#buffer;
    this.#buffer = EMPTY;
    this.#end = 0;
    this.#pos = 0;
    this.#carrying = false;
  }

  /**
   * Moves the unparsed tail (from the start of an unfinished request) and `chunk` into the owned
   * carry buffer, compacting or growing it, and rebases the offsets already recorded.
   */
  #carry(chunk: Buffer): void {
    const keepFrom = this.#remaining > 0 ? this.#requestStart : this.#pos;
    const kept = this.#end - keepFrom;
    const needed = kept + chunk.length;
    if (needed > this.#maxQueryBuffer) {
      this.#failure = RespProtocolError.queryBufferTooLong(needed, this.#maxQueryBuffer);
      throw this.#failure;
    }
    const current = this.#buffer;
    let target: Buffer;
    if (this.#carrying && current.length >= needed) {
      target = current;
      if (keepFrom > 0) current.copyWithin(0, keepFrom, this.#end);
    } else {
      const spare = this.#spare;
      if (!this.#carrying && spare && spare.length >= needed) {
        target = spare;
      } else {
        let capacity = Math.max(CARRY_MIN, this.#carrying ? current.length * 2 : 0);
        while (capacity < needed) capacity *= 2;
        target = Buffer.allocUnsafeSlow(Math.min(capacity, this.#maxQueryBuffer));
      }
      this.#spare = undefined;
      current.copy(target, 0, keepFrom, this.#end);
    }
    chunk.copy(target, kept);
    if (keepFrom > 0 && this.#remaining > 0) {
      const { starts, ends } = this.args;
      for (let i = 0; i < this.#argc; i++) {
        starts[i] = (starts[i] as number) - keepFrom;
        ends[i] = (ends[i] as number) - keepFrom;
      }
      this.#requestStart -= keepFrom;
    }
    this.#pos -= keepFrom;
    this.#buffer = target;
    this.#end = needed;
    this.#carrying = true;
  }
}

/**
 * The first `byte` in `buffer[from, end)`, or -1, with C's strchr semantics that Redis inherits
 * from its NUL-terminated query buffer: a NUL byte first means "not found", so such a line never
 * completes (until it is too big). Only reached off the fast path.
 */
function strchrWithin(buffer: Buffer, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buffer[i];
    if (c === byte) return i;
    if (c === 0) return -1;
  }
  return -1;
}

function fitsInt64(buffer: Buffer, start: number, end: number): boolean {
  const value = BigInt(buffer.toString('latin1', start, end));
  return value >= -9223372036854775808n && value <= 9223372036854775807n;
}
