import type { LogLevel } from '../util/logger.ts';
import type { Durability, OptionValues } from './schema.ts';

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
  };
}

/** The configuration with the password replaced by a marker, for logs, /v1/stats and errors. */
export function redactConfig(
  config: NodeConfig,
): Omit<NodeConfig, 'requirepass'> & { requirepass: string | null } {
  return { ...config, requirepass: config.requirepass === null ? null : '(set)' };
}
