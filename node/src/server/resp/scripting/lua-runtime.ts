import { createRequire } from 'node:module';
import type { LuaState } from 'fengari';
import type fengariModule from 'fengari';
import { floatNumerals } from './float-numerals.ts';
import { formatG } from './format-g.ts';
import type { RedisRandom } from './lua-random.ts';

export type Fengari = typeof fengariModule;

/**
 * fengari reads its configuration once, from the environment, when it is first loaded.
 * LUA_COMPAT_FLOATSTRING prints an integral float as `3`, not `3.0`: together with every number
 * being a float (below) that is how Lua 5.1, Redis's Lua, prints numbers.
 */
const FENGARI_CONFIG = JSON.stringify({ LUA_COMPAT_FLOATSTRING: true });

/**
 * Loads fengari configured for Redis's Lua. A process that loaded it earlier without the
 * configuration gets that copy: `createLuaRuntime` then refuses to start rather than print numbers
 * differently from Redis.
 */
export function loadFengari(): Fengari {
  const require = createRequire(import.meta.url);
  // eslint-disable-next-line no-restricted-syntax -- fengari takes its configuration only from here
  const env = process.env;
  const before = env.FENGARICONF;
  env.FENGARICONF = FENGARI_CONFIG;
  try {
    return require('fengari') as Fengari;
  } finally {
    if (before === undefined) delete env.FENGARICONF;
    else env.FENGARICONF = before;
  }
}

/** A Lua state set up as Redis 7.0 sets up its scripts' world. */
export interface LuaRuntime {
  readonly fengari: Fengari;
  readonly L: LuaState;
  /** Registry reference of the read-only global table scripts see as `_G` and `_ENV`. */
  readonly envRef: number;
  /** Registry reference of the real global table behind it (KEYS and ARGV are set there). */
  readonly globalsRef: number;
  /** Registry reference of `__redis__err__handler`, the message handler of every script call. */
  readonly errorHandlerRef: number;
}

/**
 * Lua 5.1's world on Lua 5.3: the 5.1 functions Redis scripts call (unpack, loadstring, math.pow,
 * table.getn...), integer-returning functions returning floats (in 5.1 every number is a double,
 * and fengari's integers are 32-bit: `2^31 - 1 + 1` must not wrap), no I/O, Redis's error
 * handler, and read-only globals whose unknown names are errors, as in Redis 7.0. Runs once per
 * state with the whole standard library still open.
 */
