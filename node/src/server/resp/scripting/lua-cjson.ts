/**
 * lua-cjson 2.1.0 (`cjson`), as Redis 7.0 builds it into its Lua 5.1: the same JSON text out, the
 * same Lua values in, the same errors word for word (scripts match on them in pcall), the same
 * limits. It walks Lua values through fengari's C API the way the C library walks them through
 * Lua's, so that stack use, and with it the nesting Lua 5.1 allows, matches too.
 */
import type { JsFunction, LuaState } from 'fengari';
import type { Fengari } from './lua-runtime.ts';
import { isAlpha, isDigit, isHexDigit } from './ascii.ts';
import { formatG } from './format-g.ts';

const CJSON_NAME = 'cjson';
const CJSON_VERSION = '2.1.0';
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
/** Lua 5.1's LUAI_MAXCSTACK: lua_checkstack fails once a C function would hold more slots. */
const LUA51_MAX_C_STACK = 8000;

/** The settings of one cjson table (cjson.new() makes another with its own). */
interface CjsonConfig {
  encodeSparseConvert: number;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 refuses NaN and Inf, 1 writes them as %g does, 2 writes them as null. */
  encodeInvalidNumbers: number;
  /** 1 reads Infinity, NaN, hexadecimal numbers, leading zeros and a leading +; 0 refuses them. */
  decodeInvalidNumbers: number;
  /** Only kept for its getter: the buffer it governs is an allocation detail. */
  encodeKeepBuffer: number;
  encodeNumberPrecision: number;
}

function defaultConfig(): CjsonConfig {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: 1,
    encodeKeepBuffer: 1,
    encodeNumberPrecision: 14,
  };
}

// ===== Numbers as C prints and reads them =====

/** Reads bytes as C reads a NUL-terminated string: past the end there is a 0. */
function byteAt(data: Uint8Array, index: number): number {
  return data[index] ?? 0;
}

/** Whether the bytes at `index` spell `word`, ignoring ASCII case when asked. */
function matches(data: Uint8Array, index: number, word: string, ignoreCase: boolean): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = byteAt(data, index + i);
    const want = word.charCodeAt(i);
    if (c !== want && !(ignoreCase && (c | 0x20) === want)) return false;
  }
  return true;
}

/** Where a run of bytes accepted by `accept` starts at `index` ends. */
function skip(data: Uint8Array, index: number, accept: (c: number) => boolean): number {
  let end = index;
  while (accept(byteAt(data, end))) end++;
  return end;
}

/** An exponent after digits: the marker, an optional sign, at least one digit; else nothing. */
function scanExponent(data: Uint8Array, index: number, marker: number): number {
  if ((byteAt(data, index) | 0x20) !== marker) return index;
  let at = index + 1;
  if (byteAt(data, at) === 0x2b || byteAt(data, at) === 0x2d) at++;
  const end = skip(data, at, isDigit);
  return end > at ? end : index;
}

/** 2^power * x, in steps so that no intermediate power of two overflows or underflows. */
function scaleByPowerOfTwo(x: number, power: number): number {
  let value = x;
  let left = Math.max(-5000, Math.min(5000, power));
  while (left > 1000) {
    value *= 2 ** 1000;
    left -= 1000;
  }
  while (left < -1000) {
    value *= 2 ** -1000;
    left += 1000;
  }
  return value * 2 ** left;
}

/** glibc's hexadecimal form after "0x": hex digits, an optional point, an optional p exponent. */
function scanHex(data: Uint8Array, start: number): { value: number; end: number } | null {
  const intEnd = skip(data, start, isHexDigit);
  let end = intEnd;
  let fraction = '';
  if (byteAt(data, end) === 0x2e) {
    const fractionEnd = skip(data, end + 1, isHexDigit);
    fraction = ascii(data, end + 1, fractionEnd);
    end = fractionEnd;
  }
  const whole = ascii(data, start, intEnd);
  if (whole === '' && fraction === '') return null;
  const exponentEnd = scanExponent(data, end, 0x70);
  const power = exponentEnd > end ? Number(ascii(data, end + 1, exponentEnd)) : 0;
  let mantissa = BigInt(`0x${whole}${fraction}`);
  let shift = power - 4 * fraction.length;
  // Keep 64 significant bits (and whether any dropped one was set): enough to round as glibc does.
  const excess = mantissa.toString(2).length - 64;
  if (excess > 0) {
    const dropped = mantissa & ((1n << BigInt(excess)) - 1n);
    mantissa = (mantissa >> BigInt(excess)) | (dropped === 0n ? 0n : 1n);
    shift += excess;
  }
  return { value: scaleByPowerOfTwo(Number(mantissa), shift), end: exponentEnd };
}

