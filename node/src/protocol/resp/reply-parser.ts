import { CR, RESP_TYPES } from './types.ts';

/** An error reply (`-ERR ...`), kept apart from strings so that tests can tell them apart. */
export class RespErrorReply {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * A RESP2 reply: a simple string is a `string`, a bulk string a `Buffer`, an integer a `number`
 * (a `bigint` beyond 2^53), a null bulk or array `null`.
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
 * that are not a RESP2 reply.
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
    case RESP_TYPES.INTEGER: {
      const big = BigInt(line);
      const value =
        big >= Number.MIN_SAFE_INTEGER && big <= Number.MAX_SAFE_INTEGER ? Number(big) : big;
      return { value, next: afterLine };
    }
    case RESP_TYPES.BULK_STRING: {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (afterLine + length + 2 > buffer.length) return undefined;
      const value = Buffer.from(buffer.subarray(afterLine, afterLine + length));
      return { value, next: afterLine + length + 2 };
    }
    case RESP_TYPES.ARRAY: {
      const count = Number(line);
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
    default:
      throw new TypeError(`not a RESP2 reply: type byte ${type} at offset ${offset}`);
  }
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
