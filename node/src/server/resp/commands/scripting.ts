import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { NO_KEYS } from '../command-spec.ts';
import type { CommandFlag, CommandHandler, CommandSpec, KeyRange } from '../command-spec.ts';
import { ERRORS } from '../errors.ts';
import type { ScriptCall } from '../scripting/script-engine.ts';
import type { Session } from '../session.ts';

/**
 * EVAL, EVALSHA, their read-only forms and SCRIPT: Redis 7.0's scripting, on the server's
 * ScriptEngine (scripting/script-engine.ts). The keys a script declares (`numkeys` of them after
 * the body) are its key positions for a cluster node's router and the gateway, so that a script
 * runs where its keys live; keys it did not declare must be local too.
 */
const EVAL_FLAGS: readonly CommandFlag[] = [
  'noscript',
  'stale',
  'skip_monitor',
  'no_mandatory_keys',
  'movablekeys',
];

/** Where a script's keys are: arguments 3 … 2 + numkeys; none when numkeys is not valid. */
export function scriptKeys(args: CommandArgs): KeyRange {
  const numkeys = args.count >= 3 ? args.integer(2) : Number.NaN;
  if (!Number.isSafeInteger(numkeys) || numkeys <= 0 || numkeys > args.count - 3) {
    return { first: 0, last: -1 };
  }
  return { first: 3, last: 2 + numkeys };
}

/** KEYS and ARGV of a call, or the error reply when numkeys is not right. */
function scriptCall(args: CommandArgs, readOnly: boolean): ScriptCall | string {
  const numkeys = args.integer(2);
  if (!Number.isSafeInteger(numkeys)) return ERRORS.NOT_INTEGER;
  if (numkeys < 0) return "ERR Number of keys can't be negative";
  if (numkeys > args.count - 3) return "ERR Number of keys can't be greater than number of args";
  const keys: Buffer[] = [];
  const argv: Buffer[] = [];
  for (let i = 3; i < args.count; i++) (i < 3 + numkeys ? keys : argv).push(args.copy(i));
  return { keys, argv, readOnly };
}

function evalHandler(readOnly: boolean, bySha: boolean) {
  return (session: Session, args: CommandArgs, out: ReplyWriter): void => {
    const call = scriptCall(args, readOnly);
    if (typeof call === 'string') return out.error(call);
    const scripts = session.server.scripts;
    if (bySha) scripts.evalSha(session, args.latin1(1), call, out);
    else scripts.eval(session, args.copy(1), call, out);
  };
}

function evalSpec(
  name: string,
  summary: string,
  since: string,
  readOnly: boolean,
  bySha: boolean,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: readOnly ? ['readonly', ...EVAL_FLAGS] : EVAL_FLAGS,
    ...NO_KEYS,
    movableKeys: scriptKeys,
    group: 'scripting',
    summary,
    since,
    handler: evalHandler(readOnly, bySha),
  };
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
];

const SCRIPT_FLAGS: readonly CommandFlag[] = ['noscript'];

function scriptSubcommand(
  name: string,
  arity: number,
  summary: string,
  handler: CommandHandler,
): CommandSpec {
  return {
    name,
    arity,
    flags: SCRIPT_FLAGS,
    ...NO_KEYS,
    group: 'scripting',
    summary,
    since: '2.6.0',
    handler,
  };
}

export const SCRIPTING_COMMANDS: readonly CommandSpec[] = [
  evalSpec('eval', 'Executes a server-side Lua script.', '2.6.0', false, false),
  evalSpec('evalsha', 'Executes a server-side Lua script by SHA1 digest.', '2.6.0', false, true),
  evalSpec('eval_ro', 'Executes a read-only server-side Lua script.', '7.0.0', true, false),
  evalSpec(
    'evalsha_ro',
    'Executes a read-only server-side Lua script by SHA1 digest.',
    '7.0.0',
    true,
    true,
  ),
  {
    name: 'script',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    group: 'scripting',
    summary: 'A container for Lua scripts management commands.',
    since: '2.6.0',
    subcommands: [
      scriptSubcommand(
        'load',
        3,
        'Loads a server-side Lua script to the script cache.',
        (session, args, out) => {
          const loaded = session.server.scripts.load(args.copy(2));
          if ('error' in loaded) out.error(loaded.error);
          else out.bulkLatin1(loaded.sha);
        },
      ),
      scriptSubcommand(
        'exists',
        -3,
        'Determines whether server-side Lua scripts exist in the script cache.',
        (session, args, out) => {
          out.arrayHeader(args.count - 2);
          for (let i = 2; i < args.count; i++) {
            out.integer(session.server.scripts.has(args.latin1(i)) ? 1 : 0);
          }
        },
      ),
      scriptSubcommand(
        'flush',
        -2,
        'Removes all server-side Lua scripts from the script cache.',
        (session, args, out) => {
          if (args.count > 3 || (args.count === 3 && !args.is(2, 'sync') && !args.is(2, 'async'))) {
            return out.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
          }
          session.server.scripts.flush();
          out.ok();
        },
      ),
      // A script runs on the server's only thread: none is ever running when KILL is read.
      // Scripts that run too long are stopped by the engine's time limit instead.
      scriptSubcommand(
        'kill',
        2,
        'Terminates a server-side Lua script during execution.',
        (_s, _a, out) => out.error('NOTBUSY No scripts in execution right now.'),
      ),
      scriptSubcommand(
        'debug',
        3,
        'Sets the debug mode of server-side Lua scripts.',
        (_s, args, out) => {
          if (args.is(2, 'no')) return out.ok();
          if (args.is(2, 'yes') || args.is(2, 'sync')) {
            return out.error(
              'ERR the Lua debugger (SCRIPT DEBUG YES|SYNC) is not available in mlcache',
            );
          }
          out.error(ERRORS.SYNTAX);
        },
      ),
      scriptSubcommand(
        'help',
        2,
        'Returns helpful text about the different subcommands.',
        (_s, _a, out) => {
          out.arrayHeader(SCRIPT_HELP.length);
          for (const line of SCRIPT_HELP) out.simple(line);
        },
      ),
    ],
  },
];