/** glibc's strtod for "inf", "infinity" and "nan" (with an optional "(chars)"), any case. */
function scanSpecial(data: Uint8Array, start: number): { value: number; end: number } | null {
  if (matches(data, start, 'infinity', true)) return { value: Infinity, end: start + 8 };
  if (matches(data, start, 'inf', true)) return { value: Infinity, end: start + 3 };
  if (!matches(data, start, 'nan', true)) return null;
  const end = start + 3;
  if (byteAt(data, end) !== 0x28) return { value: NaN, end };
  const close = skip(data, end + 1, (c) => isDigit(c) || isAlpha(c) || c === 0x5f);
  return { value: NaN, end: byteAt(data, close) === 0x29 ? close + 1 : end };
}

/**
 * C's strtod (glibc, "C" locale), which cjson reads numbers with: the value, and where the number
 * ends; null where no number starts. JavaScript's Number() rounds decimal text as glibc does.
 */
function strtod(data: Uint8Array, start: number): { value: number; end: number } | null {
  let at = start;
  const negative = byteAt(data, at) === 0x2d;
  if (negative || byteAt(data, at) === 0x2b) at++;
  const sign = negative ? -1 : 1;
  const special = scanSpecial(data, at);
  if (special !== null) return { value: sign * special.value, end: special.end };
  if (byteAt(data, at) === 0x30 && (byteAt(data, at + 1) | 0x20) === 0x78) {
    const hex = scanHex(data, at + 2);
    // "0x" with no hex digit after it is the number 0, ending before the x.
    if (hex === null) return { value: sign * 0, end: at + 1 };
    return { value: sign * hex.value, end: hex.end };
  }
  const intEnd = skip(data, at, isDigit);
  let end = intEnd;
  if (byteAt(data, end) === 0x2e) end = skip(data, end + 1, isDigit);
  if (intEnd === at && end <= at + 1) return null;
  end = scanExponent(data, end, 0x65);
  // Up to 15 digits and nothing else is an exact integer: no need to go through text.
  if (end === intEnd && end - at <= 15) return { value: sign * digitsValue(data, at, end), end };
  return { value: Number(ascii(data, start, end)), end };
}

function digitsValue(data: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + byteAt(data, i) - 0x30;
  return value;
}

/** Bytes as a string of the same char codes (spreading them into fromCharCode fails when long). */
function ascii(data: Uint8Array, start: number, end: number): string {
  return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('latin1');
}

/** The C conversion of a double to int (cvttsd2si): out of range, it is INT_MIN. */
function doubleToInt(x: number): number {
  return x >= INT_MIN && x < INT_MAX + 1 ? Math.trunc(x) : INT_MIN;
}

/** Lua 5.1's lua_tointeger stored into an int: truncated to 64 bits, then to the low 32. */
function lua51ToInt(x: number): number {
  if (!(Math.abs(x) < 2 ** 63)) return 0;
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(x))));
}

// ===== Lua 5.1's argument checks =====

/** What Lua 5.1's auxiliary library checks and reports, on fengari's stack. */
class Lua51Args {
  readonly #fengari: Fengari;

  constructor(fengari: Fengari) {
    this.#fengari = fengari;
  }

  typeName(L: LuaState, index: number): string {
    const { lua } = this.#fengari;
    return this.#fengari.to_jsstring(lua.lua_typename(L, lua.lua_type(L, index)));
  }

  isNil(L: LuaState, index: number): boolean {
    const { lua } = this.#fengari;
    const type = lua.lua_type(L, index);
    return type === lua.LUA_TNIL || type === lua.LUA_TNONE;
  }

  check(L: LuaState, ok: boolean, index: number, message: string): void {
    if (!ok) this.#fengari.lauxlib.luaL_argerror(L, index, message);
  }

  typeError(L: LuaState, index: number, expected: string): never {
    const got = this.typeName(L, index);
    return this.#fengari.lauxlib.luaL_argerror(L, index, `${expected} expected, got ${got}`);
  }

  /** luaL_checkinteger: a number (or numeric string), truncated as Lua 5.1 does, as a C int. */
  integer(L: LuaState, index: number): number {
    const { lua } = this.#fengari;
    if (!lua.lua_isnumber(L, index)) this.typeError(L, index, 'number');
    return lua51ToInt(lua.lua_tonumber(L, index));
  }

  /** luaL_checklstring: a string, or a number printed with %.14g as Lua 5.1 prints it. */
  string(L: LuaState, index: number): Uint8Array {
    const { lua } = this.#fengari;
    const type = lua.lua_type(L, index);
    if (type === lua.LUA_TNUMBER)
      return this.#fengari.to_luastring(formatG(lua.lua_tonumber(L, index), 14));
    if (type !== lua.LUA_TSTRING) this.typeError(L, index, 'string');
    return lua.lua_tolstring(L, index) ?? new Uint8Array();
  }

