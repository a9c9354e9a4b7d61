import type { LogLevel } from '../util/logger.ts';
import {
  DEFAULT_ML_EVICTED_KEYS,
  LOCAL_SCORE_DEADLINE_MS,
  mlBaseOf,
  REMOTE_SCORE_DEADLINE_MS,
} from './schema.ts';
import type { Durability, OptionValues, ScorerRank } from './schema.ts';

/** The node's validated configuration, as `main.ts` wires it. */
export interface NodeConfig {
  readonly port: number;
  readonly bind: string;
  readonly grpcPort: number;
  readonly adminPort: number;
  /** Bytes; 0 means unlimited. */
  readonly maxMemory: number;
  readonly policy: string;
  readonly maxValueSize: number;
  readonly maxKeySize: number;
  /** The RocksDB directory, or null when nothing is persisted. */
  readonly dataDir: string | null;
  readonly durability: Durability;
  /** The password (from --requirepass or --requirepass-file), or null when there is none. */
  readonly requirepass: string | null;
  readonly nodeName: string;
  readonly logLevel: LogLevel;
  /** The config file that was read, or null. */
  readonly configFile: string | null;
  /** The ring file (--ring), or null for a standalone node. */
  readonly ring: string | null;
  /** This node's id in the ring (--node-id, default the node name). */
  readonly nodeId: string;
  /** Migration pull bandwidth in bytes per second; 0 means unlimited. */
  readonly migrationRate: number;
  /** Where ml-lru and ml-lfu score: `local`, or `grpc://host:port` (see `scorerTarget`). */
  readonly scorer: string;
  /**
   * With a scorer service: where candidates are ranked, in process with the model it publishes
   * (`local`) or by the service (`remote`). Always `local` with `--scorer local`.
   */
  readonly scorerRank: ScorerRank;
  /** A local scorer's first model: `default` (the shipped one), `none`, or a file path. */
  readonly model: string;
  /** Deadline of one scoring batch, in milliseconds (default: 2 in process, 250 remote). */
  readonly scorerDeadlineMs: number;
  /** The most evicted keys whose history the learned policies remember (`ghostMaxCapacity`). */
  readonly mlEvictedKeys: number;
  /** `--ml-plain-switch on`: the learned policy may run as its plain base (`plainSustain`). */
  readonly mlPlainSwitch: boolean;
  /** Share of the budget evicted ahead of writes, between requests (`Store.evictionHeadroom`). */
  readonly evictionHeadroom: number;
  /** A Lua script running longer is stopped with an error; 0: no limit (`scriptTimeLimitMs`). */
  readonly scriptTimeLimitMs: number;
  /** `notify-keyspace-events` at start (config/keyspace-events.ts). */
  readonly notifyKeyspaceEvents: string;
}

/** The `host:port` of a `grpc://host:port` scorer, or null for a local one. */
export function scorerTarget(scorer: string): string | null {
  return scorer.startsWith('grpc://') ? scorer.slice('grpc://'.length) : null;
}

/** True when a scorer service ranks the candidates (`--scorer grpc://… --scorer-rank remote`). */
export function rankedRemotely(scorer: string, rank: ScorerRank): boolean {
  return scorerTarget(scorer) !== null && rank === 'remote';
}

/**
 * The problems that no single option can see: combinations that contradict each other. Phrased
 * like the per-option problems (`--flag: ...`).
 */
