import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { NEW_KEY, STRING } from '../../../config/keyspace-events.ts';
import { ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { ERRORS, statusError } from '../errors.ts';
import type { Session } from '../session.ts';
import { bitOffset } from './bitmaps.ts';
import { readValue } from './read-value.ts';

const BAD_TYPE =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const BAD_OFFSET = 'ERR bit offset is not an integer or out of range';
const BAD_OVERFLOW = 'ERR Invalid OVERFLOW type specified';
const READ_ONLY = 'ERR BITFIELD_RO only supports the GET subcommand';

type Overflow = 'wrap' | 'sat' | 'fail';

/** One GET, SET or INCRBY of BITFIELD, parsed. */
interface FieldOp {
  readonly kind: 'get' | 'set' | 'incrby';
  readonly signed: boolean;
  readonly bits: number;
  readonly offset: number;
  /** SET's value or INCRBY's increment. */
  readonly operand: bigint;
  /** The OVERFLOW mode in force when the op was read. */
  readonly overflow: Overflow;
}

/**
 * BITFIELD and BITFIELD_RO: integers of 1 to 64 bits (`i64` down to `i1`, `u63` down to `u1`) at
 * any bit offset of a string, read, set or incremented, with Redis's overflow modes (WRAP, SAT,
 * FAIL). Every op is parsed before any runs, so a bad one changes nothing. Writes within the
 * value change it in place; past its end, the value is rewritten grown.
 */
export const BITFIELD_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'bitfield',
    arity: -2,
    flags: ['write', 'denyoom'],
    ...ONE_KEY,
    group: 'bitmap',
    summary: 'Performs arbitrary bitfield integer operations on strings.',
    since: '3.2.0',
    handler: (session, args, out) => bitField(session, args, out, false),
  },
  {
    name: 'bitfield_ro',
    arity: -2,
    flags: ['readonly', 'fast'],
    ...ONE_KEY,
    group: 'bitmap',
    summary: 'Performs arbitrary read-only bitfield integer operations on strings.',
    since: '6.0.0',
    handler: (session, args, out) => bitField(session, args, out, true),
  },
];

function bitField(session: Session, args: CommandArgs, out: ReplyWriter, readOnly: boolean): void {
  const ops = parseOps(session, args);
  if (typeof ops === 'string') return out.error(ops);
  const writes = ops.some((op) => op.kind !== 'get');
  if (!writes) return readFields(session, args, ops, out);
  if (readOnly) return out.error(READ_ONLY);
  writeFields(session, args, ops, out);
}

/** The ops in order, or the error text of the first bad argument (Redis's wording). */
function parseOps(session: Session, args: CommandArgs): FieldOp[] | string {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let at = 2; at < args.count;) {
    const left = args.count - at - 1;
    const kind = args.is(at, 'get') && left >= 2 ? 'get' : fieldWrite(args, at, left);
    if (kind === undefined && args.is(at, 'overflow') && left >= 1) {
      const mode = args.lower(at + 1);
      if (mode !== 'wrap' && mode !== 'sat' && mode !== 'fail') return BAD_OVERFLOW;
      overflow = mode;
      at += 2;
      continue;
    }
    if (kind === undefined) return ERRORS.SYNTAX;
    const type = fieldType(args.latin1(at + 1));
    if (type === undefined) return BAD_TYPE;
    const offset = bitOffset(session, args, at + 2, type.bits);
    if (offset === undefined) return BAD_OFFSET;
    let operand = 0n;
    if (kind !== 'get') {
      const value = args.bigInteger(at + 3);
      if (value === undefined) return ERRORS.NOT_INTEGER;
      operand = value;
    }
    ops.push({ kind, ...type, offset, operand, overflow });
    at += kind === 'get' ? 3 : 4;
  }
  return ops;
}

function fieldWrite(args: CommandArgs, at: number, left: number): 'set' | 'incrby' | undefined {
  if (left < 3) return undefined;
  if (args.is(at, 'set')) return 'set';
  if (args.is(at, 'incrby')) return 'incrby';
  return undefined;
}

/** `i1`…`i64` or `u1`…`u63` (lowercase, as Redis 7.0 reads them). */
function fieldType(text: string): { signed: boolean; bits: number } | undefined {
  const sign = text.charAt(0);
  if (sign !== 'i' && sign !== 'u') return undefined;
  const digits = text.slice(1);
  if (!/^(?:0|-?[1-9]\d*)$/.test(digits)) return undefined;
  const bits = Number(digits);
  if (bits < 1 || bits > (sign === 'i' ? 64 : 63)) return undefined;
  return { signed: sign === 'i', bits };
}

/** Only GETs: read the value as GET does (a missing key reads as zeros, and is not created). */
function readFields(session: Session, args: CommandArgs, ops: FieldOp[], out: ReplyWriter): void {
  const value = readValue(session, args);
  const bytes =
    value === undefined ? Buffer.alloc(0) : value.bytes.subarray(value.start, value.end);
  out.arrayHeader(ops.length);
  for (const op of ops) out.integer(getField(bytes, op));
}

