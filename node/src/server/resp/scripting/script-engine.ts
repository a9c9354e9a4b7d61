import { hash } from 'node:crypto';
import type { LuaState } from 'fengari';
import { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import type { Clock } from '../../../util/clock.ts';
import type { CommandEntry } from '../command-registry.ts';
import { ERRORS } from '../errors.ts';
import type { Session } from '../session.ts';
import { formatG } from './format-g.ts';
import { openBit } from './lua-bit.ts';
import { openCjson } from './lua-cjson.ts';
import { RedisRandom } from './lua-random.ts';
import { pushReply, writeLuaValue } from './lua-reply.ts';
import { compileChunk, createLuaRuntime, errorText } from './lua-runtime.ts';
import type { Fengari, LuaRuntime } from './lua-runtime.ts';
import { parseShebang } from './shebang.ts';
import { rememberReadKeys } from '../tracking/read-keys.ts';

/** Redis's wording for what a script may not do through redis.call. */
export const SCRIPT_ERRORS = {
  NO_ARGUMENTS: 'ERR Please specify at least one argument for this redis lib call',
  BAD_ARGUMENT: 'ERR Lua redis lib command arguments must be strings or integers',
  UNKNOWN_COMMAND: 'ERR Unknown Redis command called from script',
  WRONG_ARITY: 'ERR Wrong number of args calling Redis command from script',
  NOT_ALLOWED: 'ERR This Redis command is not allowed from script',
  READ_ONLY: 'ERR Write commands are not allowed from read-only scripts.',
  NOT_LOCAL: 'ERR Script attempted to access a non local key in a cluster node',
  NOSCRIPT: 'NOSCRIPT No matching script. Please use EVAL.',
} as const;

/** Scripts that EVAL cached (not SCRIPT LOAD) beyond this are forgotten oldest first (Redis 7.4). */
const MAX_EVAL_SCRIPTS = 500;
/** VM instructions between two looks at the clock while a script runs. */
const HOOK_INSTRUCTIONS = 10_000;

export interface ScriptEngineOptions {
  readonly clock: Clock;
  /**
   * A script still running after this many ms is stopped with an error. Redis lets a busy script
   * run and answers other clients BUSY; a node has one thread, so nothing else would be served
   * until it ends. Its writes so far stay, as after any script error. 0: no limit.
   */
  readonly timeLimitMs: number;
  /** redis.REDIS_VERSION: the version the server reports (INFO's redis_version). */
  readonly redisVersion: string;
}

/** One call of a script: whose it is, what it may do, what it did. */
interface ScriptRun {
  readonly session: Session;
  readonly sha: string;
  readonly readOnly: boolean;
  readonly deadline: number;
  /** redis.setresp(3): command replies reach the script, and its booleans leave it, as RESP3. */
  resp3: boolean;
  timedOut: boolean;
}

/** What EVAL and its kin ask of the engine. */
export interface ScriptCall {
  readonly keys: readonly Buffer[];
  readonly argv: readonly Buffer[];
  /** EVAL_RO and EVALSHA_RO: write commands are refused. */
  readonly readOnly: boolean;
}

interface CachedScript {
  readonly ref: number;
  readonly readOnly: boolean;
  /** Added by EVAL rather than SCRIPT LOAD: may be forgotten to bound the cache. */
  readonly byEval: boolean;
  /** Its body's length. */
  readonly bytes: number;
}

/**
 * Redis's EVAL: a Lua state per server (created at the first script, recreated by SCRIPT FLUSH),
 * the scripts it has compiled by SHA-1, and `redis.call` running commands through the server's
 * own table with a writer of its own. Scripts run whole, with nothing in between, since the
 * server has one thread; the caller's durability wait covers their writes (`Session.wroteInScript`).
 */
export class ScriptEngine {
  readonly #options: ScriptEngineOptions;
  readonly #random = new RedisRandom();
  readonly #writer = new ReplyWriter();
  #runtime: LuaRuntime | undefined;
  readonly #scripts = new Map<string, CachedScript>();
  #run: ScriptRun | undefined;
  readonly #hookFunction = (L: LuaState): void => this.#hook(L);

  constructor(options: ScriptEngineOptions) {
    this.#options = options;
  }

  /** How many scripts are cached (INFO memory: number_of_cached_scripts). */
  get size(): number {
    return this.#scripts.size;
  }

  /** The bytes of the cached scripts' bodies (INFO memory: used_memory_scripts_eval). */
  get bodyBytes(): number {
    let bytes = 0;
    for (const script of this.#scripts.values()) bytes += script.bytes;
    return bytes;
  }

  /** SCRIPT LOAD: compiles and caches the body; its SHA-1, or an error reply's text. */
  load(body: Buffer): { sha: string } | { error: string } {
    const sha = sha1(body);
    const cached = this.#cached(sha, body, false);
    return typeof cached === 'string' ? { error: cached } : { sha };
  }

  /** SCRIPT EXISTS. */
  has(sha: string): boolean {
    return this.#scripts.has(sha.toLowerCase());
  }

  /** SCRIPT FLUSH: every script forgotten, and a fresh Lua state for the next one. */
  flush(): void {
    this.#scripts.clear();
    if (this.#run === undefined) this.#runtime = undefined;
  }

  /** EVAL: runs `body`, caching it, and writes its reply. */
  eval(session: Session, body: Buffer, call: ScriptCall, out: ReplyWriter): void {
    const sha = sha1(body);
    const cached = this.#cached(sha, body, true);
    if (typeof cached === 'string') return out.error(cached);
    this.#execute(session, sha, cached, call, out);
  }

  /** EVALSHA: runs a cached script, or answers NOSCRIPT. */
  evalSha(session: Session, sha: string, call: ScriptCall, out: ReplyWriter): void {
    const key = sha.toLowerCase();
    const cached = this.#scripts.get(key);
    if (cached === undefined) return out.error(SCRIPT_ERRORS.NOSCRIPT);
    this.#execute(session, key, cached, call, out);
  }

  #runtimeOf(): LuaRuntime {
    this.#runtime ??= createLuaRuntime(
      this.#random,
      (fengari, L) => this.#install(fengari, L),
      () => this.#run?.timedOut === true,
    );
    return this.#runtime;
  }

  /** The cached script, compiled now if new; or the error reply's text. */
  #cached(sha: string, body: Buffer, byEval: boolean): CachedScript | string {
    const known = this.#scripts.get(sha);
    if (known !== undefined) return known;
    const shebang = parseShebang(body);
    if ('error' in shebang) return shebang.error;
    const runtime = this.#runtimeOf();
    const { fengari, L } = runtime;
    const message = compileChunk(runtime, shebang.body);
    if (message !== undefined) {
      return `ERR Error compiling script (new function): ${compileErrorAsLua51(message)}`;
    }
    const ref = fengari.lauxlib.luaL_ref(L, fengari.lua.LUA_REGISTRYINDEX);
    const script = { ref, readOnly: shebang.noWrites, byEval, bytes: body.length };
    this.#scripts.set(sha, script);
    if (byEval) this.#forgetOldEvalScripts();
    return script;
  }

  #forgetOldEvalScripts(): void {
    let byEval = 0;
    for (const script of this.#scripts.values()) if (script.byEval) byEval++;
    if (byEval <= MAX_EVAL_SCRIPTS) return;
    for (const [sha, script] of this.#scripts) {
      if (!script.byEval) continue;
      this.#scripts.delete(sha);
      const { fengari, L } = this.#runtimeOf();
      fengari.lauxlib.luaL_unref(L, fengari.lua.LUA_REGISTRYINDEX, script.ref);
      return;
    }
  }

  #execute(
    session: Session,
    sha: string,
    script: CachedScript,
    call: ScriptCall,
    out: ReplyWriter,
  ): void {
    const runtime = this.#runtimeOf();
    const { fengari, L } = runtime;
    const { lua } = fengari;
    const limit = this.#options.timeLimitMs;
    const run: ScriptRun = {
      session,
      sha,
      readOnly: call.readOnly || script.readOnly,
      deadline: limit > 0 ? this.#options.clock.monotonic() + limit : Number.POSITIVE_INFINITY,
      resp3: false,
      timedOut: false,
    };
    lua.lua_settop(L, 0);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, runtime.errorHandlerRef);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, script.ref);
    this.#setArguments(runtime, call);
    this.#run = run;
    if (limit > 0) lua.lua_sethook(L, this.#hookFunction, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    let status: number;
    try {
      status = lua.lua_pcall(L, 0, 1, 1);
    } finally {
      this.#run = undefined;
      if (limit > 0) lua.lua_sethook(L, null, 0, 0);
    }
    if (status === lua.LUA_OK) {
      writeLuaValue(fengari, L, lua.lua_gettop(L), { out, scriptResp3: run.resp3 });
    } else {
      out.error(failureText(fengari, L, sha));
    }
    lua.lua_settop(L, 0);
  }

  /** KEYS and ARGV, fresh tables in the real globals (the scripts' view of them is read-only). */
  #setArguments(runtime: LuaRuntime, call: ScriptCall): void {
    const { fengari, L } = runtime;
    const { lua } = fengari;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, runtime.globalsRef);
    for (const [name, values] of [
      ['KEYS', call.keys],
      ['ARGV', call.argv],
    ] as const) {
      lua.lua_createtable(L, values.length, 0);
      for (let i = 0; i < values.length; i++) {
        lua.lua_pushstring(L, values[i]!);
        lua.lua_rawseti(L, -2, i + 1);
      }
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_pop(L, 1);
  }

  /** Stops a script past its deadline, again at each later look if it caught the first error. */
  #hook(L: LuaState): void {
    const run = this.#run;
    if (run === undefined || this.#options.clock.monotonic() < run.deadline) return;
    run.timedOut = true;
    const { fengari } = this.#runtimeOf();
    raise(
      fengari,
      L,
      `ERR Script ran longer than ${this.#options.timeLimitMs} ms and was stopped (its writes so ` +
        'far stay, as after any script error)',
    );
  }

  /** The `redis` table, and the cjson and bit libraries, before the environment is locked. */
  #install(fengari: Fengari, L: LuaState): void {
    const { lua } = fengari;
    openCjson(fengari, L);
    openBit(fengari, L);
    lua.lua_createtable(L, 0, 24);
    const fn = (name: string, body: (state: LuaState) => number): void => {
      lua.lua_pushjsfunction(L, body);
      lua.lua_setfield(L, -2, name);
    };
    fn('call', (state) => this.#call(fengari, state, true));
    fn('pcall', (state) => this.#call(fengari, state, false));
    fn('sha1hex', (state) => {
      if (lua.lua_gettop(state) !== 1)
        return raise(fengari, state, 'ERR wrong number of arguments');
      const text = lua.lua_tolstring(state, 1) ?? new Uint8Array();
      lua.lua_pushliteral(state, sha1(Buffer.from(text)));
      return 1;
    });
    fn('error_reply', (state) => replyTable(fengari, state, 'err'));
    fn('status_reply', (state) => replyTable(fengari, state, 'ok'));
    fn('setresp', (state) => {
      if (lua.lua_gettop(state) !== 1) {
        return raise(fengari, state, 'ERR redis.setresp() requires one argument.');
      }
      const version = lua.lua_tonumber(state, 1);
      if (version !== 2 && version !== 3)
        return raise(fengari, state, 'ERR RESP version must be 2 or 3.');
      if (this.#run !== undefined) this.#run.resp3 = version === 3;
      return 0;
    });
    fn('log', () => 0);
    // Replication does not exist here: these are accepted and change nothing, as in a replica-less Redis.
    fn('set_repl', () => 0);
    fn('replicate_commands', (state) => {
      lua.lua_pushboolean(state, true);
      return 1;
    });
    fn('breakpoint', (state) => {
      lua.lua_pushboolean(state, false);
      return 1;
    });
    fn('debug', () => 0);
    for (const [name, value] of [
      ['LOG_DEBUG', 0],
      ['LOG_VERBOSE', 1],
      ['LOG_NOTICE', 2],
      ['LOG_WARNING', 3],
      ['REPL_NONE', 0],
      ['REPL_SLAVE', 1],
      ['REPL_REPLICA', 1],
      ['REPL_AOF', 2],
      ['REPL_ALL', 3],
    ] as const) {
      lua.lua_pushnumber(L, value);
      lua.lua_setfield(L, -2, name);
    }
    const version = this.#options.redisVersion;
    const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
    lua.lua_pushliteral(L, version);
    lua.lua_setfield(L, -2, 'REDIS_VERSION');
    lua.lua_pushnumber(L, major * 65536 + minor * 256 + patch);
    lua.lua_setfield(L, -2, 'REDIS_VERSION_NUM');
    lua.lua_setglobal(L, 'redis');
  }

  /** redis.call (`raise`) and redis.pcall: one command through the server's table. */
  #call(fengari: Fengari, L: LuaState, raise: boolean): number {
    const { lua } = fengari;
    const run = this.#run;
    if (run === undefined) return fail(fengari, L, raise, SCRIPT_ERRORS.NOT_ALLOWED);
    const argc = lua.lua_gettop(L);
    if (argc === 0) return fail(fengari, L, raise, SCRIPT_ERRORS.NO_ARGUMENTS);
    const buffers: Buffer[] = [];
    for (let i = 1; i <= argc; i++) {
      const type = lua.lua_type(L, i);
      if (type === lua.LUA_TNUMBER) {
        buffers.push(Buffer.from(formatG(lua.lua_tonumber(L, i), 17), 'latin1'));
      } else if (type === lua.LUA_TSTRING) {
        buffers.push(Buffer.from(lua.lua_tolstring(L, i)!));
      } else {
        return fail(fengari, L, raise, SCRIPT_ERRORS.BAD_ARGUMENT);
      }
    }
    const args = CommandArgs.fromBuffers(buffers);
    const session = run.session;
    const server = session.server;
    const entry = commandOf(server.registry.lookup(args), args);
    if (entry === undefined) return fail(fengari, L, raise, SCRIPT_ERRORS.UNKNOWN_COMMAND);
    if (!entry.acceptsArgCount(args.count) || entry.handler === undefined) {
      return fail(fengari, L, raise, SCRIPT_ERRORS.WRONG_ARITY);
    }
    if (notFromScripts(entry)) return fail(fengari, L, raise, SCRIPT_ERRORS.NOT_ALLOWED);
    if (entry.write) {
      if (run.readOnly) return fail(fengari, L, raise, SCRIPT_ERRORS.READ_ONLY);
      if (session.store.writable === false) {
        return fail(fengari, L, raise, ERRORS.PERSISTENCE_REFUSED);
      }
    }
    const verdict = server.router?.route(entry, args);
    if (verdict !== undefined) {
      // The script's declared keys were routed with EVAL; this key is elsewhere or on its way.
      const text =
        typeof verdict === 'string' && verdict.startsWith('TRYAGAIN') ? verdict : undefined;
      return fail(fengari, L, raise, text ?? SCRIPT_ERRORS.NOT_LOCAL);
    }
    const out = this.#writer;
    out.resp3 = run.resp3;
    const errorsBefore = out.errors;
    entry.calls++;
    try {
      entry.handler(session, args, out);
    } catch (error) {
      out.error(ERRORS.INTERNAL);
      server.logger?.error('command failed', { command: entry.fullName, error });
    }
    // As Redis 7.0: the keys a script reads are the calling client's, when it tracks.
    if (entry.readOnly && session.tracking !== undefined) rememberReadKeys(session, entry, args);
    const failed = out.errors !== errorsBefore;
    if (failed) {
      entry.errors++;
      server.stats.errorReplies++;
    } else if (entry.write) {
      session.wroteInScript = true;
    }
    const reply = out.take() ?? Buffer.alloc(0);
    pushReply(fengari, L, reply, 0);
    if (failed && raise) return lua.lua_error(L);
    return 1;
  }
}