const PRELUDE = String.raw`
local tostring51, random, randomseed, stopped = ...
local debug_getinfo, floor, ceil = debug.getinfo, math.floor, math.ceil
local pack, unpack0 = table.pack, table.unpack
local tonumber0, tostring0, type, error, rawget, setmetatable, next = tonumber, tostring, type, error, rawget, setmetatable, next
local globals = _G

unpack = table.unpack
loadstring = function(s, name) return load(s, name, 't') end
gcinfo = function() return 0.0 end
math.pow = function(x, y) return x ^ y end
math.mod = math.fmod
math.log10 = function(x) return math.log(x, 10.0) end
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.frexp = function(x)
  if x == 0.0 or x ~= x or x == math.huge or x == -math.huge then return x, 0.0 end
  local e = floor(math.log(math.abs(x), 2.0)) + 1.0
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1.0 then m, e = m / 2.0, e + 1.0 elseif math.abs(m) < 0.5 then m, e = m * 2.0, e - 1.0 end
  return m, e + 0.0
end
math.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2.0 end
math.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2.0 end
math.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
math.atan2 = function(y, x) return math.atan(y, x) end
math.floor = function(x) return floor(x) + 0.0 end
math.ceil = function(x) return ceil(x) + 0.0 end
math.random, math.randomseed = random, randomseed
math.tointeger, math.type, math.ult, math.maxinteger, math.mininteger = nil, nil, nil, nil, nil
string.gfind = string.gmatch
string.pack, string.unpack, string.packsize = nil, nil, nil
table.getn = function(t) return #t + 0.0 end
table.setn = function() error("'setn' is obsolete", 2) end
table.maxn = function(t)
  local n = 0.0
  for k in next, t do if type(k) == 'number' and k > n then n = k end end
  return n + 0.0
end
table.foreach = function(t, f) for k, v in next, t do local r = f(k, v) if r ~= nil then return r end end end
table.foreachi = function(t, f) for i = 1, #t do local r = f(i + 0.0, t[i]) if r ~= nil then return r end end end
table.pack, table.unpack, table.move = nil, nil, nil
tonumber = function(v, base)
  local n = tonumber0(v, base)
  if n == nil then return nil end
  return n + 0.0
end
tostring = tostring51
-- A script stopped for running too long must not go on by catching the error: the functions
-- that catch errors pass it on once the script is stopped.
local pcall0, xpcall0, resume0 = pcall, xpcall, coroutine.resume
local function passed_on(results)
  if stopped() and not results[1] then error(results[2], 0) end
  return unpack0(results, 1, results.n)
end
-- Redis's pcall gives a redis.call error (a table with err) to the script as its text.
pcall = function(...)
  local results = pack(pcall0(...))
  if stopped() and not results[1] then error(results[2], 0) end
  local err = results[2]
  if not results[1] and type(err) == 'table' and type(rawget(err, 'err')) == 'string' then
    results[2] = rawget(err, 'err')
  end
  return unpack0(results, 1, results.n)
end
xpcall = function(...) return passed_on(pack(xpcall0(...))) end
coroutine.resume = function(...) return passed_on(pack(resume0(...))) end
_VERSION = 'Lua 5.1'
print, dofile, loadfile, require, package, os, io, utf8, debug = nil, nil, nil, nil, nil, nil, nil, nil, nil

-- Redis's own message handler (script_lua.c): where the error happened, and an "ERR " prefix for
-- errors that are not already Redis error replies. Redis skips the C function that raised it
-- (error, redis.call); here those are JavaScript ('J') or this prelude's Lua, skipped alike.
local function error_handler(err)
  local level = 2
  local i = debug_getinfo(level, 'nSl')
  while i and (i.what == 'C' or i.what == 'J' or i.source == '=mlcache_prelude') do
    level = level + 1
    i = debug_getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring0(err)} end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
__redis__err__handler = error_handler

local function refuse() error('Attempt to modify a readonly table', 2) end
local function readonly(t)
  return setmetatable({}, {
    __index = t,
    __newindex = refuse,
    __pairs = function() return next, t, nil end,
    __metatable = false,
  })
end
for _, name in next, {'string', 'table', 'math', 'coroutine', 'bit', 'cjson', 'redis'} do
  if rawget(globals, name) ~= nil then globals[name] = readonly(rawget(globals, name)) end
end
-- Scripts read globals through a table __index (the VM follows it without calling a function,
-- which in fengari costs as much as a redis.call); only a name missing from the real globals
-- reaches the function that raises Redis's error.
setmetatable(globals, {
  __index = function(_, name)
    error("Script attempted to access nonexistent global variable '" .. tostring0(name) .. "'", 2)
  end,
})
local env = setmetatable({}, {
  __index = globals,
  __newindex = refuse,
  __pairs = function() return next, globals, nil end,
  __metatable = false,
})
globals._G = env
return env, globals, error_handler
`;

/**
 * Creates a Lua state with Redis's libraries and environment. `install` registers the libraries
 * that need the server (redis, cjson, bit) as globals before the environment is locked;
 * `stopped` says whether the running script was stopped (pcall then passes its error on).
 */
