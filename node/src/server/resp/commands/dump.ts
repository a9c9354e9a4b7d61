import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { decodeDump, encodeDump } from '../../../core/dump-payload.ts';
import { GENERIC } from '../../../config/keyspace-events.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';
import type { Session } from '../session.ts';
import { readValue } from './read-value.ts';

const BUSY_KEY = 'BUSYKEY Target key name already exists.';
const BAD_TTL = 'ERR Invalid TTL value, must be >= 0';
const BAD_IDLETIME = 'ERR Invalid IDLETIME value, must be >= 0';
const BAD_FREQ = 'ERR Invalid FREQ value, must be >= 0 and <= 255';

/**
 * DUMP and RESTORE in Redis's payload format (core/dump-payload.ts), so that keys move between
 * Redis and mlcache with the tools that use them (MIGRATE-style copies, RIOT, redis-shake's
 * dump mode). RESTORE accepts IDLETIME and FREQ and checks them, but they are hints to Redis's
 * LRU and LFU that mlcache's policies do not take.
 */
export const DUMP_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'dump',
    arity: 2,
    flags: ['readonly'],
    ...ONE_KEY,
    group: 'generic',
    summary: 'Returns a serialized representation of the value stored at a key.',
    since: '2.6.0',
    handler: (session, args, out) => {
      const value = readValue(session, args);
      if (value === undefined) return out.nullBulk();
      out.bulk(encodeDump(value.bytes.subarray(value.start, value.end)));
    },
  },
  {
    name: 'restore',
    arity: -4,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'generic',
    summary: 'Creates a key from the serialized representation of a value.',
    since: '2.6.0',
    handler: restore,
  },
];

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], in Redis's order. */
function restore(session: Session, args: CommandArgs, out: ReplyWriter): void {
  let replace = false;
  let absolute = false;
  let idle = false;
  let freq = false;
  for (let at = 4; at < args.count; at++) {
    const more = at + 1 < args.count;
    if (args.is(at, 'replace')) {
      replace = true;
    } else if (args.is(at, 'absttl')) {
      absolute = true;
    } else if (args.is(at, 'idletime') && more && !freq) {
      const seconds = args.integer(at + 1);
      if (Number.isNaN(seconds)) return out.error(ERRORS.NOT_INTEGER);
      if (seconds < 0) return out.error(BAD_IDLETIME);
      idle = true;
      at++;
    } else if (args.is(at, 'freq') && more && !idle) {
      const frequency = args.integer(at + 1);
      if (Number.isNaN(frequency)) return out.error(ERRORS.NOT_INTEGER);
      if (frequency < 0 || frequency > 255) return out.error(BAD_FREQ);
      freq = true;
      at++;
    } else {
      return out.error(ERRORS.SYNTAX);
    }
  }
  const store = session.store;
  const key = args.latin1(1);
  if (!replace && store.has(key)) return out.error(BUSY_KEY);
  const ttl = args.integer(2);
  if (Number.isNaN(ttl)) return out.error(ERRORS.NOT_INTEGER);
  if (ttl < 0) return out.error(BAD_TTL);
  const decoded = decodeDump(args.copy(3));
  if ('error' in decoded) return out.error(decoded.error);
  // A time already past stores nothing (and REPLACE removes the old key), as in Redis.
  const expireAt = ttl === 0 ? 0 : absolute ? ttl : session.server.clock.now() + ttl;
  const result = store.set(key, decoded.value, { expireAt });
  if (result.status !== 'OK') return out.error(statusError(result.status));
  const events = session.server.keyspaceEvents;
  if (expireAt === 0 || expireAt > session.server.clock.now()) {
    // Added with dbAdd, REPLACE or not: `new`, then `restore`.
    events.written(GENERIC, 'restore', key, true);
  } else if (result.previous !== undefined) {
    events.notify(GENERIC, 'del', key);
  }
  out.ok();
}
