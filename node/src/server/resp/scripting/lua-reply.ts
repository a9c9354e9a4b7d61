import type { LuaState } from 'fengari';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { formatG } from './format-g.ts';
import type { Fengari } from './lua-runtime.ts';

/**
 * The two conversions of Redis's script_lua.c, on fengari's stack:
 *
 * - a command's reply, as the RESP bytes its handler wrote, into the Lua value `redis.call`
 *   returns (`pushReply`): integers are numbers, bulk strings strings, a null false, a status
 *   `{ok=...}`, an error `{err=...}`; in RESP3 (`redis.setresp(3)`) also maps, sets, doubles,
 *   booleans, big numbers and verbatim strings as Redis shapes them;
 * - the script's result into the client's reply (`writeLuaValue`): a number an integer (cut
 *   toward zero), a string a bulk string, true 1 and false a null (RESP3 scripts: booleans), a
 *   table an array up to its first nil, unless it carries `err`, `ok`, `double`, `big_number`,
 *   `map` or `set`.
 */

/** A table nested deeper than this (a cycle, say) is answered with an error, not a stack overflow. */
const MAX_DEPTH = 1000;

/** RESP type bytes. */
const T = {
  SIMPLE: 0x2b,
  ERROR: 0x2d,
  INTEGER: 0x3a,
  BULK: 0x24,
  ARRAY: 0x2a,
  NULL: 0x5f,
  DOUBLE: 0x2c,
  BOOLEAN: 0x23,
  BIG_NUMBER: 0x28,
  VERBATIM: 0x3d,
  MAP: 0x25,
  SET: 0x7e,
  BLOB_ERROR: 0x21,
  PUSH: 0x3e,
} as const;

/**
 * Pushes the reply starting at `offset` of `bytes` (one complete reply, as a handler wrote it)
 * and returns the offset after it. An error reply is pushed as `{err=...}`; the caller decides
 * whether to raise it.
 */
export function pushReply(fengari: Fengari, L: LuaState, bytes: Buffer, offset: number): number {
  const { lua } = fengari;
  lua.lua_checkstack(L, 4);
  const type = bytes[offset]!;
  const lineEnd = bytes.indexOf(0x0d, offset);
  const next = lineEnd + 2;
  const line = (): string => bytes.toString('latin1', offset + 1, lineEnd);
  switch (type) {
    case T.SIMPLE:
      pushField(fengari, L, 'ok', bytes.subarray(offset + 1, lineEnd));
      return next;
    case T.ERROR:
      pushField(fengari, L, 'err', bytes.subarray(offset + 1, lineEnd));
      return next;
    case T.INTEGER:
      lua.lua_pushnumber(L, Number(line()));
      return next;
    case T.BULK: {
      const length = Number(line());
      if (length < 0) {
        lua.lua_pushboolean(L, false);
        return next;
      }
      lua.lua_pushstring(L, bytes.subarray(next, next + length));
      return next + length + 2;
    }
    case T.BLOB_ERROR: {
      const length = Number(line());
      pushField(fengari, L, 'err', bytes.subarray(next, next + length));
      return next + length + 2;
    }
    case T.ARRAY:
    case T.SET:
    case T.PUSH: {
      const count = Number(line());
      if (count < 0) {
        lua.lua_pushboolean(L, false);
        return next;
      }
      return type === T.SET
        ? pushKeyed(fengari, L, bytes, next, count, 'set')
        : pushArray(fengari, L, bytes, next, count);
    }
    case T.MAP:
      return pushKeyed(fengari, L, bytes, next, Number(line()), 'map');
    case T.NULL:
      lua.lua_pushnil(L);
      return next;
    case T.BOOLEAN:
      lua.lua_pushboolean(L, bytes[offset + 1] === 0x74);
      return next;
    case T.DOUBLE:
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushnumber(L, parseDouble(line()));
      lua.lua_setfield(L, -2, 'double');
      return next;
    case T.BIG_NUMBER:
      pushField(fengari, L, 'big_number', bytes.subarray(offset + 1, lineEnd));
      return next;
    case T.VERBATIM: {
      const length = Number(line());
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, 2);
      lua.lua_pushstring(L, bytes.subarray(next, next + 3));
      lua.lua_setfield(L, -2, 'format');
      lua.lua_pushstring(L, bytes.subarray(next + 4, next + length));
      lua.lua_setfield(L, -2, 'string');
      lua.lua_setfield(L, -2, 'verbatim_string');
      return next + length + 2;
    }
    default:
      throw new TypeError(`not a RESP reply (type byte ${type})`);
  }
}

/** `{name = value}`: Redis's shape for a status, an error and a big number. */
function pushField(fengari: Fengari, L: LuaState, name: string, value: Uint8Array): void {
  const { lua } = fengari;
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, value);
  lua.lua_setfield(L, -2, name);
}

function pushArray(
  fengari: Fengari,
  L: LuaState,
  bytes: Buffer,
  from: number,
  count: number,
): number {
  const { lua } = fengari;
  lua.lua_createtable(L, count, 0);
  let at = from;
  for (let i = 1; i <= count; i++) {
    at = pushReply(fengari, L, bytes, at);
    lua.lua_rawseti(L, -2, i);
  }
  return at;
}

/**
 * A RESP3 set, `{set = {member = true, ...}}`, or map, `{map = {key = value, ...}}`: `count`
 * members or pairs from `from`.
 */
