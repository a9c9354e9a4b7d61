import { CR, RESP_TYPES } from './types.ts';

/** An error reply (`-ERR ...`), kept apart from strings so that tests can tell them apart. */
export class RespErrorReply {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * A reply: a simple string is a `string`, a bulk string a `Buffer`, an integer a `number` (a
 * `bigint` beyond 2^53), a null bulk or array `null`.
 *
 * RESP3 replies are read too, lowered to the RESP2 shape that carries the same value, which is
 * what Redis sends a RESP2 connection: `_` is null, a map `%` a flat array of keys and values, a
 * set `~` or a push `>` an array, a verbatim string `=` the Buffer of its text (without the
 * `txt:` format), a boolean `#` the integer 1 or 0, a double `,` the Buffer of its text, a big
 * number `(` an integer, a bulk error `!` an error; an attribute `|` is skipped. The same
 * assertions then hold in both protocols; tests that check the RESP3 types compare bytes.
 */
export type RespReply = string | number | bigint | Buffer | null | RespErrorReply | RespReply[];

/** A parsed reply and the offset just after it. */
export interface ParsedReply {
  readonly value: RespReply;
  readonly next: number;
}

/**
 * Parses one reply at `offset`; undefined when the bytes end before it does. Client-side code for
 * tests, the benchmark loader and tools, not the server's hot path; throws a TypeError on bytes
 * that are not a RESP2 or RESP3 reply.
 */
export function parseReply(buffer: Buffer, offset = 0): ParsedReply | undefined {
  if (offset >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf(CR, offset);
  if (lineEnd < 0 || lineEnd + 1 >= buffer.length) return undefined;
  const type = buffer[offset];
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case RESP_TYPES.SIMPLE_STRING:
      return { value: line, next: afterLine };
    case RESP_TYPES.ERROR:
      return { value: new RespErrorReply(line), next: afterLine };
    case RESP_TYPES.INTEGER:
    case RESP_TYPES.BIG_NUMBER:
      return { value: integer(line), next: afterLine };
    case RESP_TYPES.BULK_STRING:
      return bulk(buffer, line, afterLine, 0);
    case RESP_TYPES.VERBATIM_STRING:
      // The first 4 bytes are the format (`txt:`).
      return bulk(buffer, line, afterLine, 4);
    case RESP_TYPES.BLOB_ERROR: {
      const parsed = bulk(buffer, line, afterLine, 0);
      if (!parsed || !Buffer.isBuffer(parsed.value)) return parsed;
      return { value: new RespErrorReply(parsed.value.toString('utf8')), next: parsed.next };
    }
    case RESP_TYPES.DOUBLE:
      return { value: Buffer.from(line, 'utf8'), next: afterLine };
    case RESP_TYPES.BOOLEAN:
      return { value: line === 't' ? 1 : 0, next: afterLine };
    case RESP_TYPES.NULL:
      return { value: null, next: afterLine };
    case RESP_TYPES.ARRAY:
    case RESP_TYPES.SET:
    case RESP_TYPES.PUSH:
      return aggregate(buffer, Number(line), afterLine);
    case RESP_TYPES.MAP:
      return aggregate(buffer, 2 * Number(line), afterLine);
    case RESP_TYPES.ATTRIBUTE: {
      const attributes = aggregate(buffer, 2 * Number(line), afterLine);
      return attributes && parseReply(buffer, attributes.next);
    }
    default:
      throw new TypeError(`not a RESP reply: type byte ${type} at offset ${offset}`);
  }
}

function integer(line: string): number | bigint {
  const big = BigInt(line);
  return big >= Number.MIN_SAFE_INTEGER && big <= Number.MAX_SAFE_INTEGER ? Number(big) : big;
}

/** A bulk string's bytes after its header line, less the first `skip` (a verbatim format). */
function bulk(
  buffer: Buffer,
  line: string,
  afterLine: number,
  skip: number,
): ParsedReply | undefined {
  const length = Number(line);
  if (length < 0) return { value: null, next: afterLine };
  if (afterLine + length + 2 > buffer.length) return undefined;
  const value = Buffer.from(
    buffer.subarray(afterLine + Math.min(skip, length), afterLine + length),
  );
  return { value, next: afterLine + length + 2 };
}

/** `count` replies after a header line, as an array (null for a RESP2 null array). */
function aggregate(buffer: Buffer, count: number, afterLine: number): ParsedReply | undefined {
  if (count < 0) return { value: null, next: afterLine };
  const items: RespReply[] = [];
  let next = afterLine;
  for (let i = 0; i < count; i++) {
    const item = parseReply(buffer, next);
    if (!item) return undefined;
    items.push(item.value);
    next = item.next;
  }
  return { value: items, next };
}

/** Parses every complete reply in `buffer`; `consumed` is where the incomplete rest starts. */
export function parseReplies(buffer: Buffer): { values: RespReply[]; consumed: number } {
  const values: RespReply[] = [];
  let consumed = 0;
  for (;;) {
    const parsed = parseReply(buffer, consumed);
    if (!parsed) return { values, consumed };
    values.push(parsed.value);
    consumed = parsed.next;
  }
}
