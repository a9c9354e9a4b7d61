import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import type { Session } from './session.ts';

/**
 * Command flags, named as Redis's COMMAND reply names them. The dispatcher acts on `write`
 * (durability, MISCONF), `noauth` and `skip_slowlog`; the rest is metadata for COMMAND and for
 * clients.
 */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'fast'
  | 'noauth'
  | 'loading'
  | 'stale'
  | 'noscript'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'no_mandatory_keys'
  | 'movablekeys'
  | 'pubsub';

/** Redis's command groups, for COMMAND DOCS. */
export type CommandGroup =
  | 'string'
  | 'bitmap'
  | 'hyperloglog'
  | 'generic'
  | 'connection'
  | 'server'
  | 'transactions'
  | 'scripting'
  | 'pubsub';

/**
 * Runs a command whose name and arity were already checked, writing exactly one reply. Expected
 * failures are error replies (`out.error`), never exceptions.
 */
export type CommandHandler = (session: Session, args: CommandArgs, out: ReplyWriter) => void;

/**
 * One command as data (dragonfly's CommandId, garnet's RespCommand table): the dispatcher reads
 * the name, arity and flags; COMMAND reports them; the handler does the work.
 */
export interface CommandSpec {
  /** Lowercase name; for a subcommand, the word after its container (`get` in CONFIG GET). */
  readonly name: string;
  /**
   * Redis's convention: N means exactly N arguments counting the name; -N means at least N. For
   * a subcommand the container's name counts too (CONFIG GET pattern is 3).
   */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** Position of the first key argument, 0 when there is none. */
  readonly firstKey: number;
  /** Position of the last key argument; -1 means the last argument. */
  readonly lastKey: number;
  /** Distance between key arguments (2 for MSET's key value pairs). */
  readonly step: number;
  /**
   * For a command whose keys move with its arguments (EVAL's come after its `numkeys`), where
   * they are in one call; `firstKey` is then 0. Read through `keyRangeOf`.
   */
  readonly movableKeys?: (args: CommandArgs) => KeyRange;
  readonly group: CommandGroup;
  /** One line for COMMAND DOCS. */
  readonly summary: string;
  /** Redis version that introduced the command, for COMMAND DOCS. */
  readonly since: string;
  /** Absent for a container that only dispatches to its subcommands. */
  readonly handler?: CommandHandler;
  /** CONFIG GET, CLIENT ID, COMMAND COUNT...: looked up by the second argument. */
  readonly subcommands?: readonly CommandSpec[];
}

/** The key arguments of one call: first … last (inclusive) every step; none when last < first. */
export interface KeyRange {
  readonly first: number;
  readonly last: number;
  readonly step?: number;
}

/**
 * Where the keys of this call are, fixed or movable, `last` resolved against the argument count.
 * No keys: `first` 0 and `last` -1.
 */
export function keyRangeOf(spec: CommandSpec, args: CommandArgs): Required<KeyRange> {
  if (spec.movableKeys !== undefined) {
    const range = spec.movableKeys(args);
    return { first: range.first, last: range.last, step: range.step ?? 1 };
  }
  if (spec.firstKey === 0) return { first: 0, last: -1, step: 1 };
  const last =
    spec.lastKey < 0 ? args.count + spec.lastKey : Math.min(spec.lastKey, args.count - 1);
  return { first: spec.firstKey, last, step: Math.max(1, spec.step) };
}

/** Key positions for commands without keys. */
export const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
/** Key positions for commands whose only key is the first argument. */
export const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;
/** Key positions for commands whose every argument is a key. */
export const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const;
/** Key positions for subcommands whose key is the argument after their name (OBJECT FREQ key). */
export const SECOND_KEY = { firstKey: 2, lastKey: 2, step: 1 } as const;
