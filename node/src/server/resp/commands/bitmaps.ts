import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { parseIntegerAt } from '../../../protocol/resp/integer.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { GENERIC, STRING } from '../../../config/keyspace-events.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';
import type { Session } from '../session.ts';
import { readKey, readValue } from './read-value.ts';
import type { ValueView } from './read-value.ts';

const BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE = 'ERR bit is not an integer or out of range';
const BIT_ARGUMENT = 'ERR The bit argument must be 1 or 0.';
const NOT_SINGLE = 'ERR BITOP NOT must be called with a single source key.';
const EMPTY = Buffer.alloc(0);
const HASH = 0x23;

/**
 * Bitmaps, which Redis keeps in plain strings: SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP, with
 * Redis 7's replies, errors and ranges (BYTE or BIT). Bit 0 is the most significant bit of the
 * first byte. A SETBIT within the value changes its byte in place; one past the end rewrites the
 * value grown with zero bytes.
 */
export const BITMAP_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'setbit',
    arity: 4,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'bitmap',
    summary:
      "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
    since: '2.2.0',
    handler: setBit,
  },
  {
    name: 'getbit',
    arity: 3,
    flags: ['readonly', 'fast'],
    ...ONE_KEY,
    group: 'bitmap',
    summary: 'Returns a bit value by offset.',
    since: '2.2.0',
    handler: (session, args, out) => {
      const offset = bitOffset(session, args, 2);
      if (offset === undefined) return out.error(BIT_OFFSET);
      const value = readValue(session, args);
      out.integer(value === undefined ? 0 : bitAt(value, offset));
    },
  },
  {
    name: 'bitcount',
    arity: -2,
    flags: ['readonly'],
    ...ONE_KEY,
    group: 'bitmap',
    summary: 'Counts the number of set bits (population counting) in a string.',
    since: '2.6.0',
    handler: bitCount,
  },
  {
    name: 'bitpos',
    arity: -3,
    flags: ['readonly'],
    ...ONE_KEY,
    group: 'bitmap',
    summary: 'Finds the first set (1) or clear (0) bit in a string.',
    since: '2.8.7',
    handler: bitPos,
  },
  {
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    firstKey: 2,
    lastKey: -1,
    step: 1,
    group: 'bitmap',
    summary: 'Performs bitwise operations on multiple strings, and stores the result.',
    since: '2.6.0',
    handler: bitOp,
  },
];

/**
 * Redis's getBitOffsetFromArgument: a whole number whose byte fits the largest value. With
 * `fieldBits` (BITFIELD), `#N` means the N-th field of that width.
 */
export function bitOffset(
  session: Session,
  args: CommandArgs,
  at: number,
  fieldBits = 0,
): number | undefined {
  const nth = fieldBits > 0 && args.buffer[args.starts[at] as number] === HASH;
  const parsed = nth
    ? parseIntegerAt(args.buffer, (args.starts[at] as number) + 1, args.ends[at] as number)
    : args.integer(at);
  const offset = nth ? parsed * fieldBits : parsed;
  if (Number.isNaN(offset) || offset < 0) return undefined;
  if (Math.floor(offset / 8) >= session.server.settings.maxValueSize) return undefined;
  return offset;
}

function bitAt(value: ValueView, offset: number): number {
  const byte = value.start + Math.floor(offset / 8);
  if (byte >= value.end) return 0;
  return ((value.bytes[byte] as number) >> (7 - (offset % 8))) & 1;
}

