import type { CommandArgs } from './command-args.ts';

/**
 * Splits an inline command (what redis-cli's ancestors and telnet users type) into arguments with
 * the exact rules of Redis's `sdssplitargs`: words separated by blanks; "double quotes" with
 * \n \r \t \b \a \xHH and \<char> escapes; 'single quotes' with only \' ; a closing quote must be
 * followed by a blank or the end; a NUL byte ends the line as it ends a C string.
 *
 * The unquoted arguments are written into a new buffer (never longer than the line) that `args`
 * then points into. Returns false for unbalanced quotes. Inline commands are rare, so this favours
 * fidelity over speed.
 */
export function splitInline(
  bytes: Uint8Array,
  start: number,
  end: number,
  args: CommandArgs,
): boolean {
  const out = Buffer.allocUnsafe(end - start);
  let written = 0;
  let count = 0;
  // A byte of the line, or 0 past its end: sdssplitargs reads a NUL-terminated string.
  const at = (p: number): number => (p < end ? (bytes[p] as number) : 0);
  let p = start;
  for (;;) {
    while (at(p) !== 0 && isSpace(at(p))) p++;
    if (at(p) === 0) break;
    const tokenStart = written;
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === BACKSLASH && at(p + 1) === LOWER_X && isHex(at(p + 2)) && isHex(at(p + 3))) {
          out[written++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
          p += 3;
        } else if (c === BACKSLASH && at(p + 1) !== 0) {
          p++;
          out[written++] = unescape(at(p));
        } else if (c === DOUBLE_QUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return false;
          done = true;
        } else if (c === 0) {
          return false;
        } else {
          out[written++] = c;
        }
      } else if (inSingle) {
        if (c === BACKSLASH && at(p + 1) === SINGLE_QUOTE) {
          p++;
          out[written++] = SINGLE_QUOTE;
        } else if (c === SINGLE_QUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return false;
          done = true;
        } else if (c === 0) {
          return false;
        } else {
          out[written++] = c;
        }
      } else if (c === 0x20 || c === LF || c === CR || c === TAB || c === 0) {
        done = true;
      } else if (c === DOUBLE_QUOTE) {
        inDouble = true;
      } else if (c === SINGLE_QUOTE) {
        inSingle = true;
      } else {
        out[written++] = c;
      }
      if (at(p) !== 0) p++;
    }
    args.reserve(count + 1);
    args.starts[count] = tokenStart;
    args.ends[count] = written;
    count++;
  }
  args.buffer = out;
  args.count = count;
  return true;
}

const BACKSLASH = 0x5c;
const LOWER_X = 0x78;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** C's isspace in the C locale: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30;
  return (c | 0x20) - 0x61 + 10;
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e: // n
      return LF;
    case 0x72: // r
      return CR;
    case 0x74: // t
      return TAB;
    case 0x62: // b
      return 0x08;
    case 0x61: // a
      return 0x07;
    default:
      return c;
  }
}
