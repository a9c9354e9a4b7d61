import { isAlpha, isDigit, isHexDigit } from './ascii.ts';

/**
 * Rewrites a Lua chunk so that every integer numeral is a float numeral (`10` → `10.0`,
 * `0x1F` → `0x1F.0`), touching nothing inside strings and comments.
 *
 * Why: Redis runs Lua 5.1, where every number is a double. fengari runs Lua 5.3, where `10` is
 * an integer, and its integers are 32-bit: `3600 * 1000 * 24 * 365` would wrap, even folded at
 * compile time, and `7 // 2` would stay an integer. With float numerals (and the runtime's
 * float-returning tonumber and math.floor) arithmetic is done in doubles, as in Redis. The
 * rewrite keeps every newline, so line numbers in error messages do not move.
 */
export function floatNumerals(source: Uint8Array): Uint8Array {
  const out: number[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source[i]!;
    if (c === DASH && source[i + 1] === DASH) {
      i = copyComment(source, i, out);
    } else if (c === QUOTE || c === APOSTROPHE) {
      i = copyQuoted(source, i, out);
    } else if (c === OPEN_BRACKET && longBracketLevel(source, i) >= 0) {
      i = copyLong(source, i, longBracketLevel(source, i), out);
    } else if (c === DOT && source[i + 1] === DOT) {
      // `..` and `...` are operators: a digit after them starts a numeral of its own.
      while (source[i] === DOT) out.push(source[i++]!);
    } else if (isNameStart(c)) {
      while (i < n && isNameChar(source[i]!)) out.push(source[i++]!);
    } else if (isDigit(c) || (c === DOT && isDigit(source[i + 1] ?? 0))) {
      i = copyNumeral(source, i, out);
    } else {
      out.push(c);
      i++;
    }
  }
  return Uint8Array.from(out);
}

const DASH = 0x2d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const EQUALS = 0x3d;
const DOT = 0x2e;
const NEWLINE = 0x0a;

function isNameStart(c: number): boolean {
  return isAlpha(c) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

function copyLine(source: Uint8Array, from: number, out: number[]): number {
  let i = from;
  while (i < source.length && source[i] !== NEWLINE) out.push(source[i++]!);
  return i;
}

/** `--[==[ ... ]==]` or `-- ...` to the end of the line. */
function copyComment(source: Uint8Array, from: number, out: number[]): number {
  out.push(DASH, DASH);
  const level = longBracketLevel(source, from + 2);
  if (level >= 0) return copyLong(source, from + 2, level, out);
  return copyLine(source, from + 2, out);
}

/** A quoted string, its escapes included (`\"` does not end it; `\` before a newline continues it). */
function copyQuoted(source: Uint8Array, from: number, out: number[]): number {
  const quote = source[from]!;
  out.push(quote);
  let i = from + 1;
  while (i < source.length) {
    const c = source[i++]!;
    out.push(c);
    if (c === BACKSLASH && i < source.length) out.push(source[i++]!);
    else if (c === quote || c === NEWLINE) break;
  }
  return i;
}

/** The level of a long bracket opening at `at` (`[[` is 0, `[==[` is 2), or -1 when none opens. */
function longBracketLevel(source: Uint8Array, at: number): number {
  if (source[at] !== OPEN_BRACKET) return -1;
  let i = at + 1;
  while (source[i] === EQUALS) i++;
  return source[i] === OPEN_BRACKET ? i - at - 1 : -1;
}

/** A long string or comment body, through its closing bracket of the same level. */
function copyLong(source: Uint8Array, from: number, level: number, out: number[]): number {
  let i = from + level + 2;
  for (let j = from; j < i; j++) out.push(source[j]!);
  while (i < source.length) {
    if (source[i] === CLOSE_BRACKET) {
      let j = i + 1;
      while (source[j] === EQUALS) j++;
      if (source[j] === CLOSE_BRACKET && j - i - 1 === level) {
        for (let k = i; k <= j; k++) out.push(source[k]!);
        return j + 1;
      }
    }
    out.push(source[i++]!);
  }
  return i;
}

/**
 * A numeral as Lua's lexer reads it (digits, a point, an exponent with its sign, and for hex
 * `p` exponents), followed by `.0` when it has neither point nor exponent.
 */
function copyNumeral(source: Uint8Array, from: number, out: number[]): number {
  let i = from;
  const hex = source[i] === 0x30 && (source[i + 1] === 0x78 || source[i + 1] === 0x58);
  if (hex) {
    out.push(source[i]!, source[i + 1]!);
    i += 2;
  }
  const exponents = hex ? [0x70, 0x50] : [0x65, 0x45];
  let float = false;
  while (i < source.length) {
    const c = source[i]!;
    if (exponents.includes(c)) {
      float = true;
      out.push(c);
      i++;
      if (source[i] === 0x2b || source[i] === DASH) out.push(source[i++]!);
    } else if (c === DOT) {
      // `1..x` is a concatenation in no Lua; leave whatever follows to the lexer's judgement.
      if (source[i + 1] === DOT) break;
      float = true;
      out.push(c);
      i++;
    } else if (hex ? isHexDigit(c) : isDigit(c)) {
      out.push(c);
      i++;
    } else {
      break;
    }
  }
  if (!float) out.push(DOT, 0x30);
  return i;
}
