import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandHandler, CommandSpec } from './command-spec.ts';

/**
 * A command ready for dispatch: its spec, the flags the dispatcher tests as booleans, and its
 * call counters (plain numbers, read by CommandStats).
 */
export class CommandEntry {
  readonly spec: CommandSpec;
  /** `get`, or `config|get` for a subcommand (Redis's fullname, used in errors and stats). */
  readonly fullName: string;
  readonly arity: number;
  readonly write: boolean;
  /** Flagged `readonly`: a tracking client's keys of it are remembered (CLIENT TRACKING). */
  readonly readOnly: boolean;
  readonly noauth: boolean;
  /** EXEC: the slow log records the commands it ran, not EXEC itself. */
  readonly skipSlowlog: boolean;
  readonly handler: CommandHandler | undefined;
  readonly subcommands: ReadonlyMap<string, CommandEntry> | undefined;
  readonly container: CommandEntry | undefined;
  /** Calls that ran (refused ones are not calls, as in Redis's commandstats). */
  calls = 0;
  /** Calls that ran and replied with an error (Redis's failed_calls). */
  errors = 0;
  /**
   * Refused before running (Redis's rejected_calls): wrong arity, NOAUTH, MISCONF, a key owned
   * elsewhere, an error while queuing in MULTI.
   */
  rejected = 0;
  /** Microseconds spent running it (INFO commandstats usec): its share of each timed batch. */
  usec = 0;

  constructor(spec: CommandSpec, container?: CommandEntry) {
    this.spec = spec;
    this.container = container;
    this.fullName = container ? `${container.fullName}|${spec.name}` : spec.name;
    this.arity = spec.arity;
    this.write = spec.flags.includes('write');
    this.readOnly = spec.flags.includes('readonly');
    this.noauth = spec.flags.includes('noauth');
    this.skipSlowlog = spec.flags.includes('skip_slowlog');
    this.handler = spec.handler;
    this.subcommands = spec.subcommands
      ? new Map(spec.subcommands.map((sub) => [sub.name, new CommandEntry(sub, this)]))
      : undefined;
  }

  /** True when `count` arguments satisfy the arity. */
  acceptsArgCount(count: number): boolean {
    const arity = this.arity;
    return arity >= 0 ? count === arity : count >= -arity;
  }
}

/**
 * The command table, indexed for dispatch without allocating: the name's bytes are hashed
 * (FNV-1a over ASCII-lowercased bytes) straight from the request buffer, the hash picks the
 * entry, and a byte comparison confirms it. Building the registry refuses duplicate names and
 * hash collisions, so one comparison always decides.
 */
export class CommandRegistry {
  readonly #byHash = new Map<number, CommandEntry>();
  readonly #byName = new Map<string, CommandEntry>();

  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      if (spec.name !== spec.name.toLowerCase() || !/^[a-z][a-z0-9_-]*$/.test(spec.name)) {
        throw new TypeError(`command name '${spec.name}' must be lowercase ASCII`);
      }
      if (this.#byName.has(spec.name)) throw new TypeError(`duplicate command '${spec.name}'`);
      const hash = hashName(Buffer.from(spec.name, 'latin1'), 0, spec.name.length);
      const clash = this.#byHash.get(hash);
      if (clash) throw new TypeError(`commands '${clash.spec.name}' and '${spec.name}' hash alike`);
      const entry = new CommandEntry(spec);
      this.#byHash.set(hash, entry);
      this.#byName.set(spec.name, entry);
    }
  }

  /** The command named by argument 0, or undefined. */
  lookup(args: CommandArgs): CommandEntry | undefined {
    const bytes = args.buffer;
    const start = args.starts[0] as number;
    const end = args.ends[0] as number;
    const entry = this.#byHash.get(hashName(bytes, start, end));
    if (entry === undefined) return undefined;
    const name = entry.spec.name;
    if (name.length !== end - start) return undefined;
    for (let i = 0; i < name.length; i++) {
      if (lowerAscii(bytes[start + i] as number) !== name.charCodeAt(i)) return undefined;
    }
    return entry;
  }

  /** A command by its lowercase name (COMMAND INFO), or a subcommand by `container|sub`. */
  find(name: string): CommandEntry | undefined {
    const [top, sub] = name.toLowerCase().split('|', 2);
    const entry = this.#byName.get(top ?? '');
    if (sub === undefined) return entry;
    return entry?.subcommands?.get(sub);
  }

  /** Every command, subcommands after their container. */
  *entries(): IterableIterator<CommandEntry> {
    for (const entry of this.#byName.values()) {
      yield entry;
      if (entry.subcommands) yield* entry.subcommands.values();
    }
  }

  /** The top-level commands. */
  commands(): IterableIterator<CommandEntry> {
    return this.#byName.values();
  }

  get size(): number {
    return this.#byName.size;
  }
}

function lowerAscii(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

function hashName(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++)
    hash = Math.imul(hash ^ lowerAscii(bytes[i] as number), 0x01000193);
  // Kept within V8's small-integer range so that Map lookups hash it without boxing.
  return hash & 0x3fffffff;
}
