import type { CommandArgs } from '../../../protocol/resp/command-args.ts';
import type { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import {
  cacheCount,
  cachedCount,
  emptyHll,
  hllAdd,
  hllCount,
  HllError,
  HLL_REGISTERS,
  invalidateCache,
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

/**
 * PFADD, PFCOUNT and PFMERGE over Redis's own HyperLogLog strings (core/hyperloglog.ts), so the
 * values and answers match Redis's. A value that is a string but not a HyperLogLog answers
 * WRONGTYPE, as in Redis. Each change rewrites the value (12 KB once dense), as SETBIT does.
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

/** The HyperLogLog at argument `at` (a copy the caller may change), undefined when absent. */
function readHll(session: Session, args: CommandArgs, at: number): Buffer | undefined {
  const value = session.store.get(args.latin1(at));
  if (value !== undefined && !isHll(value)) throw new HllError(NOT_HLL);
  return value;
}

/** Writes `value` back, keeping the key's TTL; false (with the error answered) when refused. */
function store(session: Session, key: string, value: Buffer, out: ReplyWriter): boolean {
  const result = session.store.set(key, value, { keepTtl: true });
  if (result.status === 'OK') return true;
  out.error(statusError(result.status));
  return false;
}

/** PFADD key [element ...]: 1 when a register grew (or the key was made), else 0. */
function pfAdd(session: Session, args: CommandArgs, out: ReplyWriter): void {
  const existing = readHll(session, args, 1);
  let value = existing ?? emptyHll();
  let updated = existing === undefined;
  for (let at = 2; at < args.count; at++) {
    const added = hllAdd(value, args.view(at));
    value = added.value;
    updated ||= added.updated;
  }
  if (!updated) return out.integer(0);
  invalidateCache(value);
  if (store(session, args.latin1(1), value, out)) out.integer(1);
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
  cacheCount(value, count);
  // The cache is only a shortcut: a node that refuses writes (out of memory, disk trouble) still
  // answers the count.
  session.store.set(args.latin1(1), value, { keepTtl: true });
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
    if (at === 1) target = value;
    if (value[4] === 0) dense = true;
    mergeInto(max, value);
  }
  const merged = writeRegisters(target ?? emptyHll(), max, dense);
  if (store(session, args.latin1(1), merged, out)) out.ok();
}
