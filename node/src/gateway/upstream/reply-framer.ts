import { CR, RESP_TYPES } from '../../protocol/resp/types.ts';

/**
 * Finds where each RESP2 or RESP3 reply of a node's reply stream ends, without decoding it: the
 * gateway copies reply bytes to clients as they are, so all it needs is the boundaries (the node's
 * `parseReply` builds values and is meant for tests and the rare replies the gateway must read).
 *
 * RESP3: `_ , # (` are one line like `+ - :`; `= !` carry a length like `$`; `% ~ >` are
 * aggregates like `*` (a map counts two elements per entry); an attribute `|` precedes the reply
 * it annotates and is framed with it. Streamed aggregates and strings (`?` lengths) are refused:
 * Redis does not send them and neither do the nodes.
 *
 * Usage: `feed(chunk)`, then `next()` until it returns false; after each true, the reply is
 * `buffer[start, end)`. The bytes handed out are never written again: a reply that lies in one
 * chunk is a range of that chunk (socket chunks are fresh memory), and a reply cut by a chunk
 * boundary is assembled in a carry buffer that is never reused once anything was handed out of it.
 * So a receiver may keep (buffer, start, end) without copying.
 *
 * Scanning is resumable: a long array reply arriving over many chunks is scanned once, not once per
 * chunk (the nesting state is kept between calls).
 */
export class ReplyFramer {
  /** The bytes of the reply `next()` returned last. */
  buffer: Buffer = EMPTY;
  start = 0;
  end = 0;

  #buf: Buffer = EMPTY;
  #len = 0;
  /** Start of the reply being scanned. */
  #replyStart = 0;
  /** Where scanning resumes: the start of the next element header. */
  #pos = 0;
  /** Elements still to read at each array nesting level; empty between replies. */
  readonly #remaining: number[] = [];
  /** #buf is a carry buffer the framer owns (and may append to until it hands something out). */
  #carrying = false;
  #handedOut = false;

  /** Adds received bytes; the chunk must not be modified afterwards. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (!this.#carrying && this.#replyStart >= this.#len) {
      this.#buf = chunk;
      this.#len = chunk.length;
      this.#replyStart = 0;
      this.#pos = 0;
      return;
    }
    this.#append(chunk);
  }

  /** Forgets any partial reply (a new connection starts a new stream). */
  reset(): void {
    this.#remaining.length = 0;
    this.#dropCarry();
  }

  /** Bytes received and not yet returned as replies. */
  get pendingBytes(): number {
    return this.#len - this.#replyStart;
  }