/** The entry a script's command names, its subcommand resolved; undefined when there is none. */
function commandOf(entry: CommandEntry | undefined, args: CommandArgs): CommandEntry | undefined {
  if (entry?.subcommands === undefined || args.count < 2) return entry;
  return entry.subcommands.get(args.lower(1));
}

/** Commands Redis flags `noscript` (transactions, EVAL itself, AUTH, CLIENT...). */
function notFromScripts(entry: CommandEntry): boolean {
  return (
    entry.spec.flags.includes('noscript') ||
    (entry.container?.spec.flags.includes('noscript') ?? false)
  );
}

/** Pushes `{err=text}`; raises it from redis.call, returns it from redis.pcall. */
function fail(fengari: Fengari, L: LuaState, raise: boolean, text: string): number {
  const { lua } = fengari;
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushliteral(L, text);
  lua.lua_setfield(L, -2, 'err');
  if (raise) return lua.lua_error(L);
  return 1;
}

function raise(fengari: Fengari, L: LuaState, text: string): never {
  fail(fengari, L, true, text);
  throw new Error('unreachable: lua_error returned');
}

/**
 * redis.error_reply and redis.status_reply: `{err=text}` or `{ok=text}`. Wrong arguments give an
 * error table back rather than raising, as in Redis.
 */
