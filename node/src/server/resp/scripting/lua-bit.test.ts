import type { LuaState } from 'fengari';
import { describe, expect, it } from 'vitest';
import { loadFengari } from './lua-runtime.ts';
import { openBit } from './lua-bit.ts';

// Every expected value below is what redis-server 7.0.15 answers for the same expression (its
// tostring, or the message a script's pcall catches). Numbers are written as floats, as the
// engine makes every numeral: Redis's Lua 5.1 has no integers.

// The same copy of fengari the library loads (it loads it on first use, by require).
const fengari = loadFengari();
const { lua, lauxlib, lualib, to_luastring } = fengari;

function newState(): LuaState {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  openBit(fengari, L);
  return L;
}

/** Runs `return <expression>`; answers its single result, or throws the error message. */
function evaluate(expression: string): { L: LuaState; type: number } {
  const L = newState();
  const loaded = lauxlib.luaL_loadbuffer(
    L,
    to_luastring(`return ${expression}`),
    null,
    to_luastring('=test'),
  );
  if (loaded !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(fengari.to_jsstring(lua.lua_tolstring(L, -1) ?? new Uint8Array()));
  }
  return { L, type: lua.lua_type(L, -1) };
}

/** A number result, checked to be a float as every number of Redis's Lua is. */
function number(expression: string): number {
  const { L, type } = evaluate(expression);
  expect(type).toBe(lua.LUA_TNUMBER);
  expect(lua.lua_isinteger(L, -1)).toBe(false);
  return lua.lua_tonumber(L, -1);
}

function text(expression: string): string {
  const { L, type } = evaluate(expression);
  expect(type).toBe(lua.LUA_TSTRING);
  return fengari.to_jsstring(lua.lua_tolstring(L, -1) ?? new Uint8Array());
}

/** The message of the error a call raises, as a script's pcall catches it. */
const caught = (call: string): string => text(`select(2, pcall(${call}))`);