/**
 * With a SET or INCRBY: the value grows (zero bytes) to the farthest bit written, even where
 * FAIL keeps an op from writing, as in Redis; the store is written only if something changed.
 * Ops within the value run on it in place. `setbit` is raised as Redis raises it: when a field
 * changed, or when the value was made or grown and an op wrote (FAIL did not stop it).
 */
function writeFields(session: Session, args: CommandArgs, ops: FieldOp[], out: ReplyWriter): void {
  const store = session.store;
  const key = args.latin1(1);
  let farthest = 0;
  for (const op of ops) if (op.kind !== 'get') farthest = Math.max(farthest, op.offset + op.bits);
  const needed = Math.ceil(farthest / 8);
  let replies: (bigint | null)[] | undefined;
  const status = store.update(key, (value) => {
    if (value.length < needed) return false;
    const run = runOps(value, ops);
    replies = run.replies;
    return run.changed;
  });
  const events = session.server.keyspaceEvents;
  if (replies === undefined) {
    // Past the value's end, or a new key: the ops run on a grown copy, which is written.
    const old = store.peek(key);
    const value = Buffer.alloc(Math.max(old?.length ?? 0, needed));
    old?.copy(value);
    const ran = runOps(value, ops).replies;
    replies = ran;
    const result = store.set(key, value, { keepTtl: true });
    if (result.status !== 'OK') return out.error(statusError(result.status));
    // Redis: `new` from making the key; `setbit` when the grown value took a write (FAIL aside).
    if (old === undefined) events.notify(NEW_KEY, 'new', key);
    if (ops.some((op, i) => op.kind !== 'get' && ran[i] !== null)) {
      events.notify(STRING, 'setbit', key);
    }
  } else if (status === 'OK') {
    events.notify(STRING, 'setbit', key);
  } else if (status !== 'NOT_APPLIED') {
    return out.error(statusError(status));
  }
  out.arrayHeader(replies.length);
  for (const reply of replies) {
    if (reply === null) out.nullBulk();
    else out.integer(reply);
  }
}

/** Runs the ops in order on `value`: each one's reply, and whether any byte changed. */
function runOps(value: Buffer, ops: FieldOp[]): { replies: (bigint | null)[]; changed: boolean } {
  const replies: (bigint | null)[] = [];
  let changed = false;
  for (const op of ops) {
    const current = getField(value, op);
    if (op.kind === 'get') {
      replies.push(current);
      continue;
    }
    const wanted = op.kind === 'set' ? op.operand : current + op.operand;
    const stored = fit(op, op.kind === 'set' && !op.signed ? BigInt.asUintN(64, wanted) : wanted);
    if (stored === undefined) {
      replies.push(null);
      continue;
    }
    setField(value, op, stored);
    if (stored !== current) changed = true;
    replies.push(op.kind === 'set' ? current : stored);
  }
  return { replies, changed };
}

/**
 * What a field of `op`'s type holds for the exact result `wanted`: itself when it fits, else per
 * the op's overflow mode (WRAP: modulo 2^bits, two's complement when signed; SAT: the nearest
 * limit; FAIL: undefined, nothing written).
 */
function fit(op: FieldOp, wanted: bigint): bigint | undefined {
  const bits = BigInt(op.bits);
  const min = op.signed ? -(1n << (bits - 1n)) : 0n;
  const max = op.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (wanted >= min && wanted <= max) return wanted;
  if (op.overflow === 'fail') return undefined;
  if (op.overflow === 'sat') return wanted > max ? max : min;
  return op.signed ? BigInt.asIntN(op.bits, wanted) : BigInt.asUintN(op.bits, wanted);
}

/** The field's integer; bits past the end of `bytes` read as zeros. */
function getField(bytes: Buffer, op: FieldOp): bigint {
  let raw = 0n;
  for (let i = 0; i < op.bits; i++) {
    const bit = op.offset + i;
    // Offsets reach 2^32 and more: `>>` would wrap them.
    const byte = Math.floor(bit / 8);
    const set = byte < bytes.length && ((bytes[byte] as number) >> (7 - (bit & 7))) & 1;
    raw = (raw << 1n) | (set ? 1n : 0n);
  }
  return op.signed ? BigInt.asIntN(op.bits, raw) : raw;
}

function setField(bytes: Buffer, op: FieldOp, value: bigint): void {
  const raw = BigInt.asUintN(op.bits, value);
  for (let i = 0; i < op.bits; i++) {
    const bit = op.offset + i;
    const mask = 1 << (7 - (bit & 7));
    const on = (raw >> BigInt(op.bits - 1 - i)) & 1n;
    const at = Math.floor(bit / 8);
    bytes[at] = on === 1n ? (bytes[at] as number) | mask : (bytes[at] as number) & ~mask;
  }
}
