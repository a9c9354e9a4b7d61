import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from './command-registry.ts';
import type { Session } from './session.ts';

/**
 * MULTI … EXEC: the commands queued since MULTI (each with a copy of its arguments: the decoder
 * reuses its own), and whether one was refused while queuing, which makes EXEC answer EXECABORT.
 */
export class Transaction {
  readonly entries: CommandEntry[] = [];
  readonly args: CommandArgs[] = [];
  dirty = false;
  /** The bytes of the arguments queued. */
  bytes = 0;

  queue(entry: CommandEntry, args: CommandArgs): void {
    this.entries.push(entry);
    this.args.push(args);
    this.bytes += queuedBytes(args);
  }

  /** Gives up what was queued (too much of it): EXEC will answer EXECABORT. */
  drop(): void {
    this.entries.length = 0;
    this.args.length = 0;
    this.bytes = 0;
    this.dirty = true;
  }
}

/** What one queued command holds: its arguments' bytes, and a little for each. */
export function queuedBytes(args: CommandArgs): number {
  let bytes = 0;
  for (let i = 0; i < args.count; i++) bytes += args.length(i) + 16;
  return bytes;
}

/** The error for a transaction that queued more than `limit` bytes. */
export function transactionTooLarge(limit: number): string {
  return `ERR transaction discarded: its queued commands exceed ${limit} bytes`;
}

/**
 * WATCH: which sessions watch which keys, one per server. A write command to a watched key (as
 * its key positions name it, whether or not it changed the value: a spurious abort only makes
 * the client retry) or a flush breaks the watch of every session watching it; EXEC then answers
 * a null array and runs nothing. What no command does (an expiry, an eviction, a key moved in
 * by a shard migration) is caught at EXEC by comparing whether each key exists with what WATCH
 * saw.
 */
export class WatchRegistry {
  readonly #watchers = new Map<string, Set<Session>>();

  /** True while some session watches a key: only then do writes look their keys up. */
  get active(): boolean {
    return this.#watchers.size > 0;
  }

  watch(session: Session, key: string, exists: boolean): void {
    const watched = (session.watched ??= new Map<string, boolean>());
    if (watched.has(key)) return;
    watched.set(key, exists);
    let sessions = this.#watchers.get(key);
    if (sessions === undefined) this.#watchers.set(key, (sessions = new Set()));
    sessions.add(session);
  }

  /** Forgets the session's watches (UNWATCH, EXEC, DISCARD, a closed connection). */
  unwatch(session: Session): void {
    const watched = session.watched;
    if (watched === undefined) return;
    for (const key of watched.keys()) {
      const sessions = this.#watchers.get(key);
      sessions?.delete(session);
      if (sessions?.size === 0) this.#watchers.delete(key);
    }
    session.watched = undefined;
    session.watchBroken = false;
  }

  /** The keys a successful write command names (FLUSHALL and FLUSHDB: every key) were touched. */
  touchCommand(entry: CommandEntry, args: CommandArgs): void {
    const spec = entry.spec;
    if (spec.name === 'flushall' || spec.name === 'flushdb') {
      for (const sessions of this.#watchers.values()) breakAll(sessions);
      return;
    }
    if (spec.firstKey === 0) return;
    const last = spec.lastKey < 0 ? args.count + spec.lastKey : spec.lastKey;
    for (let i = spec.firstKey; i <= last && i < args.count; i += spec.step) {
      const sessions = this.#watchers.get(args.latin1(i));
      if (sessions !== undefined) breakAll(sessions);
    }
  }
}

function breakAll(sessions: Set<Session>): void {
  for (const session of sessions) session.watchBroken = true;
}

/** Whether EXEC must abort: a watched key was written, or exists where it did not (or the reverse). */
export function watchBroken(session: Session): boolean {
  if (session.watchBroken) return true;
  const watched = session.watched;
  if (watched === undefined) return false;
  for (const [key, existed] of watched) if (session.store.has(key) !== existed) return true;
  return false;
}

/** The commands that run at once between MULTI and EXEC instead of being queued (Redis's list). */
export const TRANSACTION_CONTROL: ReadonlySet<string> = new Set([
  'multi',
  'exec',
  'discard',
  'watch',
  'quit',
  'reset',
]);

/** Ends the session's transaction and its watches (EXEC, DISCARD, a failed EXEC). */
export function endTransaction(session: Session): void {
  session.transaction = undefined;
  session.server.watches.unwatch(session);
}
