import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import type { Session } from './session.ts';

/**
 * Command flags, named as Redis's COMMAND reply names them. The dispatcher acts on `write`
 * (durability, MISCONF) and `noauth`; the rest is metadata for COMMAND and for clients.
 */
export type CommandFlag =
  'write' | 'readonly' | 'denyoom' | 'admin' | 'fast' | 'noauth' | 'loading' | 'stale' | 'noscript';

/** Redis's command groups, for COMMAND DOCS. */
export type CommandGroup =
  'string' | 'bitmap' | 'hyperloglog' | 'generic' | 'connection' | 'server' | 'transactions';

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

/** Key positions for commands without keys. */
export const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
/** Key positions for commands whose only key is the first argument. */
export const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;
/** Key positions for commands whose every argument is a key. */
export const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const;
/** Key positions for subcommands whose key is the argument after their name (OBJECT FREQ key). */
export const SECOND_KEY = { firstKey: 2, lastKey: 2, step: 1 } as const;