  /** luaL_checkoption without a default: the index of the string among `options`. */
  option(L: LuaState, index: number, options: readonly string[]): number {
    const name = this.string(L, index);
    const text = ascii(name, 0, name.length);
    const found = options.indexOf(text);
    if (found < 0) {
      // The name goes back byte for byte, whatever its encoding.
      const quote = this.#fengari.to_luastring("'");
      const message = new Uint8Array([
        ...this.#fengari.to_luastring('invalid option '),
        ...quote,
        ...name,
        ...quote,
      ]);
      this.#fengari.lauxlib.luaL_argerror(L, index, message);
    }
    return found;
  }

  /** lua_checkstack as Lua 5.1 answers it, which is what bounds cjson's nesting there. */
  room(L: LuaState, slots: number): boolean {
    const { lua } = this.#fengari;
    return lua.lua_gettop(L) + slots <= LUA51_MAX_C_STACK && lua.lua_checkstack(L, slots);
  }

  /** luaL_error with a message of its own (no format directives in it are interpreted). */
  error(L: LuaState, message: string): never {
    return this.#fengari.lauxlib.luaL_error(L, '%s', message);
  }
}

// ===== Encoding =====

/** A growing byte string: JSON text is built byte by byte, as Lua strings are bytes. */
class ByteSink {
  #bytes = new Uint8Array(64);
  #length = 0;

  #reserve(more: number): void {
    if (this.#length + more <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + more));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  text(value: string): void {
    this.#reserve(value.length);
    for (let i = 0; i < value.length; i++) this.#bytes[this.#length++] = value.charCodeAt(i);
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

const NAMED_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x2f: '\\/',
  0x5c: '\\\\',
};

/** cjson's escapes: control characters, DEL, the quote, the backslash and, as cjson does, '/'. */
const ESCAPES: readonly (string | null)[] = Array.from({ length: 256 }, (_, c) => {
  const named = NAMED_ESCAPES[c];
  if (named !== undefined) return named;
  if (c < 0x20 || c === 0x7f) return `\\u${c.toString(16).padStart(4, '0')}`;
  return null;
});

/** A table being written: where the walk through it stands. */
type EncodeFrame =
  | { kind: 'array'; depth: number; length: number; next: number }
  | { kind: 'object'; depth: number; first: boolean };

/**
 * One cjson.encode call. It walks the value as json_append_data does, with the same values on the
 * Lua stack at each step (the room Lua 5.1 gives that stack is what limits nesting there), but
 * with a loop instead of recursion: nesting 8000 deep would overflow JavaScript's own stack.
 */
class JsonEncoder {
  readonly #fengari: Fengari;
  readonly #args: Lua51Args;
  readonly #L: LuaState;
  readonly #config: CjsonConfig;
  readonly #out = new ByteSink();
  readonly #frames: EncodeFrame[] = [];

  constructor(fengari: Fengari, args: Lua51Args, L: LuaState, config: CjsonConfig) {
    this.#fengari = fengari;
    this.#args = args;
    this.#L = L;
    this.#config = config;
  }

  /** The JSON text of the value on top of the stack, which stays there. */
  encode(): Uint8Array {
    this.#open(0);
    while (this.#frames.length > 0) {
      const frame = this.#frames[this.#frames.length - 1];
      if (frame !== undefined && this.#step(frame)) continue;
      this.#frames.pop();
      // A finished inner table is the element its parent pushed: the parent's loop drops it.
      if (this.#frames.length > 0) this.#fengari.lua.lua_pop(this.#L, 1);
    }
    return this.#out.result();
  }

  #fail(index: number, reason: string): never {
    return this.#args.error(
      this.#L,
      `Cannot serialise ${this.#args.typeName(this.#L, index)}: ${reason}`,
    );
  }

  /**
   * Writes the value on top of the stack, inside tables at `depth`. A table is only opened: its
   * bracket is written and a frame pushed for the loop; the answer says whether that happened.
   */
  #open(depth: number): boolean {
    const { lua } = this.#fengari;
    const L = this.#L;
    switch (lua.lua_type(L, -1)) {
      case lua.LUA_TSTRING:
        this.#string(-1);
        return false;
      case lua.LUA_TNUMBER:
        this.#number(-1);
        return false;
      case lua.LUA_TBOOLEAN:
        this.#out.text(lua.lua_toboolean(L, -1) ? 'true' : 'false');
        return false;
      case lua.LUA_TTABLE:
        this.#openTable(depth + 1);
        return true;
      case lua.LUA_TNIL:
        this.#out.text('null');
        return false;
      case lua.LUA_TLIGHTUSERDATA:
        // cjson.null is the NULL light userdata; any other one is as foreign as a function.
        if (lua.lua_touserdata(L, -1) !== null) this.#fail(-1, 'type not supported');
        this.#out.text('null');
        return false;
      default:
        return this.#fail(-1, 'type not supported');
    }
  }