/** SETBIT key offset 0|1: the bit's old value; zero bytes pad the gap, the TTL stays. */
function setBit(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const offset = bitOffset(session, args, 2);
  if (offset === undefined) return out.error(BIT_OFFSET);
  const on = args.integer(3);
  if (on !== 0 && on !== 1) return out.error(BIT_VALUE);
  const store = session.store;
  const key = args.latin1(1);
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  // Within the value: one byte changes in place (nothing is written when the bit already has
  // its value, as Redis, which then signals no change: a WATCH stays intact).
  let was = -1;
  const status = store.update(key, (value) => {
    if (byte >= value.length) return false;
    was = ((value[byte] as number) & mask) === 0 ? 0 : 1;
    if (was === on) return false;
    value[byte] = (value[byte] as number) ^ mask;
    return true;
  });
  const events = session.server.keyspaceEvents;
  if (was >= 0) {
    if (status === 'NOT_APPLIED') return out.integer(was);
    if (status !== 'OK') return out.error(statusError(status));
    events.notify(STRING, 'setbit', key);
    return out.integer(was);
  }
  // Past its end, or a new key: the value grows with zero bytes.
  const old = store.peek(key);
  const value = Buffer.alloc(Math.max(old?.length ?? 0, byte + 1));
  old?.copy(value);
  if (on === 1) value[byte] = (value[byte] as number) | mask;
  const result = store.set(key, value, { keepTtl: true });
  if (result.status !== 'OK') return out.error(statusError(result.status));
  // Made or grown: `setbit` even when the bit was already what was asked, as in Redis.
  events.written(STRING, 'setbit', key, old === undefined);
  out.integer(0);
}

/** Parses `[start end [BYTE|BIT]]`-style bounds into a bit range of a value of `length` bytes. */
interface BitRange {
  /** First and last bit, inclusive; empty when first > last. */
  readonly first: number;
  readonly last: number;
}

/**
 * Redis's range rule for BITCOUNT and BITPOS: negative indexes count from the end, both are
 * clamped to the string, in bytes or bits; a byte range covers whole bytes.
 */
function bitRange(start: number, end: number, length: number, inBits: boolean): BitRange {
  const total = inBits ? length * 8 : length;
  let from = start < 0 ? total + start : start;
  let to = end < 0 ? total + end : end;
  if (from < 0) from = 0;
  if (to < 0) to = 0;
  if (to >= total) to = total - 1;
  if (inBits || from > to) return { first: from, last: to };
  return { first: from * 8, last: to * 8 + 7 };
}

/** `BYTE` or `BIT` at argument `at`, or undefined for anything else (a syntax error). */
function unitIsBit(args: CommandArgs, at: number): boolean | undefined {
  if (args.is(at, 'bit')) return true;
  if (args.is(at, 'byte')) return false;
  return undefined;
}

/** BITCOUNT key [start end [BYTE|BIT]]: set bits in the range; 0 for a missing key. */
function bitCount(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const count = args.count;
  // Redis 7.0 looks the key up first: a missing key answers 0 whatever the range says.
  const value = readValue(session, args);
  if (value === undefined) return out.integer(0);
  const length = value.end - value.start;
  let range: BitRange;
  if (count === 2) {
    range = { first: 0, last: length * 8 - 1 };
  } else if (count === 4 || count === 5) {
    const start = args.integer(2);
    if (Number.isNaN(start)) return out.error(ERRORS.NOT_INTEGER);
    const end = args.integer(3);
    if (Number.isNaN(end)) return out.error(ERRORS.NOT_INTEGER);
    if (start < 0 && end < 0 && start > end) return out.integer(0);
    const inBits = count === 5 ? unitIsBit(args, 4) : false;
    if (inBits === undefined) return out.error(ERRORS.SYNTAX);
    range = bitRange(start, end, length, inBits);
  } else {
    return out.error(ERRORS.SYNTAX);
  }
  let ones = 0;
  for (let bit = range.first; bit <= range.last;) {
    // Whole bytes at once where the range covers them.
    if (bit % 8 === 0 && bit + 7 <= range.last) {
      ones += POPCOUNT[value.bytes[value.start + bit / 8] as number] as number;
      bit += 8;
    } else {
      ones += bitAt(value, bit);
      bit++;
    }
  }
  out.integer(ones);
}

/**
 * BITPOS key 0|1 [start [end [BYTE|BIT]]]: the first bit with that value in the range, or -1.
 * Without an end, the string counts as followed by zero bits: a search for 0 in a string of ones
 * answers the bit just past it.
 */