function pushKeyed(
  fengari: Fengari,
  L: LuaState,
  bytes: Buffer,
  from: number,
  count: number,
  shape: 'set' | 'map',
): number {
  const { lua } = fengari;
  lua.lua_createtable(L, 0, 1);
  lua.lua_createtable(L, 0, count);
  let at = from;
  for (let i = 0; i < count; i++) {
    at = pushReply(fengari, L, bytes, at);
    if (shape === 'map') at = pushReply(fengari, L, bytes, at);
    else lua.lua_pushboolean(L, true);
    lua.lua_rawset(L, -3);
  }
  lua.lua_setfield(L, -2, shape);
  return at;
}

function parseDouble(text: string): number {
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  if (text === 'nan') return Number.NaN;
  return Number(text);
}

/** How a script's result is written: the client's writer, and the script's own protocol. */
export interface LuaReplyTarget {
  readonly out: ReplyWriter;
  /** redis.setresp(3) was called: booleans, doubles, maps and sets are written as RESP3 types. */
  readonly scriptResp3: boolean;
}

/** Writes the Lua value at `index` (an absolute index) as the command's reply. */
export function writeLuaValue(
  fengari: Fengari,
  L: LuaState,
  index: number,
  target: LuaReplyTarget,
  depth = 0,
): void {
  const { lua } = fengari;
  const out = target.out;
  switch (lua.lua_type(L, index)) {
    case lua.LUA_TSTRING:
      out.bulk(lua.lua_tolstring(L, index)!);
      return;
    case lua.LUA_TNUMBER:
      out.integer(toLongLong(lua.lua_tonumber(L, index)));
      return;
    case lua.LUA_TBOOLEAN:
      writeBoolean(out, lua.lua_toboolean(L, index), target.scriptResp3);
      return;
    case lua.LUA_TTABLE:
      if (depth >= MAX_DEPTH) {
        out.error('ERR reached lua stack limit');
        return;
      }
      writeTable(fengari, L, index, target, depth);
      return;
    default:
      out.nullBulk();
  }
}

/** A Lua number as C's `(long long)` cast makes it: cut toward zero, saturated. */
function toLongLong(value: number): bigint | number {
  if (Number.isNaN(value)) return -(2n ** 63n);
  if (Number.isSafeInteger(Math.trunc(value))) return Math.trunc(value);
  if (value >= 2 ** 63 || value < -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(value));
}

function writeBoolean(out: ReplyWriter, value: boolean, scriptResp3: boolean): void {
  if (!scriptResp3) {
    if (value) out.integer(1);
    else out.nullBulk();
  } else if (out.resp3) {
    out.raw(value ? TRUE : FALSE);
  } else {
    out.integer(value ? 1 : 0);
  }
}

const TRUE = Buffer.from('#t\r\n');
const FALSE = Buffer.from('#f\r\n');

function writeTable(
  fengari: Fengari,
  L: LuaState,
  index: number,
  target: LuaReplyTarget,
  depth: number,
): void {
  const { lua } = fengari;
  const out = target.out;
  lua.lua_checkstack(L, 4);
  if (lua.lua_getfield(L, index, 'err') === lua.LUA_TSTRING) {
    out.error(oneLine(lua.lua_tolstring(L, -1)!));
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, index, 'ok') === lua.LUA_TSTRING) {
    out.simple(oneLine(lua.lua_tolstring(L, -1)!));
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, index, 'double') === lua.LUA_TNUMBER) {
    writeDouble(out, lua.lua_tonumber(L, -1));
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, index, 'big_number') === lua.LUA_TSTRING) {
    const text = oneLine(lua.lua_tolstring(L, -1)!);
    lua.lua_pop(L, 1);
    if (out.resp3) out.raw(Buffer.from(`(${text}\r\n`, 'latin1'));
    else out.bulkLatin1(text);
    return;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, index, 'map') === lua.LUA_TTABLE) {
    writePairs(fengari, L, lua.lua_absindex(L, -1), target, depth, true);
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, index, 'set') === lua.LUA_TTABLE) {
    writePairs(fengari, L, lua.lua_absindex(L, -1), target, depth, false);
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  let count = 0;
  while (lua.lua_rawgeti(L, index, count + 1) !== lua.LUA_TNIL) {
    lua.lua_pop(L, 1);
    count++;
  }
  lua.lua_pop(L, 1);
  out.arrayHeader(count);
  for (let i = 1; i <= count; i++) {
    lua.lua_rawgeti(L, index, i);
    writeLuaValue(fengari, L, lua.lua_gettop(L), target, depth + 1);
    lua.lua_pop(L, 1);
  }
}

/** A map's keys and values, or a set's keys (its values ignored, as Redis ignores them). */
function writePairs(
  fengari: Fengari,
  L: LuaState,
  table: number,
  target: LuaReplyTarget,
  depth: number,
  map: boolean,
): void {
  const { lua } = fengari;
  let count = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, table)) {
    lua.lua_pop(L, 1);
    count++;
  }
  if (map) target.out.mapHeader(count);
  else target.out.setHeader(count);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, table)) {
    const top = lua.lua_gettop(L);
    writeLuaValue(fengari, L, top - 1, target, depth + 1);
    if (map) writeLuaValue(fengari, L, top, target, depth + 1);
    lua.lua_pop(L, 1);
  }
}

/** addReplyDouble: RESP3's double type, or in RESP2 a bulk string, with `%.17g` (inf, -inf, nan). */
function writeDouble(out: ReplyWriter, value: number): void {
  const text = formatG(value, 17);
  if (out.resp3) out.raw(Buffer.from(`,${text}\r\n`, 'latin1'));
  else out.bulkLatin1(text);
}

/** Error and status texts go out on one line: Redis turns CR and LF into spaces. */
function oneLine(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('latin1')
    .replace(/[\r\n]/g, ' ');
}