  #openTable(depth: number): void {
    // Like cjson, the depth check also makes room on the stack for a key, a value and an error.
    if (depth > this.#config.encodeMaxDepth || !this.#args.room(this.#L, 3)) {
      this.#args.error(this.#L, `Cannot serialise, excessive nesting (${depth})`);
    }
    const length = this.#arrayLength();
    if (length > 0) {
      this.#out.byte(0x5b);
      this.#frames.push({ kind: 'array', depth, length, next: 1 });
    } else {
      this.#out.byte(0x7b);
      this.#fengari.lua.lua_pushnil(this.#L);
      this.#frames.push({ kind: 'object', depth, first: true });
    }
  }

  /** Writes the next element of the innermost table; false once it is closed. */
  #step(frame: EncodeFrame): boolean {
    const { lua } = this.#fengari;
    const L = this.#L;
    if (frame.kind === 'array') {
      if (frame.next > frame.length) {
        this.#out.byte(0x5d);
        return false;
      }
      if (frame.next > 1) this.#out.byte(0x2c);
      lua.lua_rawgeti(L, -1, frame.next++);
    } else {
      // The stack holds the table and the last key, which lua_next replaces with the next pair.
      if (!lua.lua_next(L, -2)) {
        this.#out.byte(0x7d);
        return false;
      }
      if (!frame.first) this.#out.byte(0x2c);
      frame.first = false;
      this.#key();
    }
    if (!this.#open(frame.depth)) lua.lua_pop(L, 1);
    return true;
  }

  /** An object's key (below its value on the stack): a string, or a number written as a string. */
  #key(): void {
    const { lua } = this.#fengari;
    const keyType = lua.lua_type(this.#L, -2);
    if (keyType === lua.LUA_TNUMBER) {
      this.#out.byte(0x22);
      this.#number(-2);
      this.#out.text('":');
    } else if (keyType === lua.LUA_TSTRING) {
      this.#string(-2);
      this.#out.byte(0x3a);
    } else {
      this.#fail(-2, 'table key must be a number or string');
    }
  }

  /**
   * cjson's lua_array_length: n when the keys are all integers in 1..n (sparse within limits), -1
   * otherwise. The largest key goes through a C int, so keys of 2^31 and above make it negative,
   * which turns the table into an object as in Redis.
   */
  #arrayLength(): number {
    const { lua } = this.#fengari;
    const L = this.#L;
    let max = 0;
    let items = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      const key = lua.lua_type(L, -2) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : 0;
      if (key !== 0 && Math.floor(key) === key && key >= 1) {
        if (key > max) max = doubleToInt(key);
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
      lua.lua_pop(L, 2);
      return -1;
    }
    const { encodeSparseRatio: ratio, encodeSparseSafe: safe } = this.#config;
    if (ratio > 0 && max > Math.imul(items, ratio) && max > safe) {
      if (!this.#config.encodeSparseConvert) this.#fail(-1, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  #number(index: number): void {
    const value = this.#fengari.lua.lua_tonumber(this.#L, index);
    const mode = this.#config.encodeInvalidNumbers;
    if (!Number.isFinite(value)) {
      if (mode === 0) this.#fail(index, 'must not be NaN or Inf');
      if (mode === 2) return this.#out.text('null');
      // "on": NaN is spelled out (a platform may print -nan), Inf is left to %g.
      if (Number.isNaN(value)) return this.#out.text('nan');
    }
    this.#out.text(formatG(value, this.#config.encodeNumberPrecision));
  }

  #string(index: number): void {
    const bytes = this.#fengari.lua.lua_tolstring(this.#L, index) ?? new Uint8Array();
    this.#out.byte(0x22);
    for (const c of bytes) {
      const escape = ESCAPES[c];
      if (escape == null) this.#out.byte(c);
      else this.#out.text(escape);
    }
    this.#out.byte(0x22);
  }
}

// ===== Decoding =====

const T = {
  OBJ_BEGIN: 0,
  OBJ_END: 1,
  ARR_BEGIN: 2,
  ARR_END: 3,
  STRING: 4,
  NUMBER: 5,
  BOOLEAN: 6,
  NULL: 7,
  COLON: 8,
  COMMA: 9,
  END: 10,
  WHITESPACE: 11,
  ERROR: 12,
  UNKNOWN: 13,
} as const;

/** The names cjson's parse errors give for what they found. */
const TOKEN_NAMES = [
  'T_OBJ_BEGIN',
  'T_OBJ_END',
  'T_ARR_BEGIN',
  'T_ARR_END',
  'T_STRING',
  'T_NUMBER',
  'T_BOOLEAN',
  'T_NULL',
  'T_COLON',
  'T_COMMA',
  'T_END',
  'T_WHITESPACE',
  'T_ERROR',
  'T_UNKNOWN',
] as const;

