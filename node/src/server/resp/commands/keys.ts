import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { GENERIC, NEW_KEY } from '../../../config/keyspace-events.ts';
import { ALL_KEYS, NO_KEYS, ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';
import { globPredicate } from '../glob.ts';
import type { Session } from '../session.ts';
import { readKey } from './read-value.ts';

/** Types SCAN TYPE knows; only `string` exists in this store, the others match nothing. */
const KNOWN_TYPES = new Set(['string', 'list', 'set', 'zset', 'hash', 'stream']);
/** SCAN's default COUNT, as Redis. */
const DEFAULT_SCAN_COUNT = 10;
/** Keys KEYS asks the store for per page of its walk. */
const KEYS_PAGE = 1024;

/** The generic key family: deletion, existence, touch, type, KEYS and SCAN, size and flushing. */
const SAME_OBJECT = 'ERR source and destination objects are the same';
const DB_OUT_OF_RANGE = 'ERR DB index is out of range';

export const KEY_COMMANDS: readonly CommandSpec[] = [
  deleteCommand('del', 'Deletes one or more keys.', '1.0.0'),
  deleteCommand('unlink', 'Asynchronously deletes one or more keys.', '4.0.0'),
  {
    name: 'exists',
    arity: -2,
    flags: ['readonly', 'fast'],
    ...ALL_KEYS,
    group: 'generic',
    summary: 'Determines whether one or more keys exist.',
    since: '1.0.0',
    handler: (session, args, out) => {
      let found = 0;
      for (let i = 1; i < args.count; i++) {
        const key = args.latin1(i);
        if (session.store.has(key)) found++;
        else session.server.keyspaceEvents.keyMiss(key);
      }
      out.integer(found);
    },
  },
  {
    name: 'touch',
    arity: -2,
    flags: ['readonly', 'fast'],
    ...ALL_KEYS,
    group: 'generic',
    summary:
      'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
    since: '3.2.1',
    handler: (session, args, out) => {
      // A read of each key, as Redis's lookupKeyRead: the eviction policy sees an access (and
      // INFO a hit or a miss), so a touched key is kept as a read one would be. It touches for a
      // CLIENT NO-TOUCH client too, in EXEC and scripts as well (Redis 7.2).
      const store = session.store;
      const noTouch = store.noTouch === true;
      if (noTouch) store.noTouch = false;
      let touched = 0;
      try {
        for (let i = 1; i < args.count; i++) {
          if (readKey(session, args.latin1(i)) !== undefined) touched++;
        }
      } finally {
        if (noTouch) store.noTouch = true;
      }
      out.integer(touched);
    },
  },
  renameCommand('rename', 'Renames a key and overwrites the destination.', '1.0.0'),
  renameCommand('renamenx', "Renames a key only when the target key name doesn't exist.", '1.0.0'),
  {
    name: 'copy',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'generic',
    summary: 'Copies the value of a key to a new key.',
    since: '6.2.0',
    handler: copy,
  },
  {
    name: 'type',
    arity: 2,
    flags: ['readonly', 'fast'],
    ...ONE_KEY,
    group: 'generic',
    summary: 'Determines the type of value stored at a key.',
    since: '1.0.0',
    handler: (session, args, out) => {
      const key = args.latin1(1);
      if (session.store.has(key)) return out.simple('string');
      session.server.keyspaceEvents.keyMiss(key);
      out.simple('none');
    },
  },
  {
    name: 'randomkey',
    arity: 1,
    flags: ['readonly'],
    ...NO_KEYS,
    group: 'generic',
    summary: 'Returns a random key name from the database.',
    since: '1.0.0',
    handler: (session, _args, out) => {
      const key = session.store.randomKey(session.server.random);
      if (key === undefined) out.nullBulk();
      else out.bulkLatin1(key);
    },
  },
  {
    name: 'keys',
    arity: 2,
    flags: ['readonly'],
    ...NO_KEYS,
    group: 'generic',
    summary: 'Returns all key names that match a pattern.',
    since: '1.0.0',
    handler: (session, args, out) => {
      // One walk of the whole keyspace, as Redis's KEYS: O(keys), for tools and debugging; SCAN
      // is the way to iterate a large cache without holding the node for the whole walk.
      const match = globPredicate(args.latin1(1));
      const keys: string[] = [];
      let cursor = 0;
      do {
        const page = session.store.scan(cursor, KEYS_PAGE, match);
        for (const key of page.keys) keys.push(key);
        cursor = page.cursor;
      } while (cursor !== 0);
      out.arrayHeader(keys.length);
      for (const key of keys) out.bulkLatin1(key);
    },
  },
  {
    name: 'scan',
    arity: -2,
    flags: ['readonly'],
    ...NO_KEYS,
    group: 'generic',
    summary: 'Iterates over the key names in the database.',
    since: '2.8.0',
    handler: scan,
  },
  {
    name: 'dbsize',
    arity: 1,
    flags: ['readonly', 'fast'],
    ...NO_KEYS,
    group: 'server',
    summary: 'Returns the number of keys in the database.',
    since: '1.0.0',
    handler: (session, _args, out) => out.integer(session.store.size()),
  },
  flushCommand('flushdb', 'Removes all keys from the current database.', '1.0.0'),
  flushCommand('flushall', 'Removes all keys from all databases.', '1.0.0'),
];

function deleteCommand(name: string, summary: string, since: string): CommandSpec {
  return {
    name,
    arity: -2,
    flags: ['write', 'fast'],
    ...ALL_KEYS,
    group: 'generic',
    summary,
    since,
    handler: (session, args, out) => {
      let deleted = 0;
      for (let i = 1; i < args.count; i++) {
        const key = args.latin1(i);
        if (!session.store.delete(key)) continue;
        deleted++;
        session.server.keyspaceEvents.notify(GENERIC, 'del', key);
      }
      out.integer(deleted);
    },
  };
}

/** FLUSHDB and FLUSHALL, with ASYNC or SYNC accepted (clearing is immediate either way). */
function flushCommand(name: string, summary: string, since: string): CommandSpec {
  return {
    name,
    arity: -1,
    flags: ['write'],
    ...NO_KEYS,
    group: 'server',
    summary,
    since,
    handler: (session, args, out) => {
      if (args.count > 2 || (args.count === 2 && !args.is(1, 'async') && !args.is(1, 'sync'))) {
        return out.error(ERRORS.SYNTAX);
      }
      session.store.clear();
      out.ok();
    },
  };
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is the store's own (a slot
 * index); like Redis's it is an unsigned 64-bit number, refused otherwise.
 */
function scan(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const cursor = parseCursor(args, 1);
  if (cursor === undefined) return out.error(ERRORS.INVALID_CURSOR);
  let count = DEFAULT_SCAN_COUNT;
  let pattern: string | undefined;
  let type: string | undefined;
  for (let i = 2; i < args.count; i += 2) {
    if (i + 1 >= args.count) return out.error(ERRORS.SYNTAX);
    if (args.is(i, 'count')) {
      count = args.integer(i + 1);
      if (Number.isNaN(count)) return out.error(ERRORS.NOT_INTEGER);
      if (count < 1) return out.error(ERRORS.SYNTAX);
    } else if (args.is(i, 'match')) {
      pattern = args.latin1(i + 1);
    } else if (args.is(i, 'type')) {
      type = args.lower(i + 1);
    } else {
      return out.error(ERRORS.SYNTAX);
    }
  }
  if (type !== undefined && !KNOWN_TYPES.has(type))
    return out.error(`ERR unknown type name '${type}'`);
  // Past any slot (a huge or wrapped-around cursor): the walk is over, as Redis would find.
  const page =
    cursor > Number.MAX_SAFE_INTEGER
      ? { cursor: 0, keys: [] }
      : session.store.scan(
          cursor,
          count,
          pattern === undefined ? undefined : globPredicate(pattern),
        );
  // Keys of another type never exist here, but the cursor still advances, as in Redis.
  const keys = type === undefined || type === 'string' ? page.keys : [];
  out.arrayHeader(2);
  out.bulkLatin1(String(page.cursor));
  out.arrayHeader(keys.length);
  for (const key of keys) out.bulkLatin1(key);
}

/**
 * Redis's parseScanCursorOrReply, which uses strtoul: decimal digits with an optional sign (a
 * negative value wraps around, so "-1" is 2^64 - 1, past every cursor), nothing before or after,
 * at most 2^64 - 1. The empty string is cursor 0.
 */
function parseCursor(args: CommandArgs, i: number): number | undefined {
  const text = args.latin1(i);
  if (text === '') return 0;
  const match = /^([+-]?)(\d+)$/.exec(text);
  if (!match) return undefined;
  let value = BigInt(match[2] as string);
  if (value > U64_MAX) return undefined;
  if (match[1] === '-' && value !== 0n) value = U64_MAX + 1n - value;
  return Number(value);
}

const U64_MAX = 18446744073709551615n;

/**
 * RENAME src dst and RENAMENX src dst: the value and its TTL move to `dst` (replacing what it
 * held, or with RENAMENX only when it holds nothing: 1, else 0). To the eviction policy `dst` is
 * a new entry. On a cluster node both keys must be this node's (the router checks each key); the
 * gateway forwards the command when one node owns both, else CROSSSLOT, as Redis Cluster does.
 */
function renameCommand(name: 'rename' | 'renamenx', summary: string, since: string): CommandSpec {
  const nx = name === 'renamenx';
  return {
    name,
    arity: 3,
    flags: ['write'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'generic',
    summary,
    since,
    handler: (session, args, out) => {
      const store = session.store;
      const from = args.latin1(1);
      const to = args.latin1(2);
      const value = store.peek(from);
      if (value === undefined) return out.error(ERRORS.NO_SUCH_KEY);
      if (from === to) return nx ? out.integer(0) : out.ok();
      if (nx && store.has(to)) return out.integer(0);
      const expireAt = store.expireAtOf(from);
      // The new key first: a crash between the two steps leaves both, never neither.
      const result = store.set(to, value, { expireAt: expireAt > 0 ? expireAt : 0 });
      if (result.status !== 'OK') return out.error(statusError(result.status));
      store.delete(from);
      // Redis re-adds the value under `to` (dbAdd): `new` even when `to` was replaced.
      const events = session.server.keyspaceEvents;
      events.notify(NEW_KEY, 'new', to);
      events.notify(GENERIC, 'rename_from', from);
      events.notify(GENERIC, 'rename_to', to);
      if (nx) out.integer(1);
      else out.ok();
    },
  };
}

/**
 * COPY source destination [DB 0] [REPLACE]: 1 when copied with its TTL, 0 when the source is
 * missing or the destination exists without REPLACE. The node has database 0 only.
 */
function copy(session: Session, args: CommandArgs, out: ReplyWriter): void {
  let replace = false;
  for (let at = 3; at < args.count; at++) {
    if (args.is(at, 'replace')) {
      replace = true;
    } else if (args.is(at, 'db') && at + 1 < args.count) {
      const db = args.integer(at + 1);
      if (!Number.isInteger(db) || db < -2147483648 || db > 2147483647) {
        return out.error(ERRORS.NOT_INTEGER);
      }
      if (db !== 0) return out.error(DB_OUT_OF_RANGE);
      at++;
    } else {
      return out.error(ERRORS.SYNTAX);
    }
  }
  const source = args.latin1(1);
  const target = args.latin1(2);
  if (source === target) return out.error(SAME_OBJECT);
  const store = session.store;
  const value = readKey(session, source);
  if (value === undefined) return out.integer(0);
  const expireAt = store.expireAtOf(source);
  if (!replace && store.has(target)) return out.integer(0);
  const result = store.set(target, value, { expireAt: expireAt > 0 ? expireAt : 0 });
  if (result.status !== 'OK') return out.error(statusError(result.status));
  // As RENAME: a new key to Redis (dbAdd) even where REPLACE overwrote one.
  session.server.keyspaceEvents.written(GENERIC, 'copy_to', target, true);
  out.integer(1);
}