describe('bit', () => {
  it.each([
    // Reduced modulo 2^32 to a signed 32-bit number.
    ['bit.tobit(4294967295.0)', -1],
    ['bit.tobit(2.0^32)', 0],
    ['bit.tobit(2.0^40 + 5.0)', 5],
    ['bit.tobit(-1.0)', -1],
    ['bit.tobit(2.0^31)', -2147483648],
    ['bit.tobit(-2.0^31)', -2147483648],
    ['bit.tobit(-2.0^31 - 1.0)', 2147483647],
    ['bit.tobit(3735928559.0)', -559038737],
    // Fractions round to nearest, ties to even (the 2^52 + 2^51 addition does it).
    ['bit.tobit(1.5)', 2],
    ['bit.tobit(2.5)', 2],
    ['bit.tobit(-1.5)', -2],
    ['bit.tobit(-2.5)', -2],
    ['bit.tobit(0.5)', 0],
    ['bit.tobit(-0.5)', 0],
    ['bit.tobit(4294967295.5)', 0],
    ['bit.tobit(4294967296.5)', 0],
    // Beyond 2^51 the addition loses low bits, as it does in Redis.
    ['bit.tobit(2.0^51)', 0],
    ['bit.tobit(2.0^51 + 2.0^31)', 1073741824],
    ['bit.tobit(-2.0^51)', 0],
    ['bit.tobit(-2.0^51 - 1.0)', -2],
    ['bit.tobit(3.0 * 2.0^51)', 0],
    ['bit.tobit(2.0^52)', 0],
    ['bit.tobit(2.0^52 + 1.0)', 0],
    ['bit.tobit(2.0^52 + 3.0)', 2],
    ['bit.tobit(2.0^53 + 1.0)', 0],
    ['bit.tobit(2.0^60 + 3.0)', 0],
    ['bit.tobit(-2.0^60 - 3.0)', 0],
    ['bit.tobit(1e300)', -2013235812],
    ['bit.tobit(1.0/0.0)', 0],
    ['bit.tobit(-1.0/0.0)', 0],
    ['bit.tobit(0.0/0.0)', 0],
    // Numeric strings are numbers.
    ["bit.tobit('10')", 10],
    ["bit.tobit('0x10')", 16],
    ["bit.tobit(' 7 ')", 7],
    ["bit.tobit('1e2')", 100],
  ])('%s is %d', (expression, value) => {
    expect(number(expression)).toBe(value);
  });

  it.each([
    ['bit.bnot(0.0)', -1],
    ['bit.bnot(-1.0)', 0],
    ['bit.bnot(5.0)', -6],
    ['bit.bnot(2.0^32)', -1],
    ['bit.bnot(2147483647.0)', -2147483648],
    ['bit.band(5.0, 3.0)', 1],
    ['bit.band(-1.0, 255.0)', 255],
    ['bit.band(4294967295.0, 4294967295.0)', -1],
    ['bit.band(7.0)', 7],
    ['bit.band(255.0, 240.0, 60.0)', 48],
    ['bit.band(2.0^32 + 5.0, 2.0^33 + 3.0)', 1],
    ['bit.band(1.0, 2.0^53)', 0],
    ['bit.bor(5.0, 3.0)', 7],
    ['bit.bor(2.0^31, 1.0)', -2147483647],
    ['bit.bor(2.0^31, 0.0)', -2147483648],
    ['bit.bor(1.0, 2.0, 4.0, 8.0, 16.0)', 31],
    ['bit.bor(-1.5, 0.0)', -2],
    ['bit.bxor(5.0, 3.0)', 6],
    ['bit.bxor(-1.0, 252645135.0)', -252645136],
    ['bit.bxor(1.0, 2.0, 3.0)', 0],
    ['bit.bxor(2.0^31, 2.0^31)', 0],
  ])('%s is %d', (expression, value) => {
    expect(number(expression)).toBe(value);
  });

  it.each([
    // Shift counts are taken modulo 32 (after the same reduction as any argument).
    ['bit.lshift(1.0, 0.0)', 1],
    ['bit.lshift(1.0, 31.0)', -2147483648],
    ['bit.lshift(1.0, 32.0)', 1],
    ['bit.lshift(1.0, 33.0)', 2],
    ['bit.lshift(3.0, -1.0)', -2147483648],
    ['bit.lshift(255.0, 28.0)', -268435456],
    ['bit.lshift(-1.0, 4.0)', -16],
    ['bit.lshift(1.0, 2.0^32 + 4.0)', 16],
    ['bit.lshift(1.5, 1.5)', 8],
    ['bit.lshift(1.0, 31.5)', 1],
    ['bit.rshift(-1.0, 0.0)', -1],
    ['bit.rshift(-1.0, 1.0)', 2147483647],
    ['bit.rshift(-1.0, 28.0)', 15],
    ['bit.rshift(-1.0, 32.0)', -1],
    ['bit.rshift(2.0^31, 31.0)', 1],
    ['bit.rshift(256.0, 4.0)', 16],
    ['bit.rshift(1.0, -1.0)', 0],
    ['bit.rshift(-1.0, 31.6)', -1],
    ['bit.arshift(-1.0, 4.0)', -1],
    ['bit.arshift(-256.0, 4.0)', -16],
    ['bit.arshift(2.0^31, 31.0)', -1],
    ['bit.arshift(2147483647.0, 30.0)', 1],
    ['bit.arshift(256.0, 4.0)', 16],
    ['bit.arshift(-8.0, 33.0)', -4],
    ['bit.rol(305419896.0, 4.0)', 591751041],
    ['bit.rol(305419896.0, 0.0)', 305419896],
    ['bit.rol(305419896.0, 32.0)', 305419896],
    ['bit.rol(2147483649.0, 1.0)', 3],
    ['bit.rol(-1.0, 7.0)', -1],
    ['bit.rol(1.0, -1.0)', -2147483648],
    ['bit.ror(305419896.0, 4.0)', -2128394905],
    ['bit.ror(305419896.0, 0.0)', 305419896],
    ['bit.ror(305419896.0, 36.0)', -2128394905],
    ['bit.ror(1.0, 1.0)', -2147483648],
    ['bit.ror(2147483649.0, 1.0)', -1073741824],
    ['bit.ror(1.0, -1.0)', 2],
    ['bit.bswap(305419896.0)', 2018915346],
    ['bit.bswap(2018915346.0)', 305419896],
    ['bit.bswap(-1.0)', -1],
    ['bit.bswap(1.0)', 16777216],
    ['bit.bswap(255.0)', -16777216],
  ])('%s is %d', (expression, value) => {
    expect(number(expression)).toBe(value);
  });

  it.each([
    ['bit.tohex(1.0)', '00000001'],
    ['bit.tohex(-1.0)', 'ffffffff'],
    ['bit.tohex(305441741.0)', '1234abcd'],
    ['bit.tohex(305441741.0, 4.0)', 'abcd'],
    ['bit.tohex(305441741.0, -4.0)', 'ABCD'],
    ['bit.tohex(305441741.0, -8.0)', '1234ABCD'],
    ['bit.tohex(305441741.0, 0.0)', ''],
    ['bit.tohex(305441741.0, 9.0)', '1234abcd'],
    ['bit.tohex(305441741.0, -12.0)', '1234ABCD'],
    ['bit.tohex(255.0, 2.0)', 'ff'],
    ['bit.tohex(2.0^32 + 255.0, 3.0)', '0ff'],
    ['bit.tohex(-1.0, 1.0)', 'f'],
    ['bit.tohex(10.0, 2.7)', '00a'],
    ['bit.tohex(10.0, -2.5)', '0A'],
    ['bit.tohex(11259375.0, 2.0^32 + 3.0)', 'def'],
    ['bit.tohex(11259375.0, 2.0^31 - 1.0)', '00abcdef'],
    ['bit.tohex(11259375.0, -(2.0^31 - 1.0))', '00ABCDEF'],
    // Redis 7.0.15 overflows negating this width (later versions clamp it, as done here).
    ['bit.tohex(11259375.0, -2.0^31)', '00ABCDEF'],
    ['bit.tohex(1.5)', '00000002'],
    ['bit.tohex(-0.5)', '00000000'],
    ["bit.tohex('255')", '000000ff'],
  ])('%s is %s', (expression, hex) => {
    expect(text(expression)).toBe(hex);
  });

  it.each([
    ["bit.tobit, 'abc'", "bad argument #1 to '?' (number expected, got string)"],
    ['bit.tobit', "bad argument #1 to '?' (number expected, got no value)"],
    ['bit.tobit, nil', "bad argument #1 to '?' (number expected, got nil)"],
    ['bit.tobit, {}', "bad argument #1 to '?' (number expected, got table)"],
    ["bit.band, 1.0, 'x'", "bad argument #2 to '?' (number expected, got string)"],
    ['bit.band, 1.0, 2.0, true', "bad argument #3 to '?' (number expected, got boolean)"],
    ['bit.bor', "bad argument #1 to '?' (number expected, got no value)"],
    ['bit.bnot', "bad argument #1 to '?' (number expected, got no value)"],
    ['bit.lshift, 1.0', "bad argument #2 to '?' (number expected, got no value)"],
    ['bit.bswap', "bad argument #1 to '?' (number expected, got no value)"],
    ['bit.tohex', "bad argument #1 to '?' (number expected, got no value)"],
    ['bit.tohex, 1.0, nil', "bad argument #2 to '?' (number expected, got nil)"],
  ])('refuses %s', (call, message) => {
    expect(caught(call)).toBe(message);
  });

  it('names the function when called directly', () => {
    expect(() => evaluate('bit.band()')).toThrow(
      "test:1: bad argument #1 to 'band' (number expected, got no value)",
    );
  });

  it('has every LuaBitOp function', () => {
    const names = 'tobit tohex bnot band bor bxor lshift rshift arshift rol ror bswap';
    const check = names
      .split(' ')
      .map((name) => `type(bit.${name}) == 'function'`)
      .join(' and ');
    const { L } = evaluate(check);
    expect(lua.lua_toboolean(L, -1)).toBe(true);
  });
});