const FIXED_TOKENS: Readonly<Record<string, number>> = {
  '{': T.OBJ_BEGIN,
  '}': T.OBJ_END,
  '[': T.ARR_BEGIN,
  ']': T.ARR_END,
  ',': T.COMMA,
  ':': T.COLON,
  '\0': T.END,
  ' ': T.WHITESPACE,
  '\t': T.WHITESPACE,
  '\n': T.WHITESPACE,
  '\r': T.WHITESPACE,
};

/** cjson's ch2token: what a first byte says; T_UNKNOWN ones need a closer look. */
const CHAR_TOKENS: readonly number[] = Array.from({ length: 256 }, (_, c) => {
  const char = String.fromCharCode(c);
  const fixed = FIXED_TOKENS[char];
  if (fixed !== undefined) return fixed;
  return 'fiInNt"+-0123456789'.includes(char) ? T.UNKNOWN : T.ERROR;
});

/** cjson's escape2char: what follows a backslash in a string (0: an error, u: \uXXXX). */
const UNESCAPES: Readonly<Record<number, number>> = {
  0x22: 0x22,
  0x5c: 0x5c,
  0x2f: 0x2f,
  0x62: 0x08,
  0x74: 0x09,
  0x6e: 0x0a,
  0x66: 0x0c,
  0x72: 0x0d,
  0x75: 0x75,
};

type Token =
  | { type: typeof T.STRING; index: number; text: Uint8Array }
  | { type: typeof T.NUMBER; index: number; value: number }
  | { type: typeof T.BOOLEAN; index: number; value: boolean }
  | { type: typeof T.ERROR; index: number; reason: string }
  | {
      type: Exclude<(typeof T)[keyof typeof T], 4 | 5 | 6 | 12>;
      index: number;
    };

function hex4(data: Uint8Array, index: number): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const c = byteAt(data, index + i);
    if (!isHexDigit(c)) return -1;
    value = value * 16 + parseInt(String.fromCharCode(c), 16);
  }
  return value;
}

