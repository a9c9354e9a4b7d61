import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { GENERIC } from '../../../config/keyspace-events.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, invalidExpireTime, unsupportedExpireOption } from '../errors.ts';
import type { Session } from '../session.ts';

const LLONG_MAX = 9223372036854775807;
const LLONG_MAX_SECONDS = 9223372036854775;

/** EXPIRE and friends, TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST. */
export const EXPIRY_COMMANDS: readonly CommandSpec[] = [
  expireCommand('expire', 'seconds', 'relative', "Sets a key's time-to-live in seconds.", '1.0.0'),
  expireCommand(
    'pexpire',
    'milliseconds',
    'relative',
    "Sets a key's time-to-live in milliseconds.",
    '2.6.0',
  ),
  expireCommand(
    'expireat',
    'seconds',
    'absolute',
    'Sets the expiration time of a key to a Unix timestamp.',
    '1.2.0',
  ),
  expireCommand(
    'pexpireat',
    'milliseconds',
    'absolute',
    'Sets the expiration time of a key to a Unix milliseconds timestamp.',
    '2.6.0',
  ),
  ttlCommand('ttl', 'seconds', 'Returns the expiration time in seconds of a key.', '1.0.0'),
  ttlCommand(
    'pttl',
    'milliseconds',
    'Returns the expiration time in milliseconds of a key.',
    '2.6.0',
  ),
  ttlCommand(
    'expiretime',
    'seconds',
    'Returns the expiration time of a key as a Unix timestamp.',
    '7.0.0',
    true,
  ),
  ttlCommand(
    'pexpiretime',
    'milliseconds',
    'Returns the expiration time of a key as a Unix milliseconds timestamp.',
    '7.0.0',
    true,
  ),
  {
    name: 'persist',
    arity: 2,
    flags: ['write', 'fast'],
    ...ONE_KEY,
    group: 'generic',
    summary: 'Removes the expiration time of a key.',
    since: '2.2.0',
    handler: (session, args, out) => {
      const key = args.latin1(1);
      if (session.store.expireAtOf(key) <= 0) return out.integer(0);
      session.store.setExpireAt(key, 0);
      session.server.keyspaceEvents.notify(GENERIC, 'persist', key);
      out.integer(1);
    },
  },
];

type Unit = 'seconds' | 'milliseconds';

function expireCommand(
  name: string,
  unit: Unit,
  base: 'relative' | 'absolute',
  summary: string,
  since: string,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ['write', 'fast'],
    ...ONE_KEY,
    group: 'generic',
    summary,
    since,
    handler: (session, args, out) => expire(session, args, out, name, unit, base),
  };
}

interface ExpireConditions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** Redis's expireGenericCommand, option checks and overflow checks in its order. */
function expire(
  session: Session,
  args: CommandArgs,
  out: ReplyWriter,
  name: string,
  unit: Unit,
  base: 'relative' | 'absolute',
): void {
  const conditions = parseConditions(args);
  if (typeof conditions === 'string') return out.error(conditions);
  let when = args.integer(2);
  if (Number.isNaN(when)) return out.error(ERRORS.NOT_INTEGER);
  if (unit === 'seconds') {
    if (when > LLONG_MAX_SECONDS || when < -LLONG_MAX_SECONDS)
      return out.error(invalidExpireTime(name));
    when *= 1000;
  }
  const now = session.server.clock.now();
  const basetime = base === 'relative' ? now : 0;
  if (when > LLONG_MAX - basetime) return out.error(invalidExpireTime(name));
  when += basetime;

  const store = session.store;
  const key = args.latin1(1);
  const current = store.expireAtOf(key);
  if (current === -2) return out.integer(0);
  // -1: no expiry, which counts as an infinite one for GT and LT.
  if (conditions.nx && current !== -1) return out.integer(0);
  if (conditions.xx && current === -1) return out.integer(0);
  if (conditions.gt && (current === -1 || when <= current)) return out.integer(0);
  if (conditions.lt && current !== -1 && when >= current) return out.integer(0);
  // A time already past deletes the key (0 would mean "no expiry" to the store).
  if (when <= now) {
    store.delete(key);
    session.server.keyspaceEvents.notify(GENERIC, 'del', key);
  } else {
    store.setExpireAt(key, when);
    session.server.keyspaceEvents.notify(GENERIC, 'expire', key);
  }
  out.integer(1);
}

function parseConditions(args: CommandArgs): ExpireConditions | string {
  const conditions: ExpireConditions = { nx: false, xx: false, gt: false, lt: false };
  for (let i = 3; i < args.count; i++) {
    if (args.is(i, 'nx')) conditions.nx = true;
    else if (args.is(i, 'xx')) conditions.xx = true;
    else if (args.is(i, 'gt')) conditions.gt = true;
    else if (args.is(i, 'lt')) conditions.lt = true;
    else return unsupportedExpireOption(args.latin1(i));
  }
  const { nx, xx, gt, lt } = conditions;
  if (nx && (xx || gt || lt)) return ERRORS.EXPIRE_NX_WITH_OTHERS;
  if (gt && lt) return ERRORS.EXPIRE_GT_AND_LT;
  return conditions;
}

/**
 * TTL and PTTL (the time left), or with `absolute` EXPIRETIME and PEXPIRETIME (the Unix time of
 * the expiry): -2 for an absent key, -1 for one without an expiry.
 */
function ttlCommand(
  name: string,
  unit: Unit,
  summary: string,
  since: string,
  absolute = false,
): CommandSpec {
  return {
    name,
    arity: 2,
    flags: ['readonly', 'fast'],
    ...ONE_KEY,
    group: 'generic',
    summary,
    since,
    handler: (session, args, out) => {
      const key = args.latin1(1);
      const expireAt = session.store.expireAtOf(key);
      // A read as Redis's lookupKeyRead: an absent key is a miss.
      if (expireAt === -2) session.server.keyspaceEvents.keyMiss(key);
      if (expireAt < 0) return out.integer(expireAt);
      const ms = absolute ? expireAt : Math.max(0, expireAt - session.server.clock.now());
      // Redis rounds seconds to the nearest: (ttl + 500) / 1000 in integer arithmetic.
      out.integer(unit === 'milliseconds' ? ms : Math.floor((ms + 500) / 1000));
    },
  };
}
