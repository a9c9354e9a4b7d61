import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { STRING } from '../../../config/keyspace-events.ts';
import {
  cacheCount,
  cachedCount,
  emptyHll,
  hllAdd,
  hllCount,
  HllError,
  HLL_REGISTERS,
  invalidateCache,
  isDense,
  isHll,
  mergeInto,
  NOT_HLL,
  registersCount,
  writeRegisters,
} from '../../../core/hyperloglog.ts';
import { ALL_KEYS, ONE_KEY } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';
import { statusError } from '../errors.ts';
import type { Session } from '../session.ts';
import { readValue } from './read-value.ts';

/**
 * PFADD, PFCOUNT and PFMERGE over Redis's own HyperLogLog strings (core/hyperloglog.ts), so the
 * values and answers match Redis's. A value that is a string but not a HyperLogLog answers
 * WRONGTYPE, as in Redis. A dense value (12 KB) changes in place; a sparse one is rewritten.
 */
export const HYPERLOGLOG_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'pfadd',
    arity: -2,
    flags: ['write', 'denyoom', 'fast'],
    ...ONE_KEY,
    group: 'hyperloglog',
    summary: "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.",
    since: '2.8.9',
    handler: (session, args, out) => guarded(out, () => pfAdd(session, args, out)),
  },
  {
    name: 'pfcount',
    arity: -2,
    flags: ['readonly'],
    ...ALL_KEYS,
    group: 'hyperloglog',
    summary:
      'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    since: '2.8.9',
    handler: (session, args, out) => guarded(out, () => pfCount(session, args, out)),
  },
  {
    name: 'pfmerge',
    arity: -2,
    flags: ['write', 'denyoom'],
    ...ALL_KEYS,
    group: 'hyperloglog',
    summary: 'Merges one or more HyperLogLog values into a single key.',
    since: '2.8.9',
    handler: (session, args, out) => guarded(out, () => pfMerge(session, args, out)),
  },
];

/** A value that is not a HyperLogLog, or a corrupt one, answers its error; nothing is written. */
function guarded(out: ReplyWriter, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof HllError)) throw error;
    out.error(error.reply);
  }
}

/**
 * The HyperLogLog at argument `at`, read as GET reads it, as a view valid only until the next call
 * into the store (copy it to keep it); undefined when absent.
 */
function readHll(
  session: Session,
  args: CommandArgs,
  at: number,
  write = false,
): Buffer | undefined {
  const view = readValue(session, args, at, write);
  if (view === undefined) return undefined;
  const value = view.bytes.subarray(view.start, view.end);
  if (!isHll(value)) throw new HllError(NOT_HLL);
  return value;
}

/** Writes `value` back, keeping the key's TTL; false (with the error answered) when refused. */
function store(session: Session, key: string, value: Buffer, out: ReplyWriter): boolean {
  const result = session.store.set(key, value, { keepTtl: true });
  if (result.status === 'OK') return true;
  out.error(statusError(result.status));
  return false;
}

/**
 * PFADD key [element ...]: 1 when a register grew (or the key was made), else 0. A dense value
 * changes in place; a sparse one (at most 3000 bytes) is rewritten, as its runs move.
 */
function pfAdd(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const key = args.latin1(1);
  let inPlace = false;
  let updated = false;
  const status = session.store.update(key, (value) => {
    if (!isHll(value)) throw new HllError(NOT_HLL);
    if (!isDense(value)) return false;
    inPlace = true;
    for (let at = 2; at < args.count; at++)
      updated = hllAdd(value, args.view(at)).updated || updated;
    if (updated) invalidateCache(value);
    return updated;
  });
  const events = session.server.keyspaceEvents;
  if (inPlace) {
    if (status === 'OK') events.notify(STRING, 'pfadd', key);
    if (status === 'OK' || status === 'NOT_APPLIED') return out.integer(updated ? 1 : 0);
    return out.error(statusError(status));
  }
  // A write's lookup, as Redis's: a missing key is made, not a miss.
  const existing = readHll(session, args, 1, true);
  let value = existing === undefined ? emptyHll() : Buffer.from(existing);
  updated = existing === undefined;
  for (let at = 2; at < args.count; at++) {
    const added = hllAdd(value, args.view(at));
    value = added.value;
    updated ||= added.updated;
  }
  if (!updated) return out.integer(0);
  invalidateCache(value);
  if (!store(session, key, value, out)) return;
  events.written(STRING, 'pfadd', key, existing === undefined);
  out.integer(1);
}

/**
 * PFCOUNT key [key ...]: one key answers its cached cardinality, or computes it and caches it in
 * the value (a write, as in Redis); several keys answer the count of their union, caching nothing.
 */
function pfCount(session: Session, args: CommandArgs, out: ReplyWriter): void {
  if (args.count > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let at = 1; at < args.count; at++) {
      const value = readHll(session, args, at);
      if (value !== undefined) mergeInto(max, value);
    }
    return out.integer(registersCount(max));
  }
  const value = readHll(session, args, 1);
  if (value === undefined) return out.integer(0);
  const cached = cachedCount(value);
  if (cached !== undefined) return out.integer(cached);
  const count = hllCount(value);
  // The cache is only a shortcut: a node that refuses writes (disk trouble) still answers.
  session.store.update(args.latin1(1), (stored) => {
    cacheCount(stored, count);
    return true;
  });
  out.integer(count);
}

/**
 * PFMERGE destkey [sourcekey ...]: the union of every key named (destkey included) into destkey,
 * dense when any of them is.
 */
function pfMerge(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let dense = false;
  let target: Buffer | undefined;
  for (let at = 1; at < args.count; at++) {
    const value = readHll(session, args, at);
    if (value === undefined) continue;
    if (at === 1) target = Buffer.from(value);
    if (isDense(value)) dense = true;
    mergeInto(max, value);
  }
  const merged = writeRegisters(target ?? emptyHll(), max, dense);
  const key = args.latin1(1);
  if (!store(session, key, merged, out)) return;
  // Redis names PFMERGE's event `pfadd`.
  session.server.keyspaceEvents.written(STRING, 'pfadd', key, target === undefined);
  out.ok();
}