function replyTable(fengari: Fengari, L: LuaState, field: 'err' | 'ok'): number {
  const { lua } = fengari;
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
    return fail(fengari, L, false, 'ERR wrong number or type of arguments');
  }
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushvalue(L, 1);
  lua.lua_setfield(L, -2, field);
  return 1;
}

/**
 * The reply of a script that failed: Redis's "<error> script: <sha>, on <source>:<line>." from
 * the table its message handler built; a bare value (a handler that itself failed) as ERR text.
 */
function failureText(fengari: Fengari, L: LuaState, sha: string): string {
  const { lua } = fengari;
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return `ERR ${errorText(fengari, L)}`;
  const field = (name: string): string | undefined => {
    const type = lua.lua_getfield(L, -1, name);
    const bytes =
      type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER ? lua.lua_tolstring(L, -1) : null;
    lua.lua_pop(L, 1);
    return bytes === null ? undefined : Buffer.from(bytes).toString('latin1');
  };
  const message = asLua51((field('err') ?? 'ERR unknown error').replace(/[\r\n]/g, ' '));
  const source = field('source');
  const line = field('line');
  if (source === undefined || line === undefined) return `${message} script: ${sha}`;
  return `${message} script: ${sha}, on ${source}:${line}.`;
}

/**
 * Lua 5.3 names the culprit of a runtime error after the error ("attempt to call a nil value
 * (local 'f')"), Lua 5.1 before it ("attempt to call local 'f' (a nil value)"): Redis's wording.
 */
function asLua51(message: string): string {
  return message.replace(
    /attempt to (.+?) an? (\w+) value \((\w+) '([^']*)'\)/,
    "attempt to $1 $3 '$4' (a $2 value)",
  );
}

/**
 * The compiler's message as Lua 5.1 words it: tokens quoted (`near '<eof>'`), an expression
 * that is not a statement "'=' expected", and numerals as the script wrote them (without the
 * `.0` float-numerals.ts added).
 */
function compileErrorAsLua51(message: string): string {
  return message
    .replace(/(?<!')<eof>(?!')/g, "'<eof>'")
    .replace(/: syntax error near /, ": '=' expected near ")
    .replace(/'(\d+|0[xX][\da-fA-F]+)\.0'/g, "'$1'");
}

function sha1(body: Uint8Array): string {
  return hash('sha1', body, 'hex');
}
