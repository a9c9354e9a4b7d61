import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { Store } from '../../../core/store.ts';
import type { NumberResult } from '../../../core/store-types.ts';
import { GENERIC, NEW_KEY, STRING } from '../../../config/keyspace-events.ts';
import { ALL_KEYS, ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError, wrongArity } from '../errors.ts';
import type { Session } from '../session.ts';
import { keyMissAt, readKey, readValue } from './read-value.ts';
import { parseStringOptions } from './expire-options.ts';
import { setWritten } from './write-events.ts';

/** Key positions of MSET and MSETNX: key value key value ... */
const KEY_VALUE_PAIRS = { firstKey: 1, lastKey: -1, step: 2 } as const;

/** The string family: GET, SET and friends, MSET and MSETNX, the INCR family, APPEND, STRLEN. */
export const STRING_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary: 'Returns the string value of a key.',
    since: '1.0.0',
    handler: (session, args, out) => {
      const store = session.store;
      if (store instanceof Store) {
        // The fast path: the key is looked up from the request bytes and the value copied from
        // the store's arena into the reply, with no key string and no value Buffer.
        const page = store.getView(args.buffer, args.starts[1] as number, args.ends[1] as number);
        if (page !== undefined) return out.bulk(page, store.viewStart, store.viewEnd);
        keyMissAt(session, args, 1);
        return out.nullBulk();
      }
      const value = store.get(args.latin1(1));
      if (value !== undefined) return out.bulk(value);
      keyMissAt(session, args, 1);
      out.nullBulk();
    },
  },
  {
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'string',
    summary:
      'Sets the string value of a key, ignoring its type. The key is created if it does not exist.',
    since: '1.0.0',
    handler: set,
  },
  {
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary: 'Returns the string value of a key after deleting the key.',
    since: '6.2.0',
    handler: (session, args, out) => {
      const key = args.latin1(1);
      const value = readKey(session, key);
      if (value === undefined) return out.nullBulk();
      session.store.delete(key);
      session.server.keyspaceEvents.notify(GENERIC, 'del', key);
      out.bulk(value);
    },
  },
  {
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary: 'Returns the string value of a key after setting its expiration time.',
    since: '6.2.0',
    handler: getex,
  },
  {
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    ...ALL_KEYS,
    group: 'string',
    summary: 'Atomically returns the string values of one or more keys.',
    since: '1.0.0',
    handler: (session, args, out) => {
      const store = session.store;
      out.arrayHeader(args.count - 1);
      if (store instanceof Store) {
        for (let i = 1; i < args.count; i++) {
          const page = store.getView(args.buffer, args.starts[i] as number, args.ends[i] as number);
          if (page !== undefined) {
            out.bulk(page, store.viewStart, store.viewEnd);
          } else {
            keyMissAt(session, args, i);
            out.nullBulk();
          }
        }
        return;
      }
      for (let i = 1; i < args.count; i++) {
        const value = store.get(args.latin1(i));
        if (value !== undefined) {
          out.bulk(value);
        } else {
          keyMissAt(session, args, i);
          out.nullBulk();
        }
      }
    },
  },
  {
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    ...KEY_VALUE_PAIRS,
    group: 'string',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    since: '1.0.1',
    handler: mset,
  },
  {
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    ...KEY_VALUE_PAIRS,
    group: 'string',
    summary:
      "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    since: '1.0.1',
    handler: msetnx,
  },
  counter(
    'incr',
    2,
    'Increments the integer value of a key by one. Uses 0 as initial value if the key does not exist.',
    () => 1n,
  ),
  counter(
    'decr',
    2,
    'Decrements the integer value of a key by one. Uses 0 as initial value if the key does not exist.',
    () => -1n,
  ),
  counter(
    'incrby',
    3,
    'Increments the integer value of a key by a number. Uses 0 as initial value if the key does not exist.',
    (args) => args.bigInteger(2) ?? ERRORS.NOT_INTEGER,
  ),
  counter(
    'decrby',
    3,
    'Decrements a number from the integer value of a key. Uses 0 as initial value if the key does not exist.',
    (args) => {
      const delta = args.bigInteger(2);
      if (delta === undefined) return ERRORS.NOT_INTEGER;
      // -LLONG_MIN does not exist; Redis refuses it before trying.
      return delta === -9223372036854775808n ? ERRORS.DECREMENT_OVERFLOW : -delta;
    },
  ),
  {
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'string',
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
    since: '2.0.0',
    handler: (session, args, out) => {
      if (args.length(2) > session.server.settings.maxValueSize) return out.error(ERRORS.TOO_LARGE);
      const key = args.latin1(1);
      const events = session.server.keyspaceEvents;
      const created = events.creates(session.store, key);
      const result = session.store.append(key, args.copy(2));
      if (result.status === 'OK') events.written(STRING, 'append', key, created);
      replyNumber(out, result);
    },
  },
  {
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary: 'Returns the length of a string value.',
    since: '2.2.0',
    handler: (session, args, out) => {
      // A read as Redis counts it, and without copying the value just to measure it.
      const value = readValue(session, args);
      out.integer(value === undefined ? 0 : value.end - value.start);
    },
  },
];

