/**
 * LuaBitOp 1.0.2 (`bit`), as Redis 7.0 builds it into its Lua 5.1: 32-bit operations on Lua
 * numbers, which are all doubles there. Every argument is reduced to 32 bits as LuaBitOp does it
 * for doubles, and every result is a signed 32-bit number handed back as a float, so scripts see
 * the same values (and, through a float, print them the same way) as in Redis.
 */
import type { JsFunction, LuaState } from 'fengari';
import type { Fengari } from './lua-runtime.ts';

/**
 * 2^52 + 2^51: adding it to a double leaves the value, rounded to an integer (ties to even) and
 * taken modulo 2^32, in the low 32 bits of the sum's representation. LuaBitOp reads those bits;
 * doing the same addition on the same IEEE doubles gives the same bits for every input, including
 * the huge, infinite and NaN ones where a plain `x | 0` would differ.
 */
const BIT_MAGIC = 6755399441055744;

const INT32_MIN = -2147483648;

const HEX_LOWER = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

/** Reads arguments as LuaBitOp's `barg` does. */
class BitArgs {
  /** Scratch space to read the sum's low word; one per Lua state, never shared. */
  readonly #view = new DataView(new ArrayBuffer(8));

  readonly #fengari: Fengari;

  constructor(fengari: Fengari) {
    this.#fengari = fengari;
  }

  /** The argument reduced to 32 bits, unsigned. Anything but a number (or numeric string) fails. */
  unsigned(L: LuaState, index: number): number {
    const { lua, lauxlib } = this.#fengari;
    this.#view.setFloat64(0, lua.lua_tonumber(L, index) + BIT_MAGIC);
    const bits = this.#view.getUint32(4);
    // Lua 5.1's lua_tonumber answers 0 for what is not a number: only then can it be an error.
    if (bits === 0 && !lua.lua_isnumber(L, index)) {
      const got =
        lua.lua_type(L, index) === lua.LUA_TNONE ? 'no value' : typeName(this.#fengari, L, index);
      lauxlib.luaL_argerror(L, index, `number expected, got ${got}`);
    }
    return bits;
  }

  /** A shift or rotation count: only its low five bits count. */
  count(L: LuaState, index: number): number {
    return this.unsigned(L, index) & 31;
  }
}

function typeName(fengari: Fengari, L: LuaState, index: number): string {
  return fengari.to_jsstring(fengari.lua.lua_typename(L, fengari.lua.lua_type(L, index)));
}

/** LuaBitOp's BRET: the 32 bits as a signed number, always a float as every Lua 5.1 number is. */
function pushBits(fengari: Fengari, L: LuaState, bits: number): number {
  fengari.lua.lua_pushnumber(L, bits | 0);
  return 1;
}

/** band, bor, bxor: the first argument combined with every other one, left to right. */
function fold(
  fengari: Fengari,
  args: BitArgs,
  combine: (a: number, b: number) => number,
): JsFunction {
  return (L) => {
    let bits = args.unsigned(L, 1);
    // LuaBitOp reads the rest from the last one down; the order shows only in which bad argument
    // an error names.
    for (let i = fengari.lua.lua_gettop(L); i > 1; i--) bits = combine(bits, args.unsigned(L, i));
    return pushBits(fengari, L, bits);
  };
}

/** lshift, rshift, arshift, rol, ror: a value and a count modulo 32. */
function shift(
  fengari: Fengari,
  args: BitArgs,
  apply: (bits: number, n: number) => number,
): JsFunction {
  return (L) => {
    const bits = args.unsigned(L, 1);
    return pushBits(fengari, L, apply(bits, args.count(L, 2)));
  };
}

/** bit.tohex(x [, n]): n digits (8 by default, at most 8), upper case when n is negative. */
function tohex(fengari: Fengari, args: BitArgs): JsFunction {
  const { lua } = fengari;
  return (L) => {
    let bits = args.unsigned(L, 1);
    let n = lua.lua_type(L, 2) === lua.LUA_TNONE ? 8 : args.unsigned(L, 2) | 0;
    // Redis 7.0.15 negates INT32_MIN as is (an overflow that crashes it); later Redis versions
    // clamp it first, which is what is done here.
    if (n === INT32_MIN) n = INT32_MIN + 1;
    let digits = HEX_LOWER;
    if (n < 0) {
      n = -n;
      digits = HEX_UPPER;
    }
    if (n > 8) n = 8;
    const out = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = digits.charCodeAt(bits & 15);
      bits >>>= 4;
    }
    lua.lua_pushstring(L, out);
    return 1;
  };
}

function bitFunctions(fengari: Fengari): ReadonlyArray<readonly [string, JsFunction]> {
  const args = new BitArgs(fengari);
  const unary =
    (apply: (bits: number) => number): JsFunction =>
    (L) =>
      pushBits(fengari, L, apply(args.unsigned(L, 1)));
  return [
    ['tobit', unary((b) => b)],
    ['bnot', unary((b) => ~b)],
    ['band', fold(fengari, args, (a, b) => a & b)],
    ['bor', fold(fengari, args, (a, b) => a | b)],
    ['bxor', fold(fengari, args, (a, b) => a ^ b)],
    ['lshift', shift(fengari, args, (b, n) => b << n)],
    ['rshift', shift(fengari, args, (b, n) => b >>> n)],
    ['arshift', shift(fengari, args, (b, n) => (b | 0) >> n)],
    // A count of 0 shifts the other half by 32, which JavaScript (like x86, where Redis runs)
    // takes as 0: the value comes back unchanged, as in Redis.
    ['rol', shift(fengari, args, (b, n) => (b << n) | (b >>> (32 - n)))],
    ['ror', shift(fengari, args, (b, n) => (b << (32 - n)) | (b >>> n))],
    ['bswap', unary((b) => (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24))],
    ['tohex', tohex(fengari, args)],
  ];
}

/** Sets the global `bit` table, as Redis does for every script. */
export function openBit(fengari: Fengari, L: LuaState): void {
  const { lua } = fengari;
  const functions = bitFunctions(fengari);
  lua.lua_createtable(L, 0, functions.length);
  for (const [name, fn] of functions) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
  lua.lua_setglobal(L, 'bit');
}
