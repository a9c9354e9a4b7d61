import type { LuaState } from 'fengari';
import { describe, expect, it } from 'vitest';
import { loadFengari } from './lua-runtime.ts';
import { openCjson } from './lua-cjson.ts';

// Every expected string below is what redis-server 7.0.15 answers for the same script (EVAL ... 0),
// or, for errors caught with pcall, the message the script sees there.

// The same copy of fengari the library loads (it loads it on first use, by require).
const fengari = loadFengari();
const { lua, lauxlib, lualib } = fengari;

/**
 * What a chunk returned, in JavaScript: strings as binary (latin1) strings, byte for byte,
 * cjson.null as null, a table (or another userdata) as the string '<table>'.
 */
type LuaResult = string | number | boolean | null | undefined;

function newState(): LuaState {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  openCjson(fengari, L);
  return L;
}

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const binary = (value: Uint8Array): string => Buffer.from(value).toString('latin1');

function toResult(L: LuaState, index: number): LuaResult {
  switch (lua.lua_type(L, index)) {
    case lua.LUA_TSTRING:
      return binary(lua.lua_tolstring(L, index) ?? new Uint8Array());
    case lua.LUA_TNUMBER:
      return lua.lua_tonumber(L, index);
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, index);
    case lua.LUA_TLIGHTUSERDATA:
      return lua.lua_touserdata(L, index) === null ? null : '<table>';
    case lua.LUA_TTABLE:
      return '<table>';
    default:
      return undefined;
  }
}

/**
 * Runs a chunk in a fresh state (or the one given) and answers its results. `input` is set as
 * the global INPUT, byte for byte, so JSON texts need no Lua quoting.
 */
function run(code: string, input?: string, L: LuaState = newState()): LuaResult[] {
  if (input !== undefined) {
    lua.lua_pushstring(L, bytes(input));
    lua.lua_setglobal(L, 'INPUT');
  }
  const base = lua.lua_gettop(L);
  // Scripts arrive as UTF-8 text, as redis-cli sends them.
  const source = Uint8Array.from(Buffer.from(code, 'utf8'));
  const loaded = lauxlib.luaL_loadbuffer(L, source, null, bytes('=test'));
  if (loaded !== lua.LUA_OK || lua.lua_pcall(L, 0, lua.LUA_MULTRET, 0) !== lua.LUA_OK) {
    throw new Error(String(toResult(L, -1)));
  }
  const results: LuaResult[] = [];
  for (let i = base + 1; i <= lua.lua_gettop(L); i++) results.push(toResult(L, i));
  lua.lua_settop(L, base);
  return results;
}

/** The single result of a chunk. */
const one = (code: string, input?: string): LuaResult => run(code, input)[0];

/** The message of the error `call` raises, as a script's pcall catches it. */
const caught = (call: string, input?: string): LuaResult =>
  one(`local ok, e = pcall(${call}) assert(not ok) return e`, input);

/** A decoded number, checked to be a float as every number of Redis's Lua is. */
function decodedNumber(text: string): number {
  const L = newState();
  lua.lua_pushstring(L, bytes(text));
  lua.lua_setglobal(L, 'INPUT');
  expect(run('return type(cjson.decode(INPUT))', undefined, L)).toEqual(['number']);
  lauxlib.luaL_loadbuffer(L, bytes('return cjson.decode(INPUT)'), null, bytes('=test'));
  expect(lua.lua_pcall(L, 0, 1, 0)).toBe(lua.LUA_OK);
  expect(lua.lua_isinteger(L, -1)).toBe(false);
  return lua.lua_tonumber(L, -1);
}

