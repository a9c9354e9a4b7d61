import { policyNames } from '../policy/registry.ts';
import { INVALID_KEYSPACE_EVENTS, parseKeyspaceEvents } from './keyspace-events.ts';
import { LOG_LEVELS } from '../util/logger.ts';
import type { LogLevel } from '../util/logger.ts';
import {
  bytes,
  integer,
  milliseconds,
  modelSource,
  oneOf,
  optionalWord,
  percent,
  port,
  scorerAddress,
  text,
  word,
} from './parsers.ts';
import type { Parser } from './parsers.ts';

/**
 * The node's options as one table: name, flag, environment variable, config-file key, default,
 * documentation and parser. Pure (no I/O, no process globals) so that the operator can import it to
 * render a node's configuration and the help text cannot drift from what the loader accepts.
 *
 * Every option can be given three ways, and the first of these that is present wins:
 * `--flag value` (or `--flag=value`), the environment variable `MLCACHE_<FLAG>` (upper case,
 * dashes as underscores), and a line `flag value` in the config file named by `--config`.
 */

export const DURABILITIES = ['none', 'async', 'sync'] as const;
/** How writes reach RocksDB: never, in the background, or before the reply. */
export type Durability = (typeof DURABILITIES)[number];

/**
 * The learned policies (node/src/policy/ml-hybrid.ts): a base policy whose victims a model may
 * overrule. They are not in the policy registry because they need ports the node cannot build
 * itself (a trainer, a model decoder, a scorer client): the `mlcache` CLI composes them.
 */
export const ML_POLICIES = ['ml-lru', 'ml-lfu'] as const;
export type MlPolicyName = (typeof ML_POLICIES)[number];

/** The base policy of a learned policy name, or null for a plain policy. */
export function mlBaseOf(policy: string): 'lru' | 'lfu' | null {
  if (policy === 'ml-lru') return 'lru';
  if (policy === 'ml-lfu') return 'lfu';
  return null;
}

/** Every `--policy` name: the registry's plain policies, then the learned ones. */
export function allPolicyNames(): string[] {
  return [...policyNames(), ...ML_POLICIES];
}

export const SCORER_RANKS = ['local', 'remote'] as const;
/** `--ml-plain-switch`: whether a learned policy may run as its plain base (`plainSustain`). */
export const PLAIN_SWITCH = ['on', 'off'] as const;
export type PlainSwitch = (typeof PLAIN_SWITCH)[number];
/**
 * Where a node with a scorer service (`--scorer grpc://`) ranks eviction candidates: in process
 * with the service's published model (`local`), or by asking the service (`remote`).
 */
export type ScorerRank = (typeof SCORER_RANKS)[number];

/** Default `--scorer-deadline` (ms) when candidates are scored in process. */
export const LOCAL_SCORE_DEADLINE_MS = 2;
/**
 * Default `--scorer-deadline` (ms) with `--scorer-rank remote`. Ask-ahead batches never block an
 * eviction, so the deadline only has to catch a hung scorer; answers must not be dropped as late
 * under load: a round trip measured 60-80 ms on average on a busy 2-core machine during a
 * pipelined write load (the node's event loop is busy between chunks), and 50 ms missed.
 */
export const REMOTE_SCORE_DEADLINE_MS = 250;
/**
 * Default `--ml-evicted-keys`: the learned policies' own default (`ghostMaxCapacity` in
 * ml-hybrid-params.ts; a test ties the two), about 335 MB when full.
 */
export const DEFAULT_ML_EVICTED_KEYS = 1 << 22;

/** The values of the table, after parsing and before cross-field resolution. */
export interface OptionValues {
  port: number;
  bind: string;
  grpcPort: number;
  adminPort: number;
  maxMemory: number;
  evictionHeadroom: number;
  scriptTimeLimit: number;
  notifyKeyspaceEvents: string;
  policy: string;
  maxValueSize: number;
  maxKeySize: number;
  dataDir: string;
  durability: Durability | '';
  requirepass: string;
  requirepassFile: string;
  nodeName: string;
  logLevel: LogLevel;
  config: string;
  ring: string;
  nodeId: string;
  migrationRate: number;
  scorer: string;
  scorerRank: ScorerRank;
  model: string;
  /** 0: not given (the default follows --scorer-rank, see `resolveConfig`). */
  scorerDeadline: number;
  mlEvictedKeys: number;
  mlPlainSwitch: PlainSwitch;
}