  /**
   * Advances to the next complete reply (true, see buffer/start/end) or returns false when more
   * bytes are needed. Throws a TypeError on bytes that are not RESP (a desynchronised stream).
   */
  next(): boolean {
    const buf = this.#buf;
    const len = this.#len;
    const remaining = this.#remaining;
    let pos = this.#pos;
    if (remaining.length === 0) {
      if (this.#replyStart >= len) {
        this.#dropCarry();
        return false;
      }
      remaining.push(1);
      pos = this.#replyStart;
    }
    while (remaining.length > 0) {
      if (pos >= len) break;
      const type = buf[pos] as number;
      const lineEnd = findCr(buf, pos + 1, len);
      if (lineEnd < 0 || lineEnd + 1 >= len) break;
      let next = lineEnd + 2;
      const kind = KIND[type] as number;
      if (kind === BLOB) {
        const length = readLength(buf, pos + 1, lineEnd);
        if (length >= 0) {
          next += length + 2;
          if (next > len) break;
        }
      } else if (kind >= AGGREGATE) {
        const count = readLength(buf, pos + 1, lineEnd);
        const elements = kind === AGGREGATE ? count : 2 * count;
        if (kind === ATTRIBUTE) {
          // Not an element of its parent: the reply it annotates follows and counts instead.
          pos = next;
          if (elements > 0) remaining.push(elements);
          continue;
        }
        if (elements > 0) {
          pos = next;
          remaining[remaining.length - 1]! -= 1;
          remaining.push(elements);
          continue;
        }
      } else if (kind !== LINE) {
        throw new TypeError(`not a RESP reply: type byte ${type}`);
      }
      pos = next;
      // One element done; close every array it completes (an array counts in its parent as
      // soon as it starts, so finished levels are exactly the trailing zeros).
      remaining[remaining.length - 1]! -= 1;
      while (remaining.length > 0 && remaining[remaining.length - 1] === 0) remaining.pop();
    }
    this.#pos = pos;
    if (remaining.length > 0) {
      this.#keepPartial();
      return false;
    }
    this.buffer = buf;
    this.start = this.#replyStart;
    this.end = pos;
    this.#replyStart = pos;
    if (this.#carrying) this.#handedOut = true;
    return true;
  }

  /**
   * The partial reply at the end of the input is copied into a fresh carry buffer of our own,
   * unless it already is in one that nothing was handed out of.
   */
  #keepPartial(): void {
    if (this.#carrying && !this.#handedOut) return;
    const kept = this.#len - this.#replyStart;
    const carry = Buffer.allocUnsafeSlow(Math.max(CARRY_MIN, kept * 2));
    this.#buf.copy(carry, 0, this.#replyStart, this.#len);
    this.#pos -= this.#replyStart;
    this.#buf = carry;
    this.#len = kept;
    this.#replyStart = 0;
    this.#carrying = true;
    this.#handedOut = false;
  }

  #append(chunk: Buffer): void {
    // Unreturned bytes of a socket chunk (a caller that fed before draining), or of a carry
    // buffer that handed replies out, move to a fresh carry buffer first.
    if (!this.#carrying || this.#handedOut) this.#keepPartial();
    const needed = this.#len + chunk.length;
    if (needed > this.#buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.#buf.length * 2));
      this.#buf.copy(grown, 0, 0, this.#len);
      this.#buf = grown;
    }
    chunk.copy(this.#buf, this.#len);
    this.#len = needed;
  }

  /** Everything was returned: the next chunk is parsed in place again. */
  #dropCarry(): void {
    this.#buf = EMPTY;
    this.#len = 0;
    this.#replyStart = 0;
    this.#pos = 0;
    this.#carrying = false;
    this.#handedOut = false;
  }
}

const EMPTY = Buffer.alloc(0);
const CARRY_MIN = 4096;
const MINUS = 0x2d;
const QUESTION = 0x3f;

/** How a reply element is framed, by its type byte (0: not a RESP type). */
const LINE = 1;
const BLOB = 2;
const AGGREGATE = 3;
const MAP = 4;
const ATTRIBUTE = 5;
const KIND = new Uint8Array(256);
for (const type of [
  RESP_TYPES.SIMPLE_STRING,
  RESP_TYPES.ERROR,
  RESP_TYPES.INTEGER,
  RESP_TYPES.NULL,
  RESP_TYPES.DOUBLE,
  RESP_TYPES.BOOLEAN,
  RESP_TYPES.BIG_NUMBER,
]) {
  KIND[type] = LINE;
}
for (const type of [RESP_TYPES.BULK_STRING, RESP_TYPES.VERBATIM_STRING, RESP_TYPES.BLOB_ERROR]) {
  KIND[type] = BLOB;
}
for (const type of [RESP_TYPES.ARRAY, RESP_TYPES.SET, RESP_TYPES.PUSH]) KIND[type] = AGGREGATE;
KIND[RESP_TYPES.MAP] = MAP;
KIND[RESP_TYPES.ATTRIBUTE] = ATTRIBUTE;

function findCr(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === CR) return i;
  return -1;
}

/**
 * A header's length or count (`-1` for RESP2's null bulks and arrays); nodes write canonical
 * decimals. A streamed length (`?`) would be misread as a number, so it is refused.
 */
function readLength(buf: Buffer, start: number, end: number): number {
  let i = start;
  const first = buf[i];
  if (first === QUESTION) throw new TypeError('streamed RESP3 replies are not supported');
  const negative = first === MINUS;
  if (negative) i++;
  let value = 0;
  for (; i < end; i++) value = value * 10 + ((buf[i] as number) - 0x30);
  return negative ? -value : value;
}