function set(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const store = session.store;
  if (args.length(2) > session.server.settings.maxValueSize) return out.error(ERRORS.TOO_LARGE);
  // The common case, without an options object, while it raises no keyspace event. The Store
  // copies key and value straight from the request bytes (no key string, no value Buffer).
  if (args.count === 3 && !session.server.keyspaceEvents.wants(STRING | NEW_KEY)) {
    if (store instanceof Store) {
      const status = store.setFrom(
        args.buffer,
        args.starts[1] as number,
        args.ends[1] as number,
        args.buffer,
        args.starts[2] as number,
        args.ends[2] as number,
      );
      if (status === 'OK') return out.ok();
      return out.error(statusError(status));
    }
    const result = store.set(args.latin1(1), args.copy(2));
    if (result.status === 'OK') return out.ok();
    return out.error(statusError(result.status));
  }
  const options = parseStringOptions(args, 3, 'set', session.server.clock.now());
  if (typeof options === 'string') return out.error(options);
  const key = args.latin1(1);
  const result = store.set(key, args.copy(2), {
    expireAt: options.expireAt,
    keepTtl: options.keepTtl,
    ifAbsent: options.ifAbsent,
    ifPresent: options.ifPresent,
  });
  if (result.status !== 'OK' && result.status !== 'NOT_APPLIED')
    return out.error(statusError(result.status));
  // GET's read comes first in Redis: its miss, then the write's events.
  if (options.get && result.previous === undefined) session.server.keyspaceEvents.keyMiss(key);
  if (result.status === 'OK') {
    setWritten(session, key, result.previous === undefined, options.keepTtl ? 0 : options.expireAt);
  }
  if (options.get) {
    if (result.previous === undefined) out.nullBulk();
    else out.bulk(result.previous);
  } else if (result.status === 'OK') {
    out.ok();
  } else {
    out.nullBulk();
  }
}

function getex(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const store = session.store;
  const now = session.server.clock.now();
  const options = parseStringOptions(args, 2, 'getex', now);
  if (typeof options === 'string') return out.error(options);
  const key = args.latin1(1);
  const value = readKey(session, key);
  if (value === undefined) return out.nullBulk();
  const events = session.server.keyspaceEvents;
  if (options.expireAt !== 0) {
    // A time already past deletes the key, as Redis does; the value is still returned.
    if (options.expireAt <= now) {
      store.delete(key);
      events.notify(GENERIC, 'del', key);
    } else {
      store.setExpireAt(key, options.expireAt);
      events.notify(GENERIC, 'expire', key);
    }
  } else if (options.persist && store.expireAtOf(key) > 0) {
    store.setExpireAt(key, 0);
    events.notify(GENERIC, 'persist', key);
  }
  out.bulk(value);
}

function mset(session: Session, args: CommandArgs, out: ReplyWriter): void {
  if (setPairs(session, args, out, 'mset', false)) out.ok();
}

/** MSETNX: 1 when no key existed and all were set, 0 (nothing set) when one existed. */
function msetnx(session: Session, args: CommandArgs, out: ReplyWriter): void {
  if (setPairs(session, args, out, 'msetnx', true)) out.integer(1);
}

/**
 * MSET's and MSETNX's key value pairs, set; false when it replied instead (wrong arity, a value
 * too large, an OOM, or with `ifNoneExists` a key that exists: 0). The sizes are checked for every
 * pair first, so that a value too large refuses the whole command. Not atomic under memory
 * pressure: if the store runs out of memory half-way, the pairs before stay set and the command
 * answers OOM.
 */
function setPairs(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
  name: string,
  ifNoneExists: boolean,
): boolean {
  if (args.count % 2 === 0) return fail(out, wrongArity(name));
  const maxValueSize = session.server.settings.maxValueSize;
  for (let i = 2; i < args.count; i += 2) {
    if (args.length(i) > maxValueSize) return fail(out, ERRORS.TOO_LARGE);
  }
  const store = session.store;
  for (let i = 1; ifNoneExists && i < args.count; i += 2) {
    if (store.has(args.latin1(i))) {
      out.integer(0);
      return false;
    }
  }
  for (let i = 1; i < args.count; i += 2) {
    const key = args.latin1(i);
    const result = store.set(key, args.copy(i + 1));
    if (result.status !== 'OK') return fail(out, statusError(result.status));
    setWritten(session, key, result.previous === undefined);
  }
  return true;
}

function fail(out: ReplyWriter, error: string): false {
  out.error(error);
  return false;
}

/** INCR, DECR, INCRBY, DECRBY: `delta` reads the increment or returns the error text. */
function counter(
  name: string,
  arity: number,
  summary: string,
  delta: (args: CommandArgs) => bigint | string,
): CommandSpec {
  return {
    name,
    arity,
    flags: ['write', 'denyoom', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary,
    since: '1.0.0',
    handler: (session, args, out) => {
      const by = delta(args);
      if (typeof by === 'string') return out.error(by);
      const key = args.latin1(1);
      const events = session.server.keyspaceEvents;
      const created = events.creates(session.store, key);
      const result = session.store.incrBy(key, by);
      if (result.status === 'OK') events.written(STRING, 'incrby', key, created);
      replyNumber(out, result);
    },
  };
}

function replyNumber(out: ReplyWriter, result: NumberResult): void {
  if (result.status === 'OK') out.integer(result.value);
  else out.error(statusError(result.status));
}
