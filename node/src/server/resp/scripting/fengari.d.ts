/**
 * The part of fengari (a Lua 5.3 VM in JavaScript, CommonJS, no typings of its own) that the
 * scripting engine uses: its port of Lua's C API. Lua strings are byte arrays (Uint8Array), so
 * values pass through it byte for byte.
 */
declare module 'fengari' {
  /** A Lua thread (lua_State): opaque outside fengari. */
  export interface LuaState {
    readonly __luaState: never;
  }
  export type LuaString = Uint8Array;
  export type JsFunction = (L: LuaState) => number;
  export type Hook = (L: LuaState, ar: unknown) => void;

  export interface LuaApi {
    readonly LUA_OK: number;
    readonly LUA_ERRRUN: number;
    readonly LUA_ERRSYNTAX: number;
    readonly LUA_ERRMEM: number;
    readonly LUA_ERRERR: number;
    readonly LUA_MULTRET: number;
    readonly LUA_MASKCOUNT: number;
    readonly LUA_REGISTRYINDEX: number;
    readonly LUA_TNONE: number;
    readonly LUA_TNIL: number;
    readonly LUA_TBOOLEAN: number;
    readonly LUA_TLIGHTUSERDATA: number;
    readonly LUA_TNUMBER: number;
    readonly LUA_TSTRING: number;
    readonly LUA_TTABLE: number;
    readonly LUA_TFUNCTION: number;
    readonly LUA_TUSERDATA: number;
    readonly LUA_TTHREAD: number;
    lua_absindex(L: LuaState, index: number): number;
    lua_atnativeerror(L: LuaState, handler: JsFunction): void;
    lua_call(L: LuaState, nargs: number, nresults: number): void;
    lua_checkstack(L: LuaState, n: number): boolean;
    lua_close(L: LuaState): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_error(L: LuaState): never;
    lua_getfield(L: LuaState, index: number, key: LuaString | string): number;
    lua_getglobal(L: LuaState, name: LuaString | string): number;
    lua_getmetatable(L: LuaState, index: number): boolean;
    lua_gettop(L: LuaState): number;
    lua_isinteger(L: LuaState, index: number): boolean;
    lua_isnumber(L: LuaState, index: number): boolean;
    lua_isstring(L: LuaState, index: number): boolean;
    lua_next(L: LuaState, index: number): boolean;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_pop(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, value: boolean | number): void;
    lua_pushinteger(L: LuaState, value: number): void;
    lua_pushjsfunction(L: LuaState, fn: JsFunction): void;
    lua_pushlightuserdata(L: LuaState, value: unknown): void;
    lua_pushliteral(L: LuaState, text: string): void;
    lua_pushnil(L: LuaState): void;
    lua_pushnumber(L: LuaState, value: number): void;
    lua_pushstring(L: LuaState, value: LuaString): void;
    lua_pushvalue(L: LuaState, index: number): void;
    lua_rawequal(L: LuaState, a: number, b: number): boolean;
    lua_rawget(L: LuaState, index: number): number;
    lua_rawgeti(L: LuaState, index: number, n: number): number;
    lua_rawlen(L: LuaState, index: number): number;
    lua_rawset(L: LuaState, index: number): void;
    lua_rawseti(L: LuaState, index: number, n: number): void;
    lua_setfield(L: LuaState, index: number, key: LuaString | string): void;
    lua_setglobal(L: LuaState, name: LuaString | string): void;
    lua_sethook(L: LuaState, hook: Hook | null, mask: number, count: number): void;
    lua_setmetatable(L: LuaState, index: number): void;
    lua_setupvalue(L: LuaState, funcIndex: number, n: number): LuaString | null;
    lua_settop(L: LuaState, index: number): void;
    lua_toboolean(L: LuaState, index: number): boolean;
    lua_tointeger(L: LuaState, index: number): number;
    lua_tolstring(L: LuaState, index: number): LuaString | null;
    lua_tonumber(L: LuaState, index: number): number;
    lua_touserdata(L: LuaState, index: number): unknown;
    lua_type(L: LuaState, index: number): number;
    lua_typename(L: LuaState, type: number): LuaString;
  }

  export interface LauxApi {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(L: LuaState, code: LuaString, size: number | null, name: LuaString): number;
    luaL_checkstack(L: LuaState, n: number, message: LuaString | null): void;
    luaL_error(L: LuaState, format: LuaString | string, ...args: unknown[]): never;
    luaL_requiref(L: LuaState, name: LuaString, open: JsFunction, global: number): void;
    luaL_tolstring(L: LuaState, index: number): LuaString;
    luaL_checknumber(L: LuaState, arg: number): number;
    luaL_checkinteger(L: LuaState, arg: number): number;
    luaL_checklstring(L: LuaState, arg: number): LuaString;
    luaL_optinteger(L: LuaState, arg: number, def: number): number;
    luaL_checktype(L: LuaState, arg: number, type: number): void;
    luaL_checkany(L: LuaState, arg: number): void;
    luaL_argerror(L: LuaState, arg: number, message: LuaString | string): never;
    luaL_typename(L: LuaState, index: number): LuaString;
    luaL_ref(L: LuaState, table: number): number;
    luaL_unref(L: LuaState, table: number, ref: number): void;
  }

  export interface LualibApi {
    luaL_openlibs(L: LuaState): void;
    luaopen_base(L: LuaState): number;
    luaopen_table(L: LuaState): number;
    luaopen_string(L: LuaState): number;
    luaopen_math(L: LuaState): number;
    readonly LUA_TABLIBNAME: LuaString;
    readonly LUA_STRLIBNAME: LuaString;
    readonly LUA_MATHLIBNAME: LuaString;
    readonly LUA_COLIBNAME: LuaString;
  }

  interface Fengari {
    readonly lua: LuaApi;
    readonly lauxlib: LauxApi;
    readonly lualib: LualibApi;
    readonly to_luastring: (text: string, cache?: boolean) => LuaString;
    readonly to_jsstring: (
      value: LuaString,
      from?: number,
      to?: number,
      replacementChar?: boolean,
    ) => string;
  }
  const fengari: Fengari;
  export default fengari;
}
