/** The smallest normal double: below it the fast way to print a number does not hold. */
const MIN_NORMAL = 2 ** -1022;

/**
 * The exact decimal value of a finite positive double: digits (no leading zero) and the power of
 * ten of the first one. A double is m * 2^e exactly, which is m * 5^-e / 10^-e when e < 0.
 */
function exactDecimal(value: number): { digits: string; exponent: number } {
  if (Number.isSafeInteger(value)) {
    const digits = String(value);
    return { digits, exponent: digits.length - 1 };
  }
  return exactBinaryDecimal(value);
}

function exactBinaryDecimal(value: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = biased === 0 ? -1074 : biased - 1075;
  const scaled = power >= 0 ? mantissa << BigInt(power) : mantissa * 5n ** BigInt(-power);
  const digits = scaled.toString();
  return { digits, exponent: digits.length - 1 + Math.min(power, 0) };
}

/**
 * Rounds exact digits to `precision` significant ones, ties to even as glibc's printf does (an
 * exact tie is possible: 123456789012345 at 14 digits). Trailing zeros are dropped, as %g does.
 */
function roundDigits(
  digits: string,
  exponent: number,
  precision: number,
): { digits: string; exponent: number } {
  let kept = digits.slice(0, precision);
  const rest = digits.slice(precision);
  const first = rest.charCodeAt(0) - 0x30;
  const tie = first === 5 && !/[1-9]/.test(rest.slice(1));
  const up =
    first > 5 || (first === 5 && !tie) || (tie && (kept.charCodeAt(kept.length - 1) & 1) === 1);
  if (up) {
    kept = (BigInt(kept) + 1n).toString();
    if (kept.length > precision) {
      kept = kept.slice(0, precision);
      exponent++;
    }
  }
  return { digits: kept.replace(/0+$/, ''), exponent };
}

/**
 * The digits %.<precision>g prints for a finite positive double, and the power of ten of the first.
 * When JavaScript's shortest round-trip form has at most `precision` digits (precision at most 15)
 * it is the answer: it is within half an ulp of the double, and a normal double's ulp is finer
 * than the spacing of 15-digit decimals, so no other decimal of that many digits is nearer (not so
 * for subnormals: 5e-324 prints as 4.9406564584125e-324). Otherwise the exact value is rounded.
 */
function significantDigits(value: number, precision: number): { digits: string; exponent: number } {
  const shortest = value.toExponential();
  const e = shortest.indexOf('e');
  const digits = shortest.slice(0, e).replace('.', '');
  if (digits.length <= precision && precision <= 15 && value >= MIN_NORMAL) {
    return { digits: digits.replace(/0+$/, ''), exponent: Number(shortest.slice(e + 1)) };
  }
  const exact = exactDecimal(value);
  return roundDigits(exact.digits, exact.exponent, precision);
}

/**
 * C's `printf("%.<precision>g", x)` for a double: Lua 5.1 prints numbers with `%.14g` (tostring,
 * cjson), and Redis turns a number given to redis.call into an argument with `%.17g`. JavaScript's
 * own number printing differs from both (1e15 prints as 1000000000000000, 1e-5 as 0.00001), so
 * scripts would otherwise see other strings than they do in Redis. Rounding is glibc's: the exact
 * binary value, ties to even (123456789012345 at 14 digits is 1.2345678901234e+14).
 */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = significantDigits(Math.abs(x), precision);
  if (exponent < -4 || exponent >= precision) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const power = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${power}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}
