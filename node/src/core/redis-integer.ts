/** Integers stored as strings, read and written exactly as Redis's INCR family does. */

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/** Up to 15 digits always fit in a double exactly, so such values skip BigInt entirely. */
const SAFE_DIGITS = 15;
/** "-9223372036854775808" is the longest int64, 20 bytes (Redis's LONG_STR_SIZE is 21). */
const MAX_LENGTH = 20;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const SAFE_DELTA = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses `bytes` with the rules of Redis's `string2ll`: an optional '-' then decimal digits, the
 * first of them 1-9 unless the whole value is "0", nothing else (no '+', no spaces, no leading
 * zeros, so "01", "-0", " 1" and "" are not integers), within the signed 64-bit range. Returns a
 * number when the value has at most 15 digits, a bigint beyond, undefined when not an integer.
 */
export function parseInt64(bytes: Uint8Array): number | bigint | undefined {
  const length = bytes.length;
  if (length === 0 || length > MAX_LENGTH) return undefined;
  if (length === 1 && bytes[0] === ZERO) return 0;
  const negative = bytes[0] === MINUS;
  let at = negative ? 1 : 0;
  if (at === length) return undefined;
  const first = bytes[at] as number;
  if (first <= ZERO || first > NINE) return undefined;
  let value = 0;
  for (; at < length; at++) {
    const byte = bytes[at] as number;
    if (byte < ZERO || byte > NINE) return undefined;
    value = value * 10 + (byte - ZERO);
  }
  const digits = negative ? length - 1 : length;
  if (digits <= SAFE_DIGITS) return negative ? -value : value;
  const big = BigInt(Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1'));
  return big > INT64_MAX || big < INT64_MIN ? undefined : big;
}

/**
 * `value + delta` if it stays in the signed 64-bit range, else undefined (Redis's overflow).
 * The sum is a number when it is a safe integer and a bigint otherwise, whatever the inputs.
 */
export function addInt64(value: number | bigint, delta: bigint): number | bigint | undefined {
  if (typeof value === 'number' && delta >= -SAFE_DELTA && delta <= SAFE_DELTA) {
    const sum = value + Number(delta);
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(value) + delta;
  if (sum > INT64_MAX || sum < INT64_MIN) return undefined;
  return sum >= -SAFE_DELTA && sum <= SAFE_DELTA ? Number(sum) : sum;
}

/**
 * The decimal ASCII bytes of an integer, as INCR stores its result, in an exact-size Buffer: a
 * pooled one would pin a shared 8 KiB slab for as long as the counter lives (see entry-size.ts).
 */
export function formatInt64(value: number | bigint): Buffer {
  const text = String(value);
  const bytes = Buffer.allocUnsafeSlow(text.length);
  bytes.write(text, 0, 'latin1');
  return bytes;
}
