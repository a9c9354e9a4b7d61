import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';
import type { Session } from '../session.ts';
import { relativeExpireAt } from './expire-options.ts';
import { setWritten } from './write-events.ts';

/**
 * SET's older forms: SETEX, PSETEX, SETNX and GETSET. Redis lists them as deprecated in favour of
 * SET's options but still serves them, and clients still send them: Laravel's Redis cache stores
 * with SETEX, node-redis (`setEx`, `setNX`) and ioredis (`setex`, `setnx`) have methods for them,
 * and lock recipes use SETNX. Each is the SET it stands for, with Redis's replies and errors (the
 * differential test against redis-server, resp-vs-redis.int.test.ts, holds them to its bytes).
 */
export const LEGACY_STRING_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'string',
    summary:
      'Sets the string value and expiration time of a key. Creates the key if it does not exist.',
    since: '2.0.0',
    handler: (session, args, out) => setWithTtl(session, args, out, 'ex', 'setex'),
  },
  {
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'string',
    summary:
      'Sets both string value and expiration time in milliseconds of a key. The key is created if it does not exist.',
    since: '2.6.0',
    handler: (session, args, out) => setWithTtl(session, args, out, 'px', 'psetex'),
  },
  {
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary: "Set the string value of a key only when the key doesn't exist.",
    since: '1.0.0',
    handler: (session, args, out) => {
      if (args.length(2) > session.server.settings.maxValueSize) return out.error(ERRORS.TOO_LARGE);
      const key = args.latin1(1);
      const result = session.store.set(key, args.copy(2), { ifAbsent: true });
      if (result.status === 'OK') {
        setWritten(session, key, true);
        return out.integer(1);
      }
      if (result.status === 'NOT_APPLIED') return out.integer(0);
      out.error(statusError(result.status));
    },
  },
  {
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    ...ONE_KEY,
    group: 'string',
    summary: 'Returns the previous string value of a key after setting it to a new value.',
    since: '1.0.0',
    handler: (session, args, out) => {
      if (args.length(2) > session.server.settings.maxValueSize) return out.error(ERRORS.TOO_LARGE);
      // As SET without options: the new value has no TTL.
      const key = args.latin1(1);
      const result = session.store.set(key, args.copy(2));
      if (result.status !== 'OK') return out.error(statusError(result.status));
      // GET's miss first, as Redis reads before it writes.
      if (result.previous === undefined) session.server.keyspaceEvents.keyMiss(key);
      setWritten(session, key, result.previous === undefined);
      if (result.previous === undefined) out.nullBulk();
      else out.bulk(result.previous);
    },
  },
];

/** SETEX key seconds value, PSETEX key ms value: SET key value EX|PX ttl. */
function setWithTtl(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
  unit: 'ex' | 'px',
  command: string,
): void {
  if (args.length(3) > session.server.settings.maxValueSize) return out.error(ERRORS.TOO_LARGE);
  const expireAt = relativeExpireAt(args, 2, unit, session.server.clock.now(), command);
  if (typeof expireAt === 'string') return out.error(expireAt);
  const key = args.latin1(1);
  const result = session.store.set(key, args.copy(3), { expireAt });
  if (result.status !== 'OK') return out.error(statusError(result.status));
  setWritten(session, key, result.previous === undefined, expireAt);
  out.ok();
}
