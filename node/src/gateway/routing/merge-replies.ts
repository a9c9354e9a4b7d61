import { ReplyFramer } from '../upstream/reply-framer.ts';

/**
 * Reading and writing the few replies the gateway merges (fan-out parts, DBSIZE, SCAN), on the
 * raw bytes: only the parts that change are decoded. The replies come in the protocol of the
 * client they are for (RESP2 or RESP3 node connections); the shapes merged here are the same
 * bytes in both, except nulls (copied as they are) and INFO's text (see bulkText).
 */

const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const STAR = 0x2a;
const DOLLAR = 0x24;
const EQUALS = 0x3d;
const BANG = 0x21;

/** An error reply: `-...` or RESP3's bulk error `!n` (which nodes do not send, but may). */
export function isError(bytes: Buffer, start: number): boolean {
  return bytes[start] === MINUS || bytes[start] === BANG;
}

export function isOk(bytes: Buffer, start: number, end: number): boolean {
  return end - start === 5 && bytes[start] === PLUS && bytes[start + 1] === 0x4f;
}

/** The value of an integer reply `:n\r\n`, or undefined for any other reply. */
export function integerReply(bytes: Buffer, start: number, end: number): number | undefined {
  if (bytes[start] !== COLON) return undefined;
  const value = Number(bytes.toString('latin1', start + 1, end - 2));
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * The elements of an array reply as [start, end) ranges into `bytes`, or undefined when the
 * reply is not an array (a null array has no elements).
 */
export function arrayElements(bytes: Buffer, start: number, end: number): number[] | undefined {
  if (bytes[start] !== STAR) return undefined;
  const headerEnd = bytes.indexOf(0x0d, start);
  const count = Number(bytes.toString('latin1', start + 1, headerEnd));
  const ranges: number[] = [];
  if (count <= 0) return ranges;
  const framer = new ReplyFramer();
  const body = bytes.subarray(headerEnd + 2, end);
  framer.feed(body);
  const offset = headerEnd + 2;
  for (let i = 0; i < count; i++) {
    if (!framer.next()) return undefined;
    ranges.push(offset + framer.start, offset + framer.end);
  }
  return ranges;
}

/** `*n\r\n` followed by the given element bytes. */
export function arrayReply(elements: readonly Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(`*${elements.length}\r\n`, 'latin1'), ...elements]);
}

export function integerBytes(value: number): Buffer {
  return Buffer.from(`:${value}\r\n`, 'latin1');
}

export const OK_REPLY = Buffer.from('+OK\r\n');

/**
 * The content of a bulk string reply `$n\r\n...\r\n` as latin1 text, or of a RESP3 verbatim
 * string `=n\r\ntxt:...\r\n` without its format (INFO on a RESP3 connection); else undefined.
 */
export function bulkText(bytes: Buffer, start: number, end: number): string | undefined {
  const type = bytes[start];
  if (type !== DOLLAR && type !== EQUALS) return undefined;
  const headerEnd = bytes.indexOf(0x0d, start);
  const from = headerEnd + 2 + (type === EQUALS ? 4 : 0);
  if (headerEnd < 0 || from > end - 2) return undefined;
  return bytes.toString('latin1', from, end - 2);
}

/** The error line of an error reply, without `-` and CRLF. */
export function errorText(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start + 1, end - 2);
}