function bitPos(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const count = args.count;
  const wanted = args.integer(2);
  if (Number.isNaN(wanted)) return out.error(ERRORS.NOT_INTEGER);
  if (wanted !== 0 && wanted !== 1) return out.error(BIT_ARGUMENT);
  const value = readValue(session, args);
  // A missing key is an endless run of zeros.
  if (value === undefined) return out.integer(wanted === 1 ? -1 : 0);
  const length = value.end - value.start;
  let range: BitRange;
  let endGiven = false;
  if (count === 3) {
    range = { first: 0, last: length * 8 - 1 };
  } else if (count <= 6) {
    const start = args.integer(3);
    if (Number.isNaN(start)) return out.error(ERRORS.NOT_INTEGER);
    const inBits = count === 6 ? unitIsBit(args, 5) : false;
    if (inBits === undefined) return out.error(ERRORS.SYNTAX);
    let end = length - 1;
    if (count >= 5) {
      end = args.integer(4);
      if (Number.isNaN(end)) return out.error(ERRORS.NOT_INTEGER);
      endGiven = true;
    }
    range = bitRange(start, end, length, inBits);
  } else {
    return out.error(ERRORS.SYNTAX);
  }
  if (range.first > range.last) return out.integer(-1);
  for (let bit = range.first; bit <= range.last;) {
    // Whole bytes that cannot hold the bit are skipped at once.
    if (bit % 8 === 0 && bit + 7 <= range.last) {
      const byte = value.bytes[value.start + bit / 8] as number;
      if (byte === (wanted === 1 ? 0 : 0xff)) {
        bit += 8;
        continue;
      }
    }
    if (bitAt(value, bit) === wanted) return out.integer(bit);
    bit++;
  }
  out.integer(wanted === 0 && !endGiven ? range.last + 1 : -1);
}

const OPERATIONS: ReadonlySet<string> = new Set(['and', 'or', 'xor', 'not']);

/**
 * BITOP AND|OR|XOR|NOT destkey key [key ...]: the result, as long as the longest source (missing
 * keys and shorter sources count as zero bytes), replaces destkey without a TTL; an empty result
 * deletes it. Answers the result's length.
 */
function bitOp(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const operation = args.lower(1);
  if (!OPERATIONS.has(operation)) return out.error(ERRORS.SYNTAX);
  if (operation === 'not' && args.count !== 4) return out.error(NOT_SINGLE);
  const store = session.store;
  const sources: Buffer[] = [];
  let longest = 0;
  for (let at = 3; at < args.count; at++) {
    const source = readKey(session, args.latin1(at)) ?? EMPTY;
    sources.push(source);
    longest = Math.max(longest, source.length);
  }
  const target = args.latin1(2);
  if (longest === 0) {
    if (store.delete(target)) session.server.keyspaceEvents.notify(GENERIC, 'del', target);
    return out.integer(0);
  }
  const result = Buffer.alloc(longest);
  (sources[0] as Buffer).copy(result);
  if (operation === 'not') {
    for (let i = 0; i < longest; i++) result[i] = ~(result[i] as number) & 0xff;
  }
  for (const source of sources.slice(1)) combine(operation, result, source);
  const stored = store.set(target, result);
  if (stored.status !== 'OK') return out.error(statusError(stored.status));
  session.server.keyspaceEvents.written(STRING, 'set', target, stored.previous === undefined);
  out.integer(longest);
}

/** `result` AND, OR or XOR `source`, where `source` is padded with zero bytes to its length. */
function combine(operation: string, result: Buffer, source: Buffer): void {
  const n = Math.min(result.length, source.length);
  if (operation === 'and') {
    for (let i = 0; i < n; i++) result[i] = (result[i] as number) & (source[i] as number);
    result.fill(0, n);
  } else if (operation === 'or') {
    for (let i = 0; i < n; i++) result[i] = (result[i] as number) | (source[i] as number);
  } else {
    for (let i = 0; i < n; i++) result[i] = (result[i] as number) ^ (source[i] as number);
  }
}

/** Set bits of each byte value. */
const POPCOUNT: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (table[i >> 1] as number) + (i & 1);
  return table;
})();