export type OptionKey = keyof OptionValues;

/** One row of the table. */
export interface OptionSpec<K extends OptionKey = OptionKey> {
  readonly key: K;
  /** The long flag without dashes; also the config-file key. */
  readonly flag: string;
  /** Other accepted flag names (command line only). */
  readonly aliases: readonly string[];
  readonly env: string;
  /** The placeholder shown in the help text (`--port PORT`). */
  readonly valueName: string;
  /** The default as text, parsed like any input; '' means "not set" or "derived" (see doc). */
  readonly defaultText: string;
  readonly doc: string;
  readonly parse: Parser<OptionValues[K]>;
  /** False for options that make no sense in a config file (the file's own path). */
  readonly inFile: boolean;
}

type AnyOption = { [K in OptionKey]: OptionSpec<K> }[OptionKey];

function option<K extends OptionKey>(
  key: K,
  flag: string,
  spec: Omit<OptionSpec<K>, 'key' | 'flag' | 'env' | 'aliases' | 'inFile'> &
    Partial<Pick<OptionSpec<K>, 'aliases' | 'inFile'>>,
): OptionSpec<K> {
  const env = `MLCACHE_${flag.toUpperCase().replaceAll('-', '_')}`;
  return { key, flag, env, aliases: [], inFile: true, ...spec };
}

/** The default ports, exported for the operator (Service and probe ports). */
export const DEFAULT_PORTS = { resp: 6379, grpc: 7379, admin: 9379 } as const;

