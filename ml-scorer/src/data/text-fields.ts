import { hashBytes53 } from './key-hash.ts';

/**
 * Number parsing straight from the bytes of a text trace, without making a string per field:
 * the fast path covers the plain integers that make up nearly every trace, and anything else
 * falls back to `Number()` on the field's text.
 */

const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** 10^15 < 2^53, so 15 digits always fit a double exactly. */
const MAX_FAST_DIGITS = 15;

/** Parses a decimal number (integer or not); NaN when the field is empty or not a number. */
export function parseNumberField(bytes: Uint8Array, start: number, end: number): number {
  const fast = parseSmallInteger(bytes, start, end);
  if (!Number.isNaN(fast)) return fast;
  if (end <= start) return Number.NaN;
  const text = latin1(bytes, start, end).trim();
  return text === '' ? Number.NaN : Number(text);
}

/**
 * A key id: an integer key that is a safe integer is used as it is; any other key (a string, or
 * an integer beyond 2^53 such as a signed 64-bit id) becomes a 53-bit hash of its bytes.
 */
export function parseKeyField(bytes: Uint8Array, start: number, end: number): number {
  const fast = parseSmallInteger(bytes, start, end);
  if (!Number.isNaN(fast)) return fast;
  if (isIntegerText(bytes, start, end)) {
    const value = Number(latin1(bytes, start, end));
    if (Number.isSafeInteger(value)) return value;
  }
  return hashBytes53(bytes, start, end);
}

/** An optionally negative integer of at most 15 digits, else NaN. */
function parseSmallInteger(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = i < end && bytes[i] === MINUS;
  if (negative) i++;
  const digits = end - i;
  if (digits <= 0 || digits > MAX_FAST_DIGITS) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < ZERO || c > NINE) return Number.NaN;
    value = value * 10 + (c - ZERO);
  }
  return negative ? -value : value;
}

/** Whether the field is an optionally negative run of digits. */
export function isIntegerText(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (i < end && bytes[i] === MINUS) i++;
  if (i >= end) return false;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/** The field's bytes as text, for fallbacks and error messages. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