/** Writes a code point as UTF-8 at `at`; returns the number of bytes. */
function writeUtf8(out: Uint8Array, at: number, codepoint: number): number {
  if (codepoint <= 0x7f) {
    out[at] = codepoint;
    return 1;
  }
  if (codepoint <= 0x7ff) {
    out[at] = 0xc0 | (codepoint >> 6);
    out[at + 1] = 0x80 | (codepoint & 0x3f);
    return 2;
  }
  if (codepoint <= 0xffff) {
    out[at] = 0xe0 | (codepoint >> 12);
    out[at + 1] = 0x80 | ((codepoint >> 6) & 0x3f);
    out[at + 2] = 0x80 | (codepoint & 0x3f);
    return 3;
  }
  out[at] = 0xf0 | (codepoint >> 18);
  out[at + 1] = 0x80 | ((codepoint >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((codepoint >> 6) & 0x3f);
  out[at + 3] = 0x80 | (codepoint & 0x3f);
  return 4;
}

/**
 * cjson's json_is_invalid_number: what strtod reads but strict JSON does not (a leading +, hex,
 * leading zeros, inf, nan). The byte is compared as a signed char, as in C.
 */
function isInvalidNumber(data: Uint8Array, start: number): boolean {
  let at = start;
  if (byteAt(data, at) === 0x2b) return true;
  if (byteAt(data, at) === 0x2d) at++;
  const c = byteAt(data, at);
  if (c === 0x30) {
    const next = byteAt(data, at + 1);
    return (next | 0x20) === 0x78 || isDigit(next);
  }
  if (c <= 0x39 || c >= 0x80) return false;
  return matches(data, at, 'inf', true) || matches(data, at, 'nan', true);
}

/** A container being read (for an array, with the index its next element gets). */
type DecodeFrame = { kind: 'object' } | { kind: 'array'; index: number };

/** One cjson.decode call over a NUL-terminated view of the text, as json_parse_t. */
class JsonDecoder {
  readonly #fengari: Fengari;
  readonly #args: Lua51Args;
  readonly #L: LuaState;
  readonly #config: CjsonConfig;
  readonly #data: Uint8Array;
  /** Decoded strings are never longer than the text they come from. */
  readonly #scratch: Uint8Array;
  #at = 0;
  #depth = 0;

  constructor(
    fengari: Fengari,
    args: Lua51Args,
    L: LuaState,
    config: CjsonConfig,
    data: Uint8Array,
  ) {
    this.#fengari = fengari;
    this.#args = args;
    this.#L = L;
    this.#config = config;
    this.#data = data;
    this.#scratch = new Uint8Array(data.length);
  }

  /** Pushes the decoded value; raises cjson's error for anything but exactly one value. */
  decode(): void {
    this.#parse();
    const after = this.#next();
    if (after.type !== T.END) this.#unexpected('the end', after);
  }

  #unexpected(expected: string, token: Token): never {
    const found = token.type === T.ERROR ? token.reason : TOKEN_NAMES[token.type];
    return this.#args.error(
      this.#L,
      `Expected ${expected} but found ${found} at character ${token.index + 1}`,
    );
  }

  /**
   * Reads one value onto the stack. It reads tokens in the order cjson's recursive descent does,
   * so errors come out the same, but with a loop and a stack of open containers instead of
   * recursion: nesting 8000 deep would overflow JavaScript's own stack.
   */
  #parse(): void {
    const open: DecodeFrame[] = [];
    let token = this.#next();
    for (;;) {
      const opened = this.#begin(token);
      if (opened !== null) {
        // A container with something in it: read its first element next.
        open.push(opened.frame);
        token = opened.frame.kind === 'object' ? this.#objectKey(opened.first) : opened.first;
        continue;
      }
      // A whole value is on top of the stack: store it in the containers it closes.
      const next = this.#store(open);
      if (next === null) return;
      token = next;
    }
  }

  /**
   * Pushes a scalar, or an empty container, and answers null; for a container with elements,
   * pushes the table and answers its frame and the token its first element starts with.
   */
  #begin(token: Token): { frame: DecodeFrame; first: Token } | null {
    const { lua } = this.#fengari;
    const L = this.#L;
    switch (token.type) {
      case T.STRING:
        lua.lua_pushstring(L, token.text);
        return null;
      case T.NUMBER:
        // Always a float: every Lua 5.1 number is a double.
        lua.lua_pushnumber(L, token.value);
        return null;
      case T.BOOLEAN:
        lua.lua_pushboolean(L, token.value);
        return null;
      case T.NULL:
        lua.lua_pushlightuserdata(L, null);
        return null;
      case T.OBJ_BEGIN:
      case T.ARR_BEGIN: {
        const isObject = token.type === T.OBJ_BEGIN;
        // Room for the table and a value, and for an object also its key.
        this.#descend(isObject ? 3 : 2);
        lua.lua_createtable(L, 0, 0);
        const first = this.#next();
        if (first.type === (isObject ? T.OBJ_END : T.ARR_END)) {
          this.#depth--;
          return null;
        }
        return { frame: isObject ? { kind: 'object' } : { kind: 'array', index: 1 }, first };
      }
      default:
        return this.#unexpected('value', token);
    }
  }

  /**
   * Stores the value on top of the stack in the innermost container; a container it closes is in
   * turn a value for the one around it. Answers the token of the next value to read, or null when
   * the outermost value is complete.
   */
  #store(open: DecodeFrame[]): Token | null {
    const { lua } = this.#fengari;
    const L = this.#L;
    for (let frame = open.at(-1); frame !== undefined; frame = open.at(-1)) {
      if (frame.kind === 'array') lua.lua_rawseti(L, -2, frame.index++);
      else lua.lua_rawset(L, -3);
      const token = this.#next();
      if (token.type === (frame.kind === 'array' ? T.ARR_END : T.OBJ_END)) {
        this.#depth--;
        open.pop();
        continue;
      }
      if (token.type !== T.COMMA) {
        this.#unexpected(
          frame.kind === 'array' ? 'comma or array end' : 'comma or object end',
          token,
        );
      }
      return frame.kind === 'array' ? this.#next() : this.#objectKey(this.#next());
    }
    return null;
  }

  /** Pushes an object's key and reads past the colon: answers the token of its value. */
  #objectKey(token: Token): Token {
    if (token.type !== T.STRING) this.#unexpected('object key string', token);
    this.#fengari.lua.lua_pushstring(this.#L, token.text);
    const colon = this.#next();
    if (colon.type !== T.COLON) this.#unexpected('colon', colon);
    return this.#next();
  }

  /** One level deeper, with room for `slots` more values on the stack, or cjson's error. */
  #descend(slots: number): void {
    this.#depth++;
    if (this.#depth <= this.#config.decodeMaxDepth && this.#args.room(this.#L, slots)) return;
    this.#args.error(
      this.#L,
      `Found too many nested data structures (${this.#depth}) at character ${this.#at}`,
    );
  }

  /** An error token: cjson reports where reading stopped, which may be inside the token. */
  #error(reason: string): Token {
    return { type: T.ERROR, index: this.#at, reason };
  }

  /** cjson's json_next_token. */
  #next(): Token {
    const data = this.#data;
    let type: number = T.WHITESPACE;
    while ((type = CHAR_TOKENS[byteAt(data, this.#at)] ?? T.ERROR) === T.WHITESPACE) this.#at++;
    const index = this.#at;
    if (type === T.ERROR) return this.#error('invalid token');
    if (type === T.END) return { type: T.END, index };
    if (type !== T.UNKNOWN) {
      this.#at++;
      return { type, index } as Token;
    }
    const c = byteAt(data, index);
    if (c === 0x22) return this.#string();
    if (c === 0x2d || isDigit(c)) {
      if (!this.#config.decodeInvalidNumbers && isInvalidNumber(data, index)) {
        return this.#error('invalid number');
      }
      return this.#number();
    }
    for (const [word, token] of KEYWORDS) {
      if (matches(data, index, word, false)) {
        this.#at += word.length;
        return token(index);
      }
    }
    if (this.#config.decodeInvalidNumbers && isInvalidNumber(data, index)) return this.#number();
    return this.#error('invalid token');
  }

  #number(): Token {
    const index = this.#at;
    const read = strtod(this.#data, index);
    if (read === null) return this.#error('invalid number');
    this.#at = read.end;
    return { type: T.NUMBER, index, value: read.value };
  }

  /** cjson's json_next_string_token: raw bytes pass through (even newlines), escapes decode. */
  #string(): Token {
    const data = this.#data;
    const index = this.#at;
    let length = 0;
    this.#at++;
    for (let c = byteAt(data, this.#at); c !== 0x22; c = byteAt(data, this.#at)) {
      if (c === 0) return this.#error('unexpected end of string');
      if (c === 0x5c) {
        const escaped = UNESCAPES[byteAt(data, this.#at + 1)] ?? 0;
        if (escaped === 0x75) {
          const written = this.#unicodeEscape(length);
          if (written < 0) return this.#error('invalid unicode escape code');
          length += written;
          continue;
        }
        if (escaped === 0) return this.#error('invalid escape code');
        this.#at++;
        c = escaped;
      }
      this.#scratch[length++] = c;
      this.#at++;
    }
    this.#at++;
    return { type: T.STRING, index, text: this.#scratch.slice(0, length) };
  }

  /**
   * A \uXXXX escape (or a surrogate pair of two) as UTF-8 into the scratch buffer at `at`: the
   * bytes written, or -1 for cjson's "invalid unicode escape code".
   */
  #unicodeEscape(at: number): number {
    const data = this.#data;
    let codepoint = hex4(data, this.#at + 2);
    if (codepoint < 0) return -1;
    let consumed = 6;
    if ((codepoint & 0xf800) === 0xd800) {
      // A high surrogate first, then \u and a low one; nothing else is accepted.
      if (codepoint & 0x400) return -1;
      if (byteAt(data, this.#at + 6) !== 0x5c || byteAt(data, this.#at + 7) !== 0x75) return -1;
      const low = hex4(data, this.#at + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return -1;
      codepoint = (((codepoint & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      consumed = 12;
    }
    this.#at += consumed;
    return writeUtf8(this.#scratch, at, codepoint);
  }
}

/** The words JSON has, matched case-sensitively as cjson does. */
const KEYWORDS: ReadonlyArray<readonly [string, (index: number) => Token]> = [
  ['true', (index) => ({ type: T.BOOLEAN, index, value: true })],
  ['false', (index) => ({ type: T.BOOLEAN, index, value: false })],
  ['null', (index) => ({ type: T.NULL, index })],
];

// ===== The cjson table =====

/** json_enum_option: a boolean, or one of `options` by name; pushes the setting back. */
function enumOption(
  fengari: Fengari,
  args: Lua51Args,
  L: LuaState,
  index: number,
  current: number,
  options: readonly string[] | null,
): number {
  const { lua } = fengari;
  const names = options ?? ['off', 'on'];
  let setting = current;
  if (!args.isNil(L, index)) {
    setting =
      lua.lua_type(L, index) === lua.LUA_TBOOLEAN
        ? Number(lua.lua_toboolean(L, index))
        : args.option(L, index, names);
  }
  if (setting === 0 || setting === 1) lua.lua_pushboolean(L, setting === 1);
  else lua.lua_pushstring(L, fengari.to_luastring(names[setting] ?? ''));
  return setting;
}

/** json_integer_option: an integer within bounds (cjson names argument 1 whatever the index). */
function integerOption(
  fengari: Fengari,
  args: Lua51Args,
  L: LuaState,
  index: number,
  current: number,
  [min, max]: readonly [number, number],
): number {
  let setting = current;
  if (!args.isNil(L, index)) {
    const value = args.integer(L, index);
    args.check(L, min <= value && value <= max, 1, `expected integer between ${min} and ${max}`);
    setting = value;
  }
  fengari.lua.lua_pushnumber(L, setting);
  return setting;
}

/** json_arg_init: at most `count` arguments, the missing ones read as nil. */
function takeArgs(fengari: Fengari, args: Lua51Args, L: LuaState, count: number): void {
  const top = fengari.lua.lua_gettop(L);
  args.check(L, top <= count, count + 1, 'found too many arguments');
  if (top < count) fengari.lua.lua_settop(L, count);
}

function encodeFunction(fengari: Fengari, args: Lua51Args, config: CjsonConfig): JsFunction {
  return (L) => {
    args.check(L, fengari.lua.lua_gettop(L) === 1, 1, 'expected 1 argument');
    fengari.lua.lua_pushstring(L, new JsonEncoder(fengari, args, L, config).encode());
    return 1;
  };
}

function decodeFunction(fengari: Fengari, args: Lua51Args, config: CjsonConfig): JsFunction {
  return (L) => {
    args.check(L, fengari.lua.lua_gettop(L) === 1, 1, 'expected 1 argument');
    const data = args.string(L, 1);
    // The first two bytes of any JSON text are never NUL in UTF-8 (at worst '"' and a character).
    if (data.length >= 2 && (data[0] === 0 || data[1] === 0)) {
      args.error(L, 'JSON parser does not support UTF-16 or UTF-32');
    }
    new JsonDecoder(fengari, args, L, config, data).decode();
    return 1;
  };
}

/** The configuration functions, each reading and optionally changing `config`. */
function configFunctions(
  fengari: Fengari,
  args: Lua51Args,
  config: CjsonConfig,
): ReadonlyArray<readonly [string, JsFunction]> {
  const integerSetting =
    (key: 'encodeMaxDepth' | 'decodeMaxDepth' | 'encodeNumberPrecision', max: number): JsFunction =>
    (L) => {
      takeArgs(fengari, args, L, 1);
      config[key] = integerOption(fengari, args, L, 1, config[key], [1, max]);
      return 1;
    };
  const enumSetting =
    (
      key: 'encodeInvalidNumbers' | 'decodeInvalidNumbers' | 'encodeKeepBuffer',
      options: readonly string[] | null,
    ): JsFunction =>
    (L) => {
      takeArgs(fengari, args, L, 1);
      config[key] = enumOption(fengari, args, L, 1, config[key], options);
      return 1;
    };
  return [
    [
      'encode_sparse_array',
      (L) => {
        takeArgs(fengari, args, L, 3);
        // Each setting is stored as soon as it is read, so a bad later one keeps earlier ones.
        const convert = config.encodeSparseConvert;
        config.encodeSparseConvert = enumOption(fengari, args, L, 1, convert, null);
        const ratio = config.encodeSparseRatio;
        config.encodeSparseRatio = integerOption(fengari, args, L, 2, ratio, [0, INT_MAX]);
        const safe = config.encodeSparseSafe;
        config.encodeSparseSafe = integerOption(fengari, args, L, 3, safe, [0, INT_MAX]);
        return 3;
      },
    ],
    ['encode_max_depth', integerSetting('encodeMaxDepth', INT_MAX)],
    ['decode_max_depth', integerSetting('decodeMaxDepth', INT_MAX)],
    ['encode_number_precision', integerSetting('encodeNumberPrecision', 14)],
    ['encode_keep_buffer', enumSetting('encodeKeepBuffer', null)],
    ['encode_invalid_numbers', enumSetting('encodeInvalidNumbers', ['off', 'on', 'null'])],
    ['decode_invalid_numbers', enumSetting('decodeInvalidNumbers', null)],
  ];
}

/** lua_cjson_new: pushes a cjson table with settings of its own. */
function pushCjson(fengari: Fengari, L: LuaState): void {
  const { lua } = fengari;
  const args = new Lua51Args(fengari);
  const config = defaultConfig();
  const functions: ReadonlyArray<readonly [string, JsFunction]> = [
    ['encode', encodeFunction(fengari, args, config)],
    ['decode', decodeFunction(fengari, args, config)],
    ...configFunctions(fengari, args, config),
    [
      'new',
      (state) => {
        pushCjson(fengari, state);
        return 1;
      },
    ],
  ];
  lua.lua_createtable(L, 0, functions.length + 3);
  for (const [name, fn] of functions) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
  // JSON null: a NULL light userdata, as in the C library (so all cjson tables share it).
  lua.lua_pushlightuserdata(L, null);
  lua.lua_setfield(L, -2, 'null');
  lua.lua_pushstring(L, fengari.to_luastring(CJSON_NAME));
  lua.lua_setfield(L, -2, '_NAME');
  lua.lua_pushstring(L, fengari.to_luastring(CJSON_VERSION));
  lua.lua_setfield(L, -2, '_VERSION');
}

/** Sets the global `cjson` table, as Redis does for every script. */
export function openCjson(fengari: Fengari, L: LuaState): void {
  pushCjson(fengari, L);
  fengari.lua.lua_setglobal(L, CJSON_NAME);
}
