import { NO_KEYS, SECOND_KEY } from '../command-spec.ts';
import type { CommandHandler, CommandSpec } from '../command-spec.ts';
import type { Session } from '../session.ts';
import { helpSubcommand } from './help.ts';

/** Redis's reply where the policy keeps no count (its wording). */
const NO_FREQUENCY =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that ' +
  'when switching between policies at runtime LRU and LFU data will take some time to adjust.';

/** Redis shares the integer objects 0 … 9999 where eviction does not need one object per key. */
const SHARED_INTEGERS = 10_000;
/** Redis's OBJ_SHARED_REFCOUNT: the reference count of a shared object. */
const SHARED_REFCOUNT = 2147483647;
/** Redis keeps strings up to 44 bytes in one allocation with their header (OBJ_ENCODING_EMBSTR). */
const EMBSTR_LIMIT = 44;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

const HELP_LINES = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/**
 * OBJECT FREQ, ENCODING, REFCOUNT, IDLETIME and HELP: what tools ask of a key. `redis-cli
 * --hotkeys` scans the keys and asks OBJECT FREQ of each, so it works under an LFU policy (lfu,
 * ml-lfu), as it does on Redis under allkeys-lfu. IDLETIME answers under every policy (Redis
 * refuses it under LFU ones, whose clock field holds counts): the store stamps each entry with the
 * second of its last access. None of them counts as an access.
 */
export const OBJECT_COMMAND: CommandSpec = {
  name: 'object',
  arity: -2,
  flags: [],
  // As Redis: the container has no key; each keyed subcommand names its own.
  ...NO_KEYS,
  group: 'generic',
  summary: 'A container for object introspection commands.',
  since: '2.2.3',
  subcommands: [
    keyed(
      'freq',
      'Returns the logarithmic access frequency counter of a Redis object.',
      '4.0.0',
      (session, args, out) => {
        const frequency = session.store.frequencyOf(args.latin1(2));
        if (frequency === -2) out.nullBulk();
        else if (frequency < 0) out.error(NO_FREQUENCY);
        else out.integer(frequency);
      },
    ),
    keyed(
      'encoding',
      'Returns the internal encoding of a Redis object.',
      '2.2.3',
      (session, args, out) => {
        const value = session.store.peek(args.latin1(2));
        if (value === undefined) out.nullBulk();
        else out.bulkLatin1(encodingOf(value));
      },
    ),
    keyed(
      'refcount',
      'Returns the reference count of a value of a key.',
      '2.2.3',
      (session, args, out) => {
        const value = session.store.peek(args.latin1(2));
        if (value === undefined) return out.nullBulk();
        out.integer(isSharedInteger(session, value) ? SHARED_REFCOUNT : 1);
      },
    ),
    keyed(
      'idletime',
      'Returns the time since the last access to a Redis object.',
      '2.2.3',
      (session, args, out) => {
        const idle = session.store.idleSeconds(args.latin1(2));
        if (idle < 0) out.nullBulk();
        else out.integer(idle);
      },
    ),
    helpSubcommand('OBJECT', 'generic', '6.2.0', HELP_LINES),
  ],
};

function keyed(name: string, summary: string, since: string, handler: CommandHandler): CommandSpec {
  return {
    name,
    arity: 3,
    flags: ['readonly'],
    ...SECOND_KEY,
    group: 'generic',
    summary,
    since,
    handler,
  };
}

/** What Redis would hold a string as: `int`, `embstr` or `raw` (tryObjectEncoding). */
export function encodingOf(value: Uint8Array): 'int' | 'embstr' | 'raw' {
  if (integerValue(value) !== undefined) return 'int';
  return value.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/**
 * The value as a signed 64-bit integer when Redis's string2ll takes it whole (an optional minus,
 * then digits with no leading zero, no "-0", at most 20 bytes, within range); else undefined.
 */
function integerValue(value: Uint8Array): bigint | undefined {
  const n = value.length;
  if (n === 0 || n > 20) return undefined;
  const negative = value[0] === 0x2d;
  const first = negative ? 1 : 0;
  if (first === n) return undefined;
  for (let i = first; i < n; i++) {
    const byte = value[i]!;
    if (byte < 0x30 || byte > 0x39) return undefined;
  }
  // "0" alone is canonical; "00", "01" and "-0" are not.
  if (value[first] === 0x30 && (n - first > 1 || negative)) return undefined;
  const parsed = BigInt(Buffer.from(value).toString('latin1'));
  return parsed > LONG_MAX || parsed < LONG_MIN ? undefined : parsed;
}

/**
 * Redis shares the objects of the integers 0 … 9999, unless its maxmemory policy evicts by LRU
 * or LFU, which needs an object per key: here, with no budget or under noeviction.
 */
function isSharedInteger(session: Session, value: Uint8Array): boolean {
  const server = session.server;
  const evicts =
    server.settings.policyName !== 'noeviction' && server.store.stats().bytesCapacity > 0;
  if (evicts) return false;
  const integer = integerValue(value);
  return integer !== undefined && integer >= 0n && integer < BigInt(SHARED_INTEGERS);
}
