/**
 * The x87 80-bit extended precision ("long double" on x86-64 Linux, which Redis's INCRBYFLOAT
 * computes in), exactly: a 64-bit significand and a 15-bit exponent, each result rounded to
 * nearest, ties to even, as the FPU does. Redis parses with strtold, adds, and prints with
 * "%.17Lf" before trimming zeros; doing the same here in integer arithmetic (BigInt) gives the
 * same strings, where doubles would differ (0.2 + 0.1 is 0.3 in long double, 0.30000000000000004
 * in double). Pure: no I/O.
 */

/** A finite long double: (-1)^neg × sig × 2^exp, with sig < 2^64 (0 for a zero). */
export interface LongDouble {
  readonly neg: boolean;
  readonly sig: bigint;
  readonly exp: number;
}

/** What parsing or adding can give besides a finite value. */
export type LongDoubleResult = LongDouble | 'inf' | 'invalid';

const SIG_BITS = 64;
/** The exponent of the smallest subnormal's unit: 2^-16445. */
const MIN_EXP = -16445;
/** Values at or above 2^16384 overflow. */
const MAX_BITS_EXP = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer strings are not parsed. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const ZERO: LongDouble = { neg: false, sig: 0n, exp: 0 };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * `(neg, n × 2^exp + a fraction below one unit of n: `sticky`)` rounded to 64 significant bits
 * (fewer below the normal range), ties to even; 'inf' past the largest finite value.
 */
function round(neg: boolean, n: bigint, exp: number, sticky: boolean): LongDouble | 'inf' {
  if (n === 0n) return { neg, sig: 0n, exp: 0 };
  const shift = Math.max(bitLength(n) - SIG_BITS, MIN_EXP - exp);
  if (shift > 0) {
    const big = BigInt(shift);
    const kept = n >> big;
    const rest = n - (kept << big);
    const half = 1n << (big - 1n);
    let sig = kept;
    if (rest > half || (rest === half && (sticky || (kept & 1n) === 1n))) sig += 1n;
    exp += shift;
    n = sig;
    if (bitLength(n) > SIG_BITS) {
      n >>= 1n;
      exp += 1;
    }
  }
  if (n === 0n) return { neg, sig: 0n, exp: 0 };
  if (exp + bitLength(n) > MAX_BITS_EXP) return 'inf';
  return { neg, sig: n, exp };
}

/**
 * Redis's string2ld: strtold over the whole string, nothing before or after, no leading space;
 * 'invalid' for NaN, for a result that overflowed or underflowed to zero, and for an empty or
 * over-long string; 'inf' for "inf" and "infinity".
 */
export function parseLongDouble(text: string): LongDoubleResult {
  if (text.length === 0 || text.length >= MAX_LONG_DOUBLE_CHARS) return 'invalid';
  const match =
    /^([+-]?)(?:(0[xX])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?|(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?|(inf|infinity))$/i.exec(
      text,
    );
  if (match === null) return 'invalid';
  const neg = match[1] === '-';
  if (match[9] !== undefined) return 'inf';
  let result: LongDouble | 'inf';
  if (match[2] !== undefined) {
    const whole = match[3] ?? '';
    const fraction = match[4] ?? '';
    if (whole.length + fraction.length === 0) return 'invalid';
    const digits = BigInt(`0x${whole}${fraction}`);
    if (digits === 0n) return { neg, sig: 0n, exp: 0 };
    const exp = Number(match[5] ?? '0') - 4 * fraction.length;
    // Past any exponent a long double has: an overflow or an underflow to zero either way.
    if (Math.abs(exp) > 1e6) return 'invalid';
    result = round(neg, digits, exp, false);
  } else {
    const whole = match[6] ?? '';
    const fraction = match[7] ?? '';
    if (whole.length + fraction.length === 0) return 'invalid';
    const digits = BigInt(`${whole}${fraction}` || '0');
    if (digits === 0n) return { neg, sig: 0n, exp: 0 };
    const power = Number(match[8] ?? '0') - fraction.length;
    result = decimal(neg, digits, power);
  }
  // strtold reports ERANGE for a value rounded to zero (Redis refuses it) or overflowing.
  if (result === 'inf' || result.sig === 0n) return 'invalid';
  return result;
}

/** digits × 10^power, rounded; far out of range it is decided from the digit count alone. */
function decimal(neg: boolean, digits: bigint, power: number): LongDouble | 'inf' {
  const magnitude = digits.toString().length + power;
  if (magnitude > 4934) return 'inf';
  if (magnitude < -4952) return { neg, sig: 0n, exp: 0 };
  if (power >= 0) return round(neg, digits * 10n ** BigInt(power), 0, false);
  const divisor = 10n ** BigInt(-power);
  // Enough quotient bits for 64 significant ones, two to round with, and the subnormal range.
  const scale = Math.max(0, SIG_BITS + 2 + bitLength(divisor) - bitLength(digits));
  const scaled = digits << BigInt(scale);
  const quotient = scaled / divisor;
  const sticky = quotient * divisor !== scaled;
  return round(neg, (quotient << 1n) | (sticky ? 1n : 0n), -scale - 1, sticky);
}

/** a + b, rounded once, as the FPU adds; 'inf' on overflow. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | 'inf' {
  if (a.sig === 0n && b.sig === 0n) return { neg: a.neg && b.neg, sig: 0n, exp: 0 };
  if (a.sig === 0n) return b;
  if (b.sig === 0n) return a;
  const exp = Math.min(a.exp, b.exp);
  const signed = (x: LongDouble): bigint => (x.neg ? -x.sig : x.sig) << BigInt(x.exp - exp);
  const sum = signed(a) + signed(b);
  if (sum === 0n) return ZERO;
  return round(sum < 0n, sum < 0n ? -sum : sum, exp, false);
}

/**
 * Redis's ld2string in LD_STR_HUMAN mode: printf("%.17Lf") (the exact value rounded to 17
 * decimals, ties to even), then the trailing zeros and a trailing point removed, and "-0" as "0".
 */
export function formatLongDouble(value: LongDouble): string {
  const scale = 10n ** 17n;
  let units: bigint;
  if (value.exp >= 0) {
    units = (value.sig << BigInt(value.exp)) * scale;
  } else {
    const shift = BigInt(-value.exp);
    const scaled = value.sig * scale;
    units = scaled >> shift;
    const rest = scaled - (units << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (units & 1n) === 1n)) units += 1n;
  }
  const text = units.toString().padStart(18, '0');
  let out = `${value.neg ? '-' : ''}${text.slice(0, -17)}.${text.slice(-17)}`;
  out = out.replace(/0+$/, '').replace(/\.$/, '');
  return out === '-0' ? '0' : out;
}
