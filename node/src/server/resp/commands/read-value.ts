import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { KEY_MISS } from '../../../config/keyspace-events.ts';
import { Store } from '../../../core/store.ts';
import type { Session } from '../session.ts';

/** A value as a byte range of a buffer that is read at once and not kept. */
export interface ValueView {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * The value of the key at argument `at`, read as GET reads it (a hit or a miss for the policy, and
 * a miss raises `keymiss` as Redis's lookupKeyRead does, unless `write`: a write's lookup raises
 * none): straight from the store's arena when it has one (valid until the next call into the
 * store), else a copy. Undefined when absent.
 */
export function readValue(
  session: Session,
  args: CommandArgs,
  at = 1,
  write = false,
): ValueView | undefined {
  const store = session.store;
  if (store instanceof Store) {
    const page = store.getView(args.buffer, args.starts[at] as number, args.ends[at] as number);
    if (page !== undefined) return { bytes: page, start: store.viewStart, end: store.viewEnd };
  } else {
    const value = store.get(args.latin1(at));
    if (value !== undefined) return { bytes: value, start: 0, end: value.length };
  }
  if (!write) keyMissAt(session, args, at);
  return undefined;
}

/**
 * `keymiss` for the key at argument `at`, whose string is built only when the event goes
 * somewhere (GET's and MGET's fast paths read keys without one).
 */
export function keyMissAt(session: Session, args: CommandArgs, at: number): void {
  const events = session.server.keyspaceEvents;
  if (events.wants(KEY_MISS)) events.keyMiss(args.latin1(at));
}

/** The value of `key` (a copy), read as GET reads it, a miss raising `keymiss`. */
export function readKey(session: Session, key: string): Buffer | undefined {
  const value = session.store.get(key);
  if (value === undefined) session.server.keyspaceEvents.keyMiss(key);
  return value;
}
