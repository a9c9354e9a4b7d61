import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { Store } from '../../../core/store.ts';
import type { Session } from '../session.ts';

/** A value as a byte range of a buffer that is read at once and not kept. */
export interface ValueView {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * The value of the key at argument `at`, read as GET reads it (a hit or a miss for the policy):
 * straight from the store's arena when it has one (valid until the next call into the store),
 * else a copy. Undefined when absent.
 */
export function readValue(session: Session, args: CommandArgs, at = 1): ValueView | undefined {
  const store = session.store;
  if (store instanceof Store) {
    const page = store.getView(args.buffer, args.starts[at] as number, args.ends[at] as number);
    return page === undefined
      ? undefined
      : { bytes: page, start: store.viewStart, end: store.viewEnd };
  }
  const value = store.get(args.latin1(at));
  return value === undefined ? undefined : { bytes: value, start: 0, end: value.length };
}
