import { decimalLength } from './integer.ts';
import { CR, LF, RESP_TYPES } from './types.ts';

/** Buffer methods that Node has had for years but that @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Write(text: string, offset: number, length: number): number;
  utf8Write(text: string, offset: number, length: number): number;
}

/** Replies so common that they are copied from ready-made bytes. */
export const REPLIES = {
  OK: Buffer.from('+OK\r\n'),
  PONG: Buffer.from('+PONG\r\n'),
  NULL_BULK: Buffer.from('$-1\r\n'),
  NULL_ARRAY: Buffer.from('*-1\r\n'),
  /** RESP3's one null, for a missing string and a missing array alike. */
  NULL: Buffer.from('_\r\n'),
  EMPTY_ARRAY: Buffer.from('*0\r\n'),
  EMPTY_BULK: Buffer.from('$0\r\n\r\n'),
  ZERO: Buffer.from(':0\r\n'),
  ONE: Buffer.from(':1\r\n'),
  MINUS_ONE: Buffer.from(':-1\r\n'),
  MINUS_TWO: Buffer.from(':-2\r\n'),
} as const;

const DEFAULT_SLAB_SIZE = 64 * 1024;
const MINUS = 0x2d;
const COLON = 0x3a;
const ZERO = 0x30;

/**
 * Encodes RESP2 or RESP3 replies into a growable output buffer, so that the replies to a whole pipeline
 * leave in one `socket.write`. Bytes accumulate in a slab; `take()` hands out what was written
 * since the last take as a view of the slab (no copy) and the next replies continue after it.
 * When the slab is full a new one is started; the old one lives on only as long as the views the
 * socket still holds. The writer is not tied to a connection: one per server serves every
 * connection in turn, since each batch is written and taken synchronously.
 *
 * Integers and lengths are written digit by digit, without building strings.
 *
 * **Protocol.** `resp3` selects how the replies whose encoding differs between RESP2 and RESP3
 * are written: nulls (`nullBulk`, `nullArray`), maps (`mapHeader`), sets (`setHeader`) and
 * verbatim text (`verbatim`). Everything else is the same bytes in both. Since one writer serves
 * every connection, whoever runs a connection's command sets the flag from its session first
 * (`dispatch` does, from `Session.resp3`); HELLO changes it for its own reply. Commands must
 * write every null, map and set through these methods, never as raw RESP2 bytes, so that a
 * RESP3 connection gets RESP3.
 */
export class ReplyWriter {
  /** Error replies written so far (command statistics read the difference around a call). */
  errors = 0;
  /** Write RESP3 (`_` nulls, `%` maps, `~` sets, `=` verbatim strings) instead of RESP2. */
  resp3 = false;

  readonly #slabSize: number;
  #slab: FastBuffer;
  #start = 0;
  #pos = 0;

  constructor(slabSize = DEFAULT_SLAB_SIZE) {
    if (!Number.isSafeInteger(slabSize) || slabSize < 64) {
      throw new RangeError(`slabSize must be an integer >= 64 (got ${slabSize})`);
    }
    this.#slabSize = slabSize;
    this.#slab = Buffer.allocUnsafeSlow(slabSize) as FastBuffer;
  }

  /** Bytes written and not yet taken. */
  get pendingLength(): number {
    return this.#pos - this.#start;
  }

  /**
   * The first `length` pending bytes (all of them by default) as a Buffer, or undefined when
   * there are none. The Buffer is a view: it stays valid, the writer never writes there again.
   */
  take(length = this.#pos - this.#start): Buffer | undefined {
    if (length <= 0) return undefined;
    const start = this.#start;
    this.#start = start + length;
    return this.#slab.subarray(start, start + length);
  }

  /** Keeps the first `length` pending bytes and drops the rest (a reply not to be sent). */
  truncate(length: number): void {
    this.#pos = Math.min(this.#pos, this.#start + length);
  }

  /** Drops everything written since the last take (a connection that died mid-batch). */
  discard(): void {
    this.#pos = this.#start;
  }

