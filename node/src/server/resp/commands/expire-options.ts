import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { ERRORS, invalidExpireTime } from '../errors.ts';

/** LLONG_MAX, and LLONG_MAX / 1000 as C's integer division gives it. */
const LLONG_MAX = 9223372036854775807;
const LLONG_MAX_SECONDS = 9223372036854775;

/** SET's and GETEX's options, parsed (Redis's parseExtendedStringArgumentsOrReply). */
export interface StringOptions {
  ifAbsent: boolean;
  ifPresent: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  /** Absolute expiry in ms, 0 for none. */
  expireAt: number;
}

type Unit = 'ex' | 'px' | 'exat' | 'pxat';

/**
 * Parses the options of SET (from argument 3) or GETEX (from argument 2) with Redis's rules:
 * case-insensitive; NX/XX exclusive; KEEPTTL (SET) and PERSIST (GETEX) exclusive with the expiry
 * options; one expiry unit (repeating the same one is allowed, the last wins). Every syntax error
 * is `ERR syntax error`; the expiry is then checked (not an integer, <= 0, or overflowing:
 * `invalid expire time`). Returns the options, or the error text.
 */
export function parseStringOptions(
  args: CommandArgs,
  from: number,
  command: 'set' | 'getex',
  now: number,
): StringOptions | string {
  const isSet = command === 'set';
  const options: StringOptions = {
    ifAbsent: false,
    ifPresent: false,
    get: false,
    keepTtl: false,
    persist: false,
    expireAt: 0,
  };
  let unit: Unit | undefined;
  let valueAt = 0;
  for (let i = from; i < args.count; i++) {
    const hasNext = i + 1 < args.count;
    if (isSet && args.is(i, 'nx') && !options.ifPresent) options.ifAbsent = true;
    else if (isSet && args.is(i, 'xx') && !options.ifAbsent) options.ifPresent = true;
    else if (isSet && args.is(i, 'get')) options.get = true;
    else if (isSet && args.is(i, 'keepttl') && unit === undefined) options.keepTtl = true;
    else if (!isSet && args.is(i, 'persist') && unit === undefined) options.persist = true;
    else {
      const option = expiryUnit(args, i);
      if (option === undefined || !hasNext || options.keepTtl || options.persist)
        return ERRORS.SYNTAX;
      if (unit !== undefined && unit !== option) return ERRORS.SYNTAX;
      unit = option;
      valueAt = ++i;
    }
  }
  if (unit !== undefined) {
    const expireAt = expiryTime(args, valueAt, unit, now, command);
    if (typeof expireAt === 'string') return expireAt;
    options.expireAt = expireAt;
  }
  return options;
}

function expiryUnit(args: CommandArgs, i: number): Unit | undefined {
  if (args.is(i, 'ex')) return 'ex';
  if (args.is(i, 'px')) return 'px';
  if (args.is(i, 'exat')) return 'exat';
  if (args.is(i, 'pxat')) return 'pxat';
  return undefined;
}

/**
 * The absolute expiry in ms of a TTL given as argument `at` in seconds (`ex`: SETEX) or ms
 * (`px`: PSETEX), checked as SET's EX and PX are; or the error text, naming `command`.
 */
export function relativeExpireAt(
  args: CommandArgs,
  at: number,
  unit: 'ex' | 'px',
  now: number,
  command: string,
): number | string {
  return expiryTime(args, at, unit, now, command);
}

/** Redis's getExpireMillisecondsOrReply: the absolute time in ms, or the error text. */
function expiryTime(
  args: CommandArgs,
  at: number,
  unit: Unit,
  now: number,
  command: string,
): number | string {
  let ms = args.integer(at);
  if (Number.isNaN(ms)) return ERRORS.NOT_INTEGER;
  const seconds = unit === 'ex' || unit === 'exat';
  if (ms <= 0 || (seconds && ms > LLONG_MAX_SECONDS)) return invalidExpireTime(command);
  if (seconds) ms *= 1000;
  if (unit === 'ex' || unit === 'px') {
    if (ms > LLONG_MAX - now) return invalidExpireTime(command);
    ms += now;
  }
  return ms;
}
