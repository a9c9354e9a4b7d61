/**
 * Integer arguments read straight from request bytes, with the rules of Redis's `string2ll`: an
 * optional '-', then decimal digits, the first 1-9 unless the whole text is "0"; no '+', spaces or
 * leading zeros; within the signed 64-bit range. Parsing the bytes in place avoids building a
 * string for every EX, COUNT or INCRBY argument.
 */

const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** "-9223372036854775808" is the longest int64 (Redis's LONG_STR_SIZE is 21 with the NUL). */
const MAX_TEXT_LENGTH = 20;
/** Up to 15 digits always fit a double exactly; longer values are checked with BigInt. */
const SAFE_DIGITS = 15;

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * The integer in `bytes[start, end)`, or NaN when it is not a 64-bit integer. Values beyond 15
 * digits come back as the nearest double: exact enough for expiry times and counts; INCRBY, which
 * must be exact, uses `parseBigIntAt`.
 */
export function parseIntegerAt(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length <= 0 || length > MAX_TEXT_LENGTH) return NaN;
  let at = start;
  const negative = bytes[at] === MINUS;
  if (negative) at++;
  if (at === end) return NaN;
  const first = bytes[at] as number;
  if (first === ZERO) return length === 1 ? 0 : NaN;
  if (first > NINE || first < ZERO) return NaN;
  let value = 0;
  for (; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte < ZERO || byte > NINE) return NaN;
    value = value * 10 + (byte - ZERO);
  }
  const digits = negative ? length - 1 : length;
  if (digits > SAFE_DIGITS) return nearestInt64(bytes, start, end);
  return negative ? -value : value;
}

/** The exact integer in `bytes[start, end)`, or undefined when it is not a 64-bit integer. */
export function parseBigIntAt(bytes: Uint8Array, start: number, end: number): bigint | undefined {
  const approx = parseIntegerAt(bytes, start, end);
  if (Number.isNaN(approx)) return undefined;
  if (Number.isSafeInteger(approx)) return BigInt(approx);
  return BigInt(latin1(bytes, start, end));
}

/** A long integer as the nearest double (digit by digit would round repeatedly), or NaN. */
function nearestInt64(bytes: Uint8Array, start: number, end: number): number {
  const big = BigInt(latin1(bytes, start, end));
  return big >= INT64_MIN && big <= INT64_MAX ? Number(big) : NaN;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Number of decimal digits of a non-negative safe integer (for length-prefixed headers). */
export function decimalLength(value: number): number {
  if (value < 10) return 1;
  if (value < 100) return 2;
  if (value < 1000) return 3;
  if (value < 10000) return 4;
  if (value < 100000) return 5;
  if (value < 1000000) return 6;
  return String(value).length;
}