  /** Appends ready-made reply bytes (see REPLIES). */
  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    this.#ensure(length);
    const slab = this.#slab;
    let pos = this.#pos;
    if (length <= 16) {
      for (let i = 0; i < length; i++) slab[pos++] = bytes[i] as number;
    } else {
      slab.set(bytes, pos);
      pos += length;
    }
    this.#pos = pos;
  }

  ok(): void {
    this.raw(REPLIES.OK);
  }

  /** A missing string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.raw(this.resp3 ? REPLIES.NULL : REPLIES.NULL_BULK);
  }

  /** A missing array: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.raw(this.resp3 ? REPLIES.NULL : REPLIES.NULL_ARRAY);
  }

  /** `+text` — text must be ASCII without CR or LF. */
  simple(text: string): void {
    this.#ensure(text.length + 3);
    this.#slab[this.#pos++] = RESP_TYPES.SIMPLE_STRING;
    this.#pos += this.#slab.latin1Write(text, this.#pos, text.length);
    this.#crlf();
  }

  /**
   * `-text`, where text starts with the error code (`ERR`, `WRONGTYPE`, ...). One byte per
   * character (latin1), so that client bytes quoted in an error come back unchanged, as Redis
   * sends them. CR and LF become spaces, as in Redis, so that a client-supplied name cannot break
   * the reply stream.
   */
  error(text: string): void {
    const safe = text.includes('\r') || text.includes('\n') ? text.replace(/[\r\n]/g, ' ') : text;
    const length = safe.length;
    this.#ensure(length + 3);
    this.#slab[this.#pos++] = RESP_TYPES.ERROR;
    this.#pos += this.#slab.latin1Write(safe, this.#pos, length);
    this.#crlf();
    this.errors++;
  }

  /** `:n` for a 64-bit integer held as a number (exact up to 2^53) or a bigint. */
  integer(value: number | bigint): void {
    if (typeof value === 'number' && value === 0) return this.raw(REPLIES.ZERO);
    if (typeof value === 'number' && value === 1) return this.raw(REPLIES.ONE);
    this.#ensure(24);
    this.#slab[this.#pos++] = RESP_TYPES.INTEGER;
    this.#decimal(value);
    this.#crlf();
  }

  /** `*n` header; the n elements follow as separate calls. */
  arrayHeader(count: number): void {
    this.#ensure(24);
    this.#slab[this.#pos++] = RESP_TYPES.ARRAY;
    this.#decimal(count);
    this.#crlf();
  }

  /**
   * Header of a map of `pairs` key/value pairs, which follow as 2 × pairs calls: `%pairs` in
   * RESP3, a flat array `*2·pairs` of keys and values in RESP2 (as Redis sends it).
   */
  mapHeader(pairs: number): void {
    this.#ensure(24);
    if (this.resp3) {
      this.#slab[this.#pos++] = RESP_TYPES.MAP;
      this.#decimal(pairs);
    } else {
      this.#slab[this.#pos++] = RESP_TYPES.ARRAY;
      this.#decimal(2 * pairs);
    }
    this.#crlf();
  }

  /** Header of a set of `count` elements: `~count` in RESP3, an array `*count` in RESP2. */
  setHeader(count: number): void {
    this.#ensure(24);
    this.#slab[this.#pos++] = this.resp3 ? RESP_TYPES.SET : RESP_TYPES.ARRAY;
    this.#decimal(count);
    this.#crlf();
  }

  /**
   * Text meant for humans (INFO, CLIENT LIST), encoded as UTF-8: a verbatim string
   * `=n\r\ntxt:text` in RESP3, as Redis sends it, and a plain bulk string in RESP2. `format` is
   * the verbatim string's three-letter format (`txt` or `mkd`).
   */
  verbatim(text: string, format = 'txt'): void {
    if (!this.resp3) return this.bulkUtf8(text);
    if (format.length !== 3)
      throw new RangeError(`verbatim format must be 3 characters: ${format}`);
    const length = Buffer.byteLength(text, 'utf8');
    this.#ensure(24);
    this.#slab[this.#pos++] = RESP_TYPES.VERBATIM_STRING;
    this.#decimal(length + 4);
    this.#crlf();
    this.#ensure(length + 6);
    this.#pos += this.#slab.latin1Write(format, this.#pos, 3);
    this.#slab[this.#pos++] = COLON;
    this.#pos += this.#slab.utf8Write(text, this.#pos, length);
    this.#crlf();
  }

  /** `$n` bulk string of `bytes[start, end)`. */
  bulk(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const length = end - start;
    this.#bulkHeader(length);
    this.#ensure(length + 2);
    const slab = this.#slab;
    let pos = this.#pos;
    if (length <= 32) {
      for (let i = start; i < end; i++) slab[pos++] = bytes[i] as number;
    } else {
      slab.set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), pos);
      pos += length;
    }
    this.#pos = pos;
    this.#crlf();
  }

  /** Bulk string of a string whose characters are bytes (keys). */
  bulkLatin1(text: string): void {
    const length = text.length;
    this.#bulkHeader(length);
    this.#ensure(length + 2);
    this.#pos += this.#slab.latin1Write(text, this.#pos, length);
    this.#crlf();
  }

  /** Bulk string of text encoded as UTF-8 (INFO, CLIENT LIST, names). */
  bulkUtf8(text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    this.#bulkHeader(length);
    this.#ensure(length + 2);
    this.#pos += this.#slab.utf8Write(text, this.#pos, length);
    this.#crlf();
  }

  #bulkHeader(length: number): void {
    this.#ensure(24);
    this.#slab[this.#pos++] = RESP_TYPES.BULK_STRING;
    this.#decimal(length);
    this.#crlf();
  }

  #crlf(): void {
    // #ensure always reserves the two bytes of the line end.
    this.#slab[this.#pos++] = CR;
    this.#slab[this.#pos++] = LF;
  }

  /** Writes a decimal integer without building a string when it is a safe one. */
  #decimal(value: number | bigint): void {
    if (typeof value === 'bigint' || !Number.isSafeInteger(value)) {
      const text = typeof value === 'bigint' ? value.toString() : String(Math.trunc(value));
      this.#pos += this.#slab.latin1Write(text, this.#pos, text.length);
      return;
    }
    const slab = this.#slab;
    let n = value;
    if (n < 0) {
      slab[this.#pos++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      slab[this.#pos++] = ZERO + n;
      return;
    }
    const digits = decimalLength(n);
    let at = this.#pos + digits;
    this.#pos = at;
    while (n > 0) {
      const next = Math.floor(n / 10);
      slab[--at] = ZERO + (n - next * 10);
      n = next;
    }
  }

  /**
   * Makes room for `length` more bytes, moving the pending bytes into a new slab if needed. A slab
   * that must hold a large batch is sized at twice what is needed, so that a batch growing reply
   * by reply is copied O(1) times per byte rather than once per reply.
   */
  #ensure(length: number): void {
    if (this.#pos + length <= this.#slab.length) return;
    const pending = this.#pos - this.#start;
    const needed = pending + length;
    const size = needed <= this.#slabSize ? this.#slabSize : 2 * needed;
    const slab = Buffer.allocUnsafeSlow(size) as FastBuffer;
    this.#slab.copy(slab, 0, this.#start, this.#pos);
    this.#slab = slab;
    this.#start = 0;
    this.#pos = pending;
  }
}