describe('cjson.encode', () => {
  it.each([
    ['{1.0, 2.0, 3.0}', '[1,2,3]'],
    ['{}', '{}'],
    ['{a = {b = {1.0, {c = true}}}}', '{"a":{"b":[1,{"c":true}]}}'],
    ['{{}, {{}}}', '[{},[{}]]'],
    ["{true, false, 'x', 1.0}", '[true,false,"x",1]'],
    ['{n = 1.0}', '{"n":1}'],
    ["''", '""'],
    ['nil', 'null'],
    ['cjson.null', 'null'],
    ['{cjson.null, false}', '[null,false]'],
    ["{['a/b'] = '\"q\"'}", '{"a\\/b":"\\"q\\""}'],
    ["{['\\0'] = '\\31'}", '{"\\u0000":"\\u001f"}'],
  ])('encodes %s', (value, json) => {
    expect(one(`return cjson.encode(${value})`)).toBe(json);
  });

  it('escapes quotes, backslashes, slashes, control characters and DEL, and passes other bytes', () => {
    const text = `'a"b\\\\c/d\\n\\r\\t\\b\\f' .. string.char(0.0, 1.0, 31.0, 127.0, 128.0, 255.0) .. '\u00e9'`;
    expect(one(`return cjson.encode(${text})`)).toBe(
      '"a\\"b\\\\c\\/d\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\\u007f\x80\xff\xc3\xa9"',
    );
    expect(one(`return cjson.encode('\\226\\130\\172')`)).toBe('"\xe2\x82\xac"');
  });

  it('prints numbers with %.14g, rounding exact ties to even as glibc does', () => {
    const numbers =
      '1.5, 0.1, 1e100, -0.0, 1.0/3.0, 2.0^53, 2.0^63, 123456789012345.0, 1e15, 1e14, ' +
      '12345678901234567.0, 1e-5, 0.0001, 5e-324';
    expect(one(`return cjson.encode({${numbers}})`)).toBe(
      '[1.5,0.1,1e+100,-0,0.33333333333333,9.007199254741e+15,9.2233720368548e+18,' +
        '1.2345678901234e+14,1e+15,1e+14,1.2345678901235e+16,1e-05,0.0001,4.9406564584125e-324]',
    );
    expect(
      one(
        'return cjson.encode({-1.5e-7, 1e21, 123456789012.0, 99999999999999.5, ' +
          '0.000123456789012345, 1.7976931348623157e308})',
      ),
    ).toBe('[-1.5e-07,1e+21,123456789012,1e+14,0.00012345678901234,1.7976931348623e+308]');
  });

  it.each([
    ['{[1.0] = 1.0, [3.0] = 2.0}', '[1,null,2]'],
    ['{[1.0] = 1.0, [10.0] = 2.0}', '[1,null,null,null,null,null,null,null,null,2]'],
    [
      '{[1.0]=1.0, [2.0]=1.0, [3.0]=1.0, [4.0]=1.0, [5.0]=1.0, [6.0]=1.0, [12.0]=2.0}',
      '[1,1,1,1,1,1,null,null,null,null,null,2]',
    ],
    ['{[2.0] = 1.0}', '[null,1]'],
    ['{[1.0] = 1.0, [2.0] = 2.0, [4.0] = 4.0}', '[1,2,null,4]'],
    ['{[1.0] = 1.0, [2.0] = 2.0, [3.0] = 3.0}', '[1,2,3]'],
    ['{[1.5] = 1.0}', '{"1.5":1}'],
    ['{[-1.0] = 1.0}', '{"-1":1}'],
    ['{[0.0] = 1.0}', '{"0":1}'],
    ['{[-0.0] = 1.0}', '{"-0":1}'],
    ['{[1.0] = 1.0, [1.5] = 2.0}', '{"1":1,"1.5":2}'],
    // The largest index goes through a C int: from 2^31 on it is negative, and the table an object.
    ['{[1e10] = 1.0}', '{"10000000000":1}'],
    ['{[2.0^31] = 1.0}', '{"2147483648":1}'],
  ])('encodes the table %s as %s', (table, json) => {
    expect(one(`return cjson.encode(${table})`)).toBe(json);
  });

  it.each([
    ['{[1.0] = 1.0, [11.0] = 2.0}', 'Cannot serialise table: excessively sparse array'],
    ['{[1.0] = 1.0, [100.0] = 2.0}', 'Cannot serialise table: excessively sparse array'],
    ['{[2.0^31 - 1.0] = 1.0}', 'Cannot serialise table: excessively sparse array'],
    ['function() end', 'Cannot serialise function: type not supported'],
    ['coroutine.create(function() end)', 'Cannot serialise thread: type not supported'],
    ['{1.0, function() end}', 'Cannot serialise function: type not supported'],
    ['{[true] = 1.0}', 'Cannot serialise boolean: table key must be a number or string'],
    ['{[{}] = 1.0}', 'Cannot serialise table: table key must be a number or string'],
    ['{[cjson.null] = 1.0}', 'Cannot serialise userdata: table key must be a number or string'],
    ['1.0/0.0', 'Cannot serialise number: must not be NaN or Inf'],
    ['-1.0/0.0', 'Cannot serialise number: must not be NaN or Inf'],
    ['0.0/0.0', 'Cannot serialise number: must not be NaN or Inf'],
    ['{[1.0/0.0] = 1.0}', 'Cannot serialise number: must not be NaN or Inf'],
  ])('refuses %s', (value, message) => {
    expect(caught(`cjson.encode, ${value}`)).toBe(message);
  });

  it('takes exactly one argument', () => {
    expect(caught('cjson.encode')).toBe("bad argument #1 to '?' (expected 1 argument)");
    expect(caught('cjson.encode, 1.0, 2.0')).toBe("bad argument #1 to '?' (expected 1 argument)");
  });

  it('refuses tables nested deeper than encode_max_depth (1000)', () => {
    const nest = (n: number, key: string): string =>
      `local t = {} local cur = t for i = 1.0, ${n}.0 do cur${key} = {} cur = cur${key} end`;
    expect(one(`${nest(999, '[1]')} return string.len(cjson.encode(t))`)).toBe(2000);
    expect(one(`${nest(1000, '[1]')} return select(2, pcall(cjson.encode, t))`)).toBe(
      'Cannot serialise, excessive nesting (1001)',
    );
    expect(one(`${nest(1000, '.a')} return select(2, pcall(cjson.encode, t))`)).toBe(
      'Cannot serialise, excessive nesting (1001)',
    );
    expect(caught('cjson.encode, (function() local t = {} t[1.0] = t return t end)()')).toBe(
      'Cannot serialise, excessive nesting (1001)',
    );
  });

  it("stops where Lua 5.1's C stack (8000 slots) runs out, with a larger encode_max_depth", () => {
    const deep = (key: string): string =>
      'local c = cjson.new() c.encode_max_depth(100000.0) local t = {} local cur = t ' +
      `for i = 1.0, 10000.0 do cur${key} = {} cur = cur${key} end ` +
      'return select(2, pcall(c.encode, t))';
    expect(one(deep('[1]'))).toBe('Cannot serialise, excessive nesting (7998)');
    expect(one(deep('.a'))).toBe('Cannot serialise, excessive nesting (4000)');
  });
});