/** The option table, in the order of the help text. */
export const OPTIONS: readonly AnyOption[] = [
  option('port', 'port', {
    valueName: 'PORT',
    defaultText: String(DEFAULT_PORTS.resp),
    doc: 'RESP (Redis protocol) port; 0 picks a free port.',
    parse: port,
  }),
  option('bind', 'bind', {
    aliases: ['host'],
    valueName: 'ADDR',
    defaultText: '0.0.0.0',
    doc:
      'Address of all three listeners. All interfaces by default, as a container server must be ' +
      'reachable through its pod IP; there is no Redis "protected mode", so set --requirepass or ' +
      'bind 127.0.0.1 outside a private network.',
    parse: word,
  }),
  option('grpcPort', 'grpc-port', {
    valueName: 'PORT',
    defaultText: String(DEFAULT_PORTS.grpc),
    doc: 'gRPC API port (mlcache.v1.Cache); 0 picks a free port.',
    parse: port,
  }),
  option('adminPort', 'admin-port', {
    valueName: 'PORT',
    defaultText: String(DEFAULT_PORTS.admin),
    doc:
      'HTTP admin port (/metrics, /healthz, /readyz, /v1/stats); 0 picks a free port. Not 9121, ' +
      "redis_exporter's port, so that both can run side by side during a migration.",
    parse: port,
  }),
  option('maxMemory', 'maxmemory', {
    valueName: 'SIZE',
    defaultText: '0',
    doc:
      'Memory budget for keys, values and per-entry overhead; 0 means unlimited. Units as in ' +
      'redis.conf: k/m/g are powers of 1000, kb/mb/gb and kib/mib/gib powers of 1024.',
    parse: bytes(0),
  }),
  option('evictionHeadroom', 'eviction-headroom', {
    valueName: 'PERCENT',
    defaultText: '1%',
    doc:
      'Share of --maxmemory kept free by evicting between requests, after the replies are ' +
      'written, so that a write finds room without waiting for an eviction (or, with ml-lru and ' +
      'ml-lfu, for the model). A write evicts itself only when the budget would be exceeded: ' +
      'memory never goes above --maxmemory. Up to 50; 0 evicts only inline, as Redis does.',
    parse: percent(50),
  }),
  option('scriptTimeLimit', 'script-time-limit', {
    valueName: 'MS',
    defaultText: '5000',
    doc:
      'A Lua script (EVAL) still running after this many milliseconds is stopped with an error; ' +
      'its writes so far stay. The node serves nothing else while a script runs. 0: no limit.',
    parse: integer(0, 3_600_000, ' of ms'),
  }),
  option('notifyKeyspaceEvents', 'notify-keyspace-events', {
    valueName: 'CLASSES',
    defaultText: '',
    doc:
      "Redis's notify-keyspace-events at start (CONFIG SET changes it while running): K and/or E " +
      'with x for expired keys and e for evicted ones, e.g. Exe. Other classes are accepted and ' +
      'raise nothing (mlcache notifies of expiries and evictions only).',
    parse: (value) =>
      parseKeyspaceEvents(value) === undefined
        ? { ok: false, problem: INVALID_KEYSPACE_EVENTS }
        : { ok: true, value },
  }),
  option('policy', 'policy', {
    valueName: 'NAME',
    defaultText: 'lru',
    doc:
      `Eviction policy: ${allPolicyNames().join(', ')}. ml-lru and ml-lfu are LRU and LFU whose ` +
      'victims a learned model may overrule (see --scorer, --model, --scorer-deadline).',
    parse: (value) => oneOf(allPolicyNames())(value),
  }),
  option('scorer', 'scorer', {
    valueName: 'WHERE',
    defaultText: 'local',
    doc:
      'Where ml-lru and ml-lfu get their model: local (the model runs in the node and is ' +
      'retrained online in a worker thread) or grpc://HOST:PORT (a scorer service, which trains ' +
      'on the samples every node sends and publishes its models; see --scorer-rank).',
    parse: scorerAddress,
  }),
  option('scorerRank', 'scorer-rank', {
    valueName: 'WHERE',
    defaultText: 'local',
    doc:
      'With --scorer grpc://: local (the node installs each model the service publishes and ' +
      'scores candidates in process; its samples go to the service) or remote (the node asks ' +
      'the service to score batches ahead of need; evictions fall back to the base policy when ' +
      'it is slow or away).',
    parse: oneOf(SCORER_RANKS),
  }),
  option('model', 'model', {
    valueName: 'PATH',
    defaultText: 'default',
    doc:
      'The model the node ranks with until it trains one (--scorer local) or pulls one from the ' +
      'scorer service: default (the shipped ml-scorer/models/default.onnx, trained on synthetic ' +
      "workloads), none (the base policy until then), or an ONNX file written by 'mlcache " +
      "train'. A file that cannot be used stops the node at start. Not with --scorer-rank remote.",
    parse: modelSource,
  }),
  option('scorerDeadline', 'scorer-deadline', {
    valueName: 'MS',
    defaultText: '',
    doc:
      'Deadline of one scoring batch in milliseconds; a batch that takes longer counts towards ' +
      "the circuit breaker and that eviction is the base policy's. Default: " +
      `${LOCAL_SCORE_DEADLINE_MS} in process, ${REMOTE_SCORE_DEADLINE_MS} with --scorer-rank remote.`,
    parse: (value) => (value === '' ? { ok: true, value: 0 } : milliseconds(value)),
  }),
  option('mlEvictedKeys', 'ml-evicted-keys', {
    valueName: 'N',
    defaultText: String(DEFAULT_ML_EVICTED_KEYS),
    doc:
      'Most evicted keys whose access history ml-lru and ml-lfu remember, so that a key that ' +
      'comes back is not new to the model. The table grows to twice the resident keys, up to ' +
      'this and to 5% of --maxmemory, which it counts against (about 80 bytes each). 0 remembers none.',
    parse: integer(0, 1 << 30),
  }),
  option('mlPlainSwitch', 'ml-plain-switch', {
    valueName: 'on|off',
    defaultText: 'on',
    doc:
      'Whether ml-lru and ml-lfu may run as their plain base policy where their learned state ' +
      '(about 168 bytes per key, and the evicted-keys table) costs more hits than it earns: when ' +
      'a replay of the plain policy in the same memory out-hits the node for a sustained period, ' +
      'the node frees that state, holds more keys, and tries learning again later (after 4M ' +
      'requests, doubling while it keeps losing, or sooner when its hit ratio shows that the ' +
      'workload turned). off: always learned.',
    parse: oneOf(PLAIN_SWITCH),
  }),
  option('maxValueSize', 'max-value-size', {
    valueName: 'SIZE',
    defaultText: '512mb',
    doc: "Largest value accepted (Redis's proto-max-bulk-len).",
    parse: bytes(1),
  }),
  option('maxKeySize', 'max-key-size', {
    valueName: 'SIZE',
    defaultText: '64kb',
    doc:
      'Longest key accepted. Redis allows 512mb, but keys are hashed and compared on every access ' +
      'and real ones are short; a long key is almost always a bug in the client.',
    parse: bytes(1),
  }),
  option('dataDir', 'data-dir', {
    valueName: 'DIR',
    defaultText: '',
    doc: 'RocksDB directory; the node reloads it at start. Without it nothing is kept.',
    parse: text,
  }),
  option('durability', 'durability', {
    valueName: 'MODE',
    defaultText: '',
    doc:
      'none (keep nothing), async (write in the background) or sync (reply after the write is ' +
      'durable). Default: async with --data-dir, none without; async and sync need --data-dir.',
    parse: (value) =>
      value === '' ? { ok: true, value: '' as const } : oneOf(DURABILITIES)(value),
  }),
  option('requirepass', 'requirepass', {
    valueName: 'PASSWORD',
    defaultText: '',
    doc:
      'Password clients must give (AUTH on RESP, "authorization: Bearer" metadata on gRPC). ' +
      'Prefer --requirepass-file: flags show in ps.',
    parse: text,
  }),
  option('requirepassFile', 'requirepass-file', {
    valueName: 'FILE',
    defaultText: '',
    doc: 'File holding the password (a mounted Secret); one trailing newline is ignored.',
    parse: text,
  }),
  option('nodeName', 'node-name', {
    valueName: 'NAME',
    defaultText: '',
    doc: 'Name in metrics labels, logs and stats. Default: the host name (the pod name).',
    parse: optionalWord,
  }),
  option('logLevel', 'log-level', {
    valueName: 'LEVEL',
    defaultText: 'info',
    doc: `JSON log lines on stderr at or above: ${LOG_LEVELS.join(', ')}.`,
    parse: oneOf(LOG_LEVELS),
  }),
  option('ring', 'ring', {
    valueName: 'FILE',
    defaultText: '',
    doc:
      'Ring file (JSON; a mounted ConfigMap): makes the node a cluster member that serves only the ' +
      'shards the ring gives it (MOVED for others) and pulls shards migrating to it. The file is ' +
      'watched; PUT /v1/ring on the admin port also takes rings. Without it the node is standalone.',
    parse: text,
  }),
  option('nodeId', 'node-id', {
    valueName: 'ID',
    defaultText: '',
    doc: "This node's id in the ring. Default: the node name.",
    parse: optionalWord,
  }),
  option('migrationRate', 'migration-rate', {
    valueName: 'SIZE',
    defaultText: '64mb',
    doc: 'Bytes per second a node may pull when shards migrate to it (all sources together); 0 means unlimited.',
    parse: bytes(0),
  }),
  option('config', 'config', {
    valueName: 'FILE',
    defaultText: '',
    inFile: false,
    doc: 'Config file: one "key value" per line, keys are the flag names (see below).',
    parse: text,
  }),
];

/** Looks an option up by flag name or alias (without dashes). */
export function findOption(flag: string): AnyOption | undefined {
  return OPTIONS.find((spec) => spec.flag === flag || spec.aliases.includes(flag));
}
