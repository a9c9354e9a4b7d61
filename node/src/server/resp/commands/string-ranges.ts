import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';
import type { Session } from '../session.ts';
import { STRING } from '../../../config/keyspace-events.ts';
import { readValue } from './read-value.ts';

const OFFSET_OUT_OF_RANGE = 'ERR offset is out of range';
const EMPTY = Buffer.alloc(0);

/** GETRANGE (and its old name SUBSTR) and SETRANGE: a byte range of a string value. */
export const STRING_RANGE_COMMANDS: readonly CommandSpec[] = [
  getRange('getrange', '2.4.0'),
  getRange('substr', '1.0.0'),
  {
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'string',
    summary:
      "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    since: '2.2.0',
    handler: setRange,
  },
];

function getRange(name: string, since: string): CommandSpec {
  return {
    name,
    arity: 4,
    flags: ['readonly'],
    ...ONE_KEY,
    group: 'string',
    summary: 'Returns a substring of the string stored at a key.',
    since,
    handler: (session, args, out) => {
      const start = args.integer(2);
      const end = args.integer(3);
      if (Number.isNaN(start) || Number.isNaN(end)) return out.error(ERRORS.NOT_INTEGER);
      // As GET's fast path: the range is copied from the store's arena into the reply, not the
      // whole value first (a range of a large value is the point of GETRANGE).
      const value = readValue(session, args);
      if (value === undefined) return out.bulk(EMPTY);
      const [from, to] = byteRange(start, end, value.end - value.start);
      out.bulk(value.bytes, value.start + from, value.start + to);
    },
  };
}

/**
 * Redis's getrangeCommand: `start` and `end` inclusive, negative ones counted from the end and
 * clamped to the string; [from, to) of a string of `length` bytes, empty when nothing is left.
 */
export function byteRange(start: number, end: number, length: number): [number, number] {
  if (start < 0 && end < 0 && start > end) return [0, 0];
  let from = start < 0 ? length + start : start;
  let to = end < 0 ? length + end : end;
  if (from < 0) from = 0;
  if (to < 0) to = 0;
  if (to >= length) to = length - 1;
  if (from > to || length === 0) return [0, 0];
  return [from, to + 1];
}

/** SETRANGE key offset value: the new length; zero bytes pad the gap, the TTL stays. */
function setRange(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const offset = args.integer(2);
  if (Number.isNaN(offset)) return out.error(ERRORS.NOT_INTEGER);
  if (offset < 0) return out.error(OFFSET_OUT_OF_RANGE);
  const store = session.store;
  const key = args.latin1(1);
  const old = store.peek(key);
  const patch = args.copy(3);
  if (patch.length === 0) return out.integer(old?.length ?? 0);
  if (offset + patch.length > session.server.settings.maxValueSize) {
    return out.error(ERRORS.TOO_LARGE);
  }
  const length = Math.max(old?.length ?? 0, offset + patch.length);
  const value = Buffer.alloc(length);
  old?.copy(value);
  patch.copy(value, offset);
  const result = store.set(key, value, { keepTtl: true });
  if (result.status !== 'OK') return out.error(statusError(result.status));
  session.server.keyspaceEvents.written(STRING, 'setrange', key, old === undefined);
  out.integer(length);
}