describe('cjson.decode', () => {
  it('reads objects into tables, arrays into tables from 1, and null as cjson.null', () => {
    const code =
      'local t = cjson.decode(INPUT) ' +
      'return cjson.encode(t.a), t.c, t.a[3].b == cjson.null, #t.a, t.a[1] + t.a[2]';
    expect(run(code, '{"a":[1,2,{"b":null}],"c":"x"}')).toEqual([
      '[1,2,{"b":null}]',
      'x',
      true,
      3,
      3,
    ]);
    expect(
      one('return cjson.decode(INPUT)[2]', '  [ 1 , "a" , true , false , null , { } , [ ] ]  '),
    ).toBe('a');
    expect(one('return cjson.decode(INPUT)[5] == cjson.null', '[1,2,3,4,null]')).toBe(true);
    expect(one('return type(cjson.decode(INPUT))', 'true')).toBe('boolean');
    expect(one('return cjson.decode(INPUT)', 'false')).toBe(false);
    expect(one('return cjson.decode(INPUT)', ' \t\r\n"x" \n')).toBe('x');
  });

  it.each([
    ['{"k":[1,{"x":[null]}]}', '{"k":[1,{"x":[null]}]}'],
    ['[{},[],[[]]]', '[{},{},[{}]]'],
    ['{"a":{"b":[]}}', '{"a":{"b":{}}}'],
    ['{"a":1,"a":2}', '{"a":2}'],
    ['[1,null,3]', '[1,null,3]'],
    ['  [ 1 , "a" , true , false , null , { } , [ ] ]  ', '[1,"a",true,false,null,{},{}]'],
    // The text ends at a NUL byte, as C reads it.
    ['[1]\0x', '[1]'],
  ])('decodes %j, which encodes back as %s', (json, encoded) => {
    expect(one('return cjson.encode(cjson.decode(INPUT))', json)).toBe(encoded);
  });

  it('decodes escapes to UTF-8 (surrogate pairs too) and passes raw bytes through', () => {
    const escapes = String.raw`"\u00e9\u20ac\ud83d\ude00\u0041\/\b\f\n\r\t\"\\"`;
    expect(one('return cjson.decode(INPUT)', escapes)).toBe(
      '\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80A/\b\f\n\r\t"\\',
    );
    expect(one('return cjson.decode(INPUT)', String.raw`"\uD83D\uDE00"`)).toBe('\xf0\x9f\x98\x80');
    expect(one('return cjson.decode(INPUT)', String.raw`"\u0000x"`)).toBe('\0x');
    expect(one('return cjson.decode(INPUT)', '"raw\x01\x1f\x7f\xff"')).toBe('raw\x01\x1f\x7f\xff');
    expect(one('return cjson.decode(INPUT)', '"a\nb"')).toBe('a\nb');
  });

  it.each([
    ['1', 1],
    ['1.5e3', 1500],
    ['0.1', 0.1],
    ['-0', -0],
    ['12345678901234567890', 12345678901234567000],
    ['1e400', Infinity],
    ['1e-400', 0],
    ['1.', 1],
    ['1.e5', 100000],
    ['0.', 0],
    ['1E2', 100],
    // What strtod reads beyond JSON, which cjson accepts by default.
    ['+1.5', 1.5],
    ['007', 7],
    ['00.5', 0.5],
    ['+.5', 0.5],
    ['-.5', -0.5],
    ['0x10', 16],
    ['0X1F', 31],
    ['0x1p3', 8],
    ['-0x1.8p1', -3],
    ['0x.8', 0.5],
    ['0x1P-2', 0.25],
    ['0x1fffffffffffff1', 144115188075855860],
    ['Infinity', Infinity],
    ['INFINITY', Infinity],
    ['Inf', Infinity],
    ['-inf', -Infinity],
    ['nan', NaN],
    ['-NaN', NaN],
    ['nan(123)', NaN],
    ['nan()', NaN],
  ])('decodes the number %s as a float', (json, value) => {
    expect(decodedNumber(json)).toBe(value);
  });

  it('reads a number argument as Lua 5.1 prints it', () => {
    expect(one('return cjson.decode(123.0)')).toBe(123);
    expect(one('return cjson.decode(1e100)')).toBe(1e100);
  });

  it.each([
    ['', 'Expected value but found T_END at character 1'],
    [' ', 'Expected value but found T_END at character 2'],
    ['x', 'Expected value but found invalid token at character 1'],
    ['[1,2', 'Expected comma or array end but found T_END at character 5'],
    ['[1 2]', 'Expected comma or array end but found T_NUMBER at character 4'],
    ['{"a" 1}', 'Expected colon but found T_NUMBER at character 6'],
    ['{"a":1 "b"}', 'Expected comma or object end but found T_STRING at character 8'],
    ['{1:2}', 'Expected object key string but found T_NUMBER at character 2'],
    ['{"a":}', 'Expected value but found T_OBJ_END at character 6'],
    ['[1] x', 'Expected the end but found invalid token at character 5'],
    ['"abc', 'Expected value but found unexpected end of string at character 5'],
    [String.raw`"a\qb"`, 'Expected value but found invalid escape code at character 3'],
    [String.raw`"\u12"`, 'Expected value but found invalid unicode escape code at character 2'],
    [String.raw`"\ud800"`, 'Expected value but found invalid unicode escape code at character 2'],
    [
      String.raw`"\udc00\ud800"`,
      'Expected value but found invalid unicode escape code at character 2',
    ],
    [
      String.raw`"\ud83d\u0041"`,
      'Expected value but found invalid unicode escape code at character 2',
    ],
    [String.raw`"\uZZZZ"`, 'Expected value but found invalid unicode escape code at character 2'],
    [String.raw`"\u0041`, 'Expected value but found unexpected end of string at character 8'],
    ['"\\', 'Expected value but found invalid escape code at character 2'],
    ['tru', 'Expected value but found invalid token at character 1'],
    ['nul', 'Expected value but found invalid token at character 1'],
    ['-', 'Expected value but found invalid number at character 1'],
    ['-x', 'Expected value but found invalid number at character 1'],
    ['+', 'Expected value but found invalid number at character 1'],
    ['--1', 'Expected value but found invalid number at character 1'],
    ['.5', 'Expected value but found invalid token at character 1'],
    ['0x', 'Expected the end but found invalid token at character 2'],
    ['1e', 'Expected the end but found invalid token at character 2'],
    ['1e+', 'Expected the end but found invalid token at character 2'],
    ['0x1p', 'Expected the end but found invalid token at character 4'],
    ['infinit', 'Expected the end but found invalid token at character 4'],
    ['nan(12', 'Expected the end but found invalid token at character 4'],
    ['nan(a_Z9)x', 'Expected the end but found invalid token at character 10'],
    ['iNfInItY1', 'Expected the end but found T_NUMBER at character 9'],
    ['In', 'Expected value but found invalid token at character 1'],
    ['falsey', 'Expected the end but found invalid token at character 6'],
    ['true false', 'Expected the end but found T_BOOLEAN at character 6'],
    ['1-2', 'Expected the end but found T_NUMBER at character 2'],
    ['1.5.5', 'Expected the end but found invalid token at character 4'],
    ['[1,]', 'Expected value but found T_ARR_END at character 4'],
    ['[,1]', 'Expected value but found T_COMMA at character 2'],
    ['{"a":1,}', 'Expected object key string but found T_OBJ_END at character 8'],
    ['{,}', 'Expected object key string but found T_COMMA at character 2'],
    ['{"a', 'Expected object key string but found unexpected end of string at character 4'],
    [']', 'Expected value but found T_ARR_END at character 1'],
    ['[1,2]]', 'Expected the end but found T_ARR_END at character 6'],
    ['{}}', 'Expected the end but found T_OBJ_END at character 3'],
    ['[[[', 'Expected value but found T_END at character 4'],
    ['[t]', 'Expected value but found invalid token at character 2'],
    ["'a'", 'Expected value but found invalid token at character 1'],
    ['\f1', 'Expected value but found invalid token at character 1'],
    ['nul\0', 'Expected value but found invalid token at character 1'],
    // A NUL among the first two bytes is how cjson tells UTF-16 and UTF-32 apart.
    ['a\0', 'JSON parser does not support UTF-16 or UTF-32'],
    ['\0a', 'JSON parser does not support UTF-16 or UTF-32'],
  ])('refuses %j', (json, message) => {
    expect(caught('cjson.decode, INPUT', json)).toBe(message);
  });

  it('takes exactly one string (or number) argument', () => {
    expect(caught('cjson.decode')).toBe("bad argument #1 to '?' (expected 1 argument)");
    expect(caught('cjson.decode, {}')).toBe("bad argument #1 to '?' (string expected, got table)");
    expect(caught('cjson.decode, nil')).toBe("bad argument #1 to '?' (string expected, got nil)");
    expect(caught('cjson.decode, cjson.null')).toBe(
      "bad argument #1 to '?' (string expected, got userdata)",
    );
  });

  it('refuses more than decode_max_depth (1000) nested containers', () => {
    const nested = (open: string, n: number, close = ''): string =>
      open.repeat(n) + close.repeat(n);
    expect(one('return select("#", cjson.decode(INPUT))', nested('[', 1000, ']'))).toBe(1);
    expect(caught('cjson.decode, INPUT', nested('[', 1001, ']'))).toBe(
      'Found too many nested data structures (1001) at character 1001',
    );
    expect(caught('cjson.decode, INPUT', nested('{"a":', 1001))).toBe(
      'Found too many nested data structures (1001) at character 5001',
    );
    expect(caught('cjson.decode, INPUT', `   ${nested('[', 1001)}`)).toBe(
      'Found too many nested data structures (1001) at character 1004',
    );
  });

  it("stops where Lua 5.1's C stack (8000 slots) runs out, with a larger decode_max_depth", () => {
    const deep =
      'local c = cjson.new() c.decode_max_depth(100000.0) return select(2, pcall(c.decode, INPUT))';
    expect(one(deep, '['.repeat(10000) + ']'.repeat(10000))).toBe(
      'Found too many nested data structures (7999) at character 7999',
    );
    expect(one(deep, '{"a":'.repeat(10000))).toBe(
      'Found too many nested data structures (4000) at character 19996',
    );
  });
});

