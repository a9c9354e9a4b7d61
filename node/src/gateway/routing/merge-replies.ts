import { ReplyFramer } from '../upstream/reply-framer.ts';

/**
 * Reading and writing the few replies the gateway merges (fan-out parts, DBSIZE, SCAN), on the
 * raw bytes: only the parts that change are decoded.
 */

const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const STAR = 0x2a;

export function isError(bytes: Buffer, start: number): boolean {
  return bytes[start] === MINUS;
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

/** The content of a bulk string reply `$n\r\n...\r\n` as latin1 text, or undefined. */
export function bulkText(bytes: Buffer, start: number, end: number): string | undefined {
  if (bytes[start] !== 0x24) return undefined;
  const headerEnd = bytes.indexOf(0x0d, start);
  if (headerEnd < 0 || headerEnd + 2 > end - 2) return undefined;
  return bytes.toString('latin1', headerEnd + 2, end - 2);
}

/** The error line of an error reply, without `-` and CRLF. */
export function errorText(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start + 1, end - 2);
}