export function createLuaRuntime(
  random: RedisRandom,
  install: (fengari: Fengari, L: LuaState) => void,
  stopped: () => boolean,
): LuaRuntime {
  const fengari = loadFengari();
  const { lua, lauxlib, lualib, to_luastring } = fengari;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  install(fengari, L);
  const loaded = lauxlib.luaL_loadbuffer(
    L,
    to_luastring(PRELUDE),
    null,
    to_luastring('=mlcache_prelude'),
  );
  if (loaded !== lua.LUA_OK) throw new Error(`Lua prelude: ${errorText(fengari, L)}`);
  // tostring as Lua 5.1 prints numbers (%.14g); JavaScript, so that an error in it points at the
  // script's line even from a tail call.
  lua.lua_pushjsfunction(L, (state) => {
    if (lua.lua_gettop(state) === 0) return lauxlib.luaL_argerror(state, 1, 'value expected');
    if (lua.lua_type(state, 1) === lua.LUA_TNUMBER) {
      lua.lua_pushliteral(state, formatG(lua.lua_tonumber(state, 1), 14));
    } else {
      lauxlib.luaL_tolstring(state, 1);
    }
    return 1;
  });
  lua.lua_pushjsfunction(L, (state) => pushRandom(fengari, state, random));
  lua.lua_pushjsfunction(L, (state) => {
    random.seed(lauxlib.luaL_checknumber(state, 1));
    return 0;
  });
  lua.lua_pushjsfunction(L, (state) => {
    lua.lua_pushboolean(state, stopped());
    return 1;
  });
  if (lua.lua_pcall(L, 4, 3, 0) !== lua.LUA_OK)
    throw new Error(`Lua prelude: ${errorText(fengari, L)}`);
  const errorHandlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  const globalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  const envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  const runtime = { fengari, L, envRef, globalsRef, errorHandlerRef };
  checkNumberPrinting(runtime);
  return runtime;
}

/**
 * Compiles a chunk as Redis does (named `@user_script`), its numerals made floats
 * (float-numerals.ts) and its globals the read-only environment. Leaves the function on the stack and returns undefined, or leaves
 * nothing and returns the compiler's message.
 */
export function compileChunk(runtime: LuaRuntime, body: Uint8Array): string | undefined {
  const { fengari, L, envRef } = runtime;
  const { lua, lauxlib, to_luastring } = fengari;
  const source = floatNumerals(body);
  const status = lauxlib.luaL_loadbuffer(L, source, source.length, to_luastring('@user_script'));
  if (status !== lua.LUA_OK) {
    const message = errorText(fengari, L);
    lua.lua_pop(L, 1);
    return message;
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, envRef);
  lua.lua_setupvalue(L, -2, 1);
  return undefined;
}

/** The error message at the top of the stack, as text. */
export function errorText(fengari: Fengari, L: LuaState): string {
  const bytes = fengari.lua.lua_tolstring(L, -1);
  return bytes === null ? 'unknown error' : Buffer.from(bytes).toString('latin1');
}

/** Redis's math.random (lmathlib.c as Redis patched it, on redisLrand48). */
function pushRandom(fengari: Fengari, L: LuaState, random: RedisRandom): number {
  const { lua, lauxlib } = fengari;
  const r = random.fraction();
  const args = lua.lua_gettop(L);
  if (args === 0) {
    lua.lua_pushnumber(L, r);
    return 1;
  }
  if (args > 2) return lauxlib.luaL_error(L, 'wrong number of arguments');
  const low = args === 2 ? Math.trunc(lauxlib.luaL_checknumber(L, 1)) : 1;
  const high = Math.trunc(lauxlib.luaL_checknumber(L, args));
  if (low > high) return lauxlib.luaL_argerror(L, args, 'interval is empty');
  lua.lua_pushnumber(L, Math.floor(r * (high - low + 1)) + low);
  return 1;
}

/** Refuses a runtime whose numbers would not print and add up as in Redis's Lua. */
function checkNumberPrinting(runtime: LuaRuntime): void {
  const { fengari, L } = runtime;
  const { lua } = fengari;
  const probe = Buffer.from('return (2147483647 + 1) .. " " .. 7 / 2 .. " " .. 10 / 2');
  const message = compileChunk(runtime, probe);
  if (message !== undefined || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`Lua self-check failed: ${message ?? errorText(fengari, L)}`);
  }
  const text = errorText(fengari, L);
  lua.lua_pop(L, 1);
  if (text !== '2147483648 3.5 5') {
    throw new Error(
      `Lua numbers do not behave as Redis's (got '${text}'): fengari was loaded before ` +
        'loadFengari could configure it',
    );
  }
}