describe('cjson configuration', () => {
  it('starts with cjson 2.1.0 defaults', () => {
    expect(run('return cjson.encode_max_depth()')).toEqual([1000]);
    expect(run('return cjson.decode_max_depth()')).toEqual([1000]);
    expect(run('return cjson.encode_number_precision()')).toEqual([14]);
    expect(run('return cjson.encode_sparse_array()')).toEqual([false, 2, 10]);
    expect(run('return cjson.encode_invalid_numbers()')).toEqual([false]);
    expect(run('return cjson.decode_invalid_numbers()')).toEqual([true]);
    expect(run('return cjson.encode_keep_buffer()')).toEqual([true]);
  });

  it('limits encoding and decoding depth', () => {
    const c = 'local c = cjson.new() ';
    expect(
      run(`${c} return c.encode_max_depth(2.0), select(2, pcall(c.encode, {{{1.0}}}))`),
    ).toEqual([2, 'Cannot serialise, excessive nesting (3)']);
    expect(one(`${c} c.encode_max_depth(2.0) return c.encode({{1.0}})`)).toBe('[[1]]');
    expect(
      run(`${c} return c.decode_max_depth(2.0), select(2, pcall(c.decode, '[[[1]]]'))`),
    ).toEqual([2, 'Found too many nested data structures (3) at character 3']);
    expect(
      one(
        `${c} c.decode_max_depth(2.0) return select(2, pcall(c.decode, INPUT))`,
        '{"a":{"b":{"c":1}}}',
      ),
    ).toBe('Found too many nested data structures (3) at character 11');
    expect(one(`${c} c.decode_max_depth(2.0) return c.encode(c.decode('[[1]]'))`)).toBe('[[1]]');
  });

  it('sets the number precision', () => {
    const c = 'local c = cjson.new() ';
    expect(
      run(
        `${c} return c.encode_number_precision(3.0), c.encode({1.0/3.0, 1234.5, 0.5, 100.0, 1e20, 12345.0})`,
      ),
    ).toEqual([3, '[0.333,1.23e+03,0.5,100,1e+20,1.23e+04]']);
    expect(
      one(
        `${c} c.encode_number_precision(1.0) return c.encode({0.15, 0.25, 0.35, 2.5, 3.5, 95.0})`,
      ),
    ).toBe('[0.1,0.2,0.3,2,4,1e+02]');
  });

  it('sets how sparse arrays are handled: converted to objects, or allowed', () => {
    const c = 'local c = cjson.new() ';
    expect(run(`${c} return c.encode_sparse_array(true)`)).toEqual([true, 2, 10]);
    expect(
      one(`${c} c.encode_sparse_array(true) return c.encode({[1.0] = 1.0, [11.0] = 2.0})`),
    ).toBe('{"1":1,"11":2}');
    expect(run(`${c} return c.encode_sparse_array(false, 0.0)`)).toEqual([false, 0, 10]);
    expect(
      one(`${c} c.encode_sparse_array(false, 0.0) return c.encode({[1.0] = 1.0, [20.0] = 2.0})`),
    ).toBe(`[1,${'null,'.repeat(18)}2]`);
    expect(run(`${c} return c.encode_sparse_array(false, 1.0, 0.0)`)).toEqual([false, 1, 0]);
    expect(
      one(
        `${c} c.encode_sparse_array(false, 1.0, 0.0) ` +
          'return select(2, pcall(c.encode, {[1.0] = 1.0, [3.0] = 2.0}))',
      ),
    ).toBe('Cannot serialise table: excessively sparse array');
    expect(
      run(
        `${c} c.encode_sparse_array(false, 3.0, 2.0) return c.encode({[1.0] = 1.0, [3.0] = 2.0}), ` +
          'c.encode({[1.0] = 1.0, [4.0] = 2.0}), c.encode({[1.0] = 1.0, [2.0] = 2.0, [6.0] = 3.0}), ' +
          'select(2, pcall(c.encode, {[1.0] = 1.0, [7.0] = 2.0}))',
      ),
    ).toEqual([
      '[1,null,2]',
      '[1,null,null,2]',
      '[1,2,null,null,null,3]',
      'Cannot serialise table: excessively sparse array',
    ]);
    expect(run(`${c} return c.encode_sparse_array(nil, nil, 5.0)`)).toEqual([false, 2, 5]);
  });

  it('writes NaN and Inf when asked to, or null', () => {
    const c = 'local c = cjson.new() ';
    expect(
      run(
        `${c} return c.encode_invalid_numbers(true), c.encode({1.0/0.0, -1.0/0.0, 0.0/0.0, -(0.0/0.0)})`,
      ),
    ).toEqual([true, '[inf,-inf,nan,nan]']);
    expect(
      run(`${c} return c.encode_invalid_numbers('null'), c.encode({1.0/0.0, -1.0/0.0, 0.0/0.0})`),
    ).toEqual(['null', '[null,null,null]']);
    expect(
      run(`${c} return c.encode_invalid_numbers('on'), c.encode_invalid_numbers('off')`),
    ).toEqual([true, false]);
    expect(one(`${c} c.encode_invalid_numbers(true) return c.encode({[1.0/0.0] = 1.0})`)).toBe(
      '{"inf":1}',
    );
  });

  it.each([
    ['0x10', 'Expected value but found invalid number at character 1'],
    ['NaN', 'Expected value but found invalid token at character 1'],
    ['Infinity', 'Expected value but found invalid token at character 1'],
    ['inf', 'Expected value but found invalid token at character 1'],
    ['-inf', 'Expected value but found invalid number at character 1'],
    ['+1', 'Expected value but found invalid token at character 1'],
    ['01', 'Expected value but found invalid number at character 1'],
    ['-01', 'Expected value but found invalid number at character 1'],
    ['nope', 'Expected value but found invalid token at character 1'],
  ])('with decode_invalid_numbers(false), refuses %s', (json, message) => {
    const code =
      'local c = cjson.new() c.decode_invalid_numbers(false) return select(2, pcall(c.decode, INPUT))';
    expect(one(code, json)).toBe(message);
  });

  it('with decode_invalid_numbers(false), still reads JSON numbers', () => {
    const code =
      'local c = cjson.new() c.decode_invalid_numbers(false) return c.encode(c.decode(INPUT))';
    expect(one(code, '[0,-0,1.5,-2e3]')).toBe('[0,-0,1.5,-2000]');
  });

  it('takes booleans or option names, and answers the setting', () => {
    const c = 'local c = cjson.new() ';
    expect(
      run(`${c} return c.decode_invalid_numbers('on'), c.decode_invalid_numbers('off')`),
    ).toEqual([true, false]);
    expect(
      run(
        `${c} return c.encode_keep_buffer(false), c.encode_keep_buffer('on'), c.encode_keep_buffer(nil)`,
      ),
    ).toEqual([false, true, true]);
    expect(run(`${c} return c.encode_max_depth(nil)`)).toEqual([1000]);
    expect(run(`${c} return c.encode_max_depth('5')`)).toEqual([5]);
    // Lua 5.1 truncates a fractional integer argument.
    expect(run(`${c} return c.encode_max_depth(2.5), c.encode_number_precision(14.9)`)).toEqual([
      2, 14,
    ]);
    expect(run(`${c} return c.encode_max_depth(2147483647.0)`)).toEqual([2147483647]);
  });

  it.each([
    [
      'cjson.encode_max_depth, 0.0',
      "bad argument #1 to '?' (expected integer between 1 and 2147483647)",
    ],
    [
      'cjson.encode_max_depth, 2147483648.0',
      "bad argument #1 to '?' (expected integer between 1 and 2147483647)",
    ],
    ['cjson.encode_max_depth, 1.0, 2.0', "bad argument #2 to '?' (found too many arguments)"],
    ["cjson.encode_max_depth, 'x'", "bad argument #1 to '?' (number expected, got string)"],
    [
      'cjson.decode_max_depth, -1.0',
      "bad argument #1 to '?' (expected integer between 1 and 2147483647)",
    ],
    [
      'cjson.encode_number_precision, 15.0',
      "bad argument #1 to '?' (expected integer between 1 and 14)",
    ],
    [
      'cjson.encode_number_precision, 0.0',
      "bad argument #1 to '?' (expected integer between 1 and 14)",
    ],
    [
      'cjson.encode_number_precision, -0.5',
      "bad argument #1 to '?' (expected integer between 1 and 14)",
    ],
    ["cjson.encode_sparse_array, 'x'", "bad argument #1 to '?' (invalid option 'x')"],
    ['cjson.encode_sparse_array, 1.0', "bad argument #1 to '?' (invalid option '1')"],
    // cjson names argument 1 for a bad integer whatever its position.
    [
      'cjson.encode_sparse_array, true, -1.0',
      "bad argument #1 to '?' (expected integer between 0 and 2147483647)",
    ],
    [
      'cjson.encode_sparse_array, true, 1.0, 2.0, 3.0',
      "bad argument #4 to '?' (found too many arguments)",
    ],
    ["cjson.encode_keep_buffer, 'x'", "bad argument #1 to '?' (invalid option 'x')"],
    ['cjson.encode_keep_buffer, 1.0', "bad argument #1 to '?' (invalid option '1')"],
    ["cjson.encode_invalid_numbers, 'x'", "bad argument #1 to '?' (invalid option 'x')"],
    ["cjson.decode_invalid_numbers, 'null'", "bad argument #1 to '?' (invalid option 'null')"],
    ['cjson.encode_invalid_numbers, {}', "bad argument #1 to '?' (string expected, got table)"],
    ['cjson.encode_max_depth, {}', "bad argument #1 to '?' (number expected, got table)"],
  ])('refuses %s', (call, message) => {
    expect(caught(call)).toBe(message);
  });

  it('names the function when called directly', () => {
    expect(() => run('cjson.encode_number_precision(-0.5)')).toThrow(
      "test:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)",
    );
  });

  it('keeps settings per cjson table: cjson.new() starts from the defaults', () => {
    expect(
      run(
        'local c = cjson.new() c.encode_max_depth(5.0) return cjson.encode_max_depth(), c.encode_max_depth()',
      ),
    ).toEqual([1000, 5]);
    expect(
      run(
        'return cjson.new().encode({1.0}), cjson.new().null == cjson.null, type(cjson.new().new)',
      ),
    ).toEqual(['[1]', true, 'function']);
  });

  it('keeps a setting changed by one script for the next ones, as one Lua state does in Redis', () => {
    const L = newState();
    run('cjson.encode_max_depth(1.0)', undefined, L);
    expect(run('return select(2, pcall(cjson.encode, {{}}))', undefined, L)).toEqual([
      'Cannot serialise, excessive nesting (2)',
    ]);
  });

  it('has the module fields and the null sentinel', () => {
    expect(run('return cjson._NAME, cjson._VERSION, type(cjson.null), cjson.null')).toEqual([
      'cjson',
      '2.1.0',
      'userdata',
      null,
    ]);
  });
});
