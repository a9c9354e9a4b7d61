import { addLongDouble, formatLongDouble, parseLongDouble } from '../../../core/long-double.ts';
import type { LongDouble } from '../../../core/long-double.ts';
import { STRING } from '../../../config/keyspace-events.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';

const ZERO: LongDouble = { neg: false, sig: 0n, exp: 0 };

/**
 * INCRBYFLOAT key increment: the value and the increment read and added as Redis does, in long
 * double precision (long-double.ts), and the sum stored as the string Redis would store (the
 * reply); the TTL stays. So counters kept with INCRBYFLOAT read the same as on Redis: 0.1 added
 * three times is "0.3".
 */
export const INCRBYFLOAT_COMMAND: CommandSpec = {
  name: 'incrbyfloat',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  ...ONE_KEY,
  group: 'string',
  summary:
    "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
  since: '2.6.0',
  handler: (session, args, out) => {
    const store = session.store;
    const key = args.latin1(1);
    const old = store.peek(key);
    const current = old === undefined ? ZERO : parseLongDouble(old.toString('latin1'));
    const increment = parseLongDouble(args.latin1(2));
    if (current === 'invalid' || increment === 'invalid') return out.error(ERRORS.NOT_A_FLOAT);
    // "inf" parses, as strtold reads it; the sum is then infinite.
    if (current === 'inf' || increment === 'inf') return out.error(ERRORS.NAN_OR_INFINITY);
    const sum = addLongDouble(current, increment);
    if (sum === 'inf') return out.error(ERRORS.NAN_OR_INFINITY);
    const text = formatLongDouble(sum);
    const result = store.set(key, Buffer.from(text, 'latin1'), { keepTtl: true });
    if (result.status !== 'OK') return out.error(statusError(result.status));
    session.server.keyspaceEvents.written(STRING, 'incrbyfloat', key, old === undefined);
    out.bulkLatin1(text);
  },
};
