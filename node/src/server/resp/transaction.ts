import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from './command-registry.ts';
import type { ChangeSource } from './tracking/change-feed.ts';
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
 * WATCH: which sessions watch which keys, one per server. While some key is watched it hears of
 * every change in the store (CacheStore.observeChanges: a write, a new expiry, a removal of any
 * kind, a flush, whatever command, gRPC call or migration made it), and breaks the watch of every
 * session watching that key; EXEC then answers a null array and runs nothing. With nothing
 * watched the store is not asked to report, so writes build no key strings for it.
 */
export class WatchRegistry {
  readonly #watchers = new Map<string, Set<Session>>();
  readonly #store: ChangeSource;
  readonly #listener = (key: string | undefined): void => {
    if (key === undefined) {
      for (const sessions of this.#watchers.values()) breakAll(sessions);
      return;
    }
    const sessions = this.#watchers.get(key);
    if (sessions !== undefined) breakAll(sessions);
  };

  constructor(store: ChangeSource) {
    this.#store = store;
  }

  watch(session: Session, key: string, exists: boolean): void {
    const watched = (session.watched ??= new Map<string, boolean>());
    if (watched.has(key)) return;
    watched.set(key, exists);
    let sessions = this.#watchers.get(key);
    if (sessions === undefined) {
      if (this.#watchers.size === 0) this.#store.observeChanges(this.#listener);
      this.#watchers.set(key, (sessions = new Set()));
    }
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
    if (this.#watchers.size === 0) this.#store.observeChanges(undefined);
    session.watched = undefined;
    session.watchBroken = false;
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