export function crossCheck(values: OptionValues): string[] {
  const problems: string[] = [];
  if (values.requirepass !== '' && values.requirepassFile !== '') {
    problems.push('--requirepass, --requirepass-file: give one or the other, not both');
  }
  if (values.dataDir === '' && (values.durability === 'async' || values.durability === 'sync')) {
    problems.push(`--durability: '${values.durability}' needs --data-dir`);
  }
  if (values.dataDir !== '' && values.durability === 'none') {
    // Refused rather than ignored: a data directory that silently stays empty loses data on restart.
    problems.push("--durability: 'none' keeps nothing; drop --data-dir or choose async or sync");
  }
  // The learned-policy flags mean nothing to a plain policy: refused rather than ignored, so
  // that a typo in --policy does not silently run without the model someone asked for.
  // With a value that did not parse, its own problem says enough.
  const parsed = [
    values.policy,
    values.scorer,
    values.scorerRank,
    values.model,
    values.scorerDeadline,
    values.mlEvictedKeys,
    values.mlPlainSwitch,
  ];
  if (parsed.some((value) => value === undefined)) return problems;
  if (mlBaseOf(values.policy) === null) {
    const set = [
      values.scorer !== 'local' ? '--scorer' : '',
      values.scorerRank !== 'local' ? '--scorer-rank' : '',
      values.model !== 'default' ? '--model' : '',
      values.scorerDeadline !== 0 ? '--scorer-deadline' : '',
      values.mlEvictedKeys !== DEFAULT_ML_EVICTED_KEYS ? '--ml-evicted-keys' : '',
      values.mlPlainSwitch !== 'on' ? '--ml-plain-switch' : '',
    ].filter((flag) => flag !== '');
    if (set.length > 0) {
      problems.push(
        `${set.join(', ')}: only with --policy ml-lru or ml-lfu, not '${values.policy}'`,
      );
    }
  } else if (scorerTarget(values.scorer) === null && values.scorerRank !== 'local') {
    problems.push(
      `--scorer-rank: '${values.scorerRank}' needs a scorer service (--scorer grpc://HOST:PORT)`,
    );
  } else if (
    rankedRemotely(values.scorer, values.scorerRank) &&
    !['default', 'none'].includes(values.model)
  ) {
    problems.push(
      `--model: a model file is for ranking in the node; with --scorer-rank remote the scorer ` +
        `service at ${values.scorer} ranks with its own models`,
    );
  }
  return problems;
}

/**
 * Fills in the derived defaults: the durability follows the data directory, the node name is the
 * host name. `password` is the secret read from --requirepass-file, if any.
 */
export function resolveConfig(
  values: OptionValues,
  hostname: string,
  password: string | null,
): NodeConfig {
  const dataDir = values.dataDir === '' ? null : values.dataDir;
  return {
    port: values.port,
    bind: values.bind,
    grpcPort: values.grpcPort,
    adminPort: values.adminPort,
    maxMemory: values.maxMemory,
    policy: values.policy,
    maxValueSize: values.maxValueSize,
    maxKeySize: values.maxKeySize,
    dataDir,
    durability:
      values.durability === '' ? (dataDir === null ? 'none' : 'async') : values.durability,
    requirepass: password ?? (values.requirepass === '' ? null : values.requirepass),
    nodeName: values.nodeName === '' ? hostname : values.nodeName,
    logLevel: values.logLevel,
    configFile: values.config === '' ? null : values.config,
    ring: values.ring === '' ? null : values.ring,
    nodeId:
      values.nodeId !== '' ? values.nodeId : values.nodeName === '' ? hostname : values.nodeName,
    migrationRate: values.migrationRate,
    scorer: values.scorer,
    scorerRank: values.scorerRank,
    model: values.model,
    scorerDeadlineMs:
      values.scorerDeadline > 0
        ? values.scorerDeadline
        : rankedRemotely(values.scorer, values.scorerRank)
          ? REMOTE_SCORE_DEADLINE_MS
          : LOCAL_SCORE_DEADLINE_MS,
    mlEvictedKeys: values.mlEvictedKeys,
    mlPlainSwitch: values.mlPlainSwitch === 'on',
    evictionHeadroom: values.evictionHeadroom,
    scriptTimeLimitMs: values.scriptTimeLimit,
    notifyKeyspaceEvents: values.notifyKeyspaceEvents,
  };
}

/** The configuration with the password replaced by a marker, for logs, /v1/stats and errors. */
export function redactConfig(
  config: NodeConfig,
): Omit<NodeConfig, 'requirepass'> & { requirepass: string | null } {
  return { ...config, requirepass: config.requirepass === null ? null : '(set)' };
}
