import type { RecentMove } from '../cluster/rebalance-planner.ts';

/**
 * The state file of a local cluster (`DIR/cluster.json`): what `mlcache cluster up` started and
 * how to reach it, so that later commands (scale, status, down) find the processes again. The
 * ring says who owns what; this file says which process is which. It is rewritten after every
 * process start or stop, so that an interrupted command still leaves enough for `down`.
 */

export const CLUSTER_STATE_VERSION = 1;

export const DURABILITY_MODES = ['async', 'sync', 'none'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

/** How the cluster's processes are started; fixed at `up`, reused for nodes added by `scale`. */
export interface ClusterSettings {
  /** The address every listener binds; the ring's addresses use it too. */
  readonly bind: string;
  /** `--policy` of the nodes, or null for the node's default. */
  readonly policy: string | null;
  /** `--maxmemory` of the nodes, or null for the node's default. */
  readonly maxmemory: string | null;
  readonly durability: Durability;
  readonly logLevel: string;
  /** `--near-cache-ttl` of the gateway in ms, or null for its default. */
  readonly nearCacheTtlMs: number | null;
  /**
   * `--near-cache-invalidation on` for the gateway. Optional in a state file, so that a file
   * written before the setting existed still reads (as off).
   */
  readonly nearCacheInvalidation?: boolean;
}

/** A process this cluster started. */
export interface ProcessRecord {
  readonly pid: number;
  /** The RESP port. */
  readonly resp: number;
  /** The admin HTTP port. */
  readonly admin: number;
  /** Where its stdout and stderr go. */
  readonly log: string;
  /** ISO time of the start. */
  readonly startedAt: string;
}

export interface NodeRecord extends ProcessRecord {
  readonly id: string;
  readonly grpc: number;
  readonly dataDir: string;
}

export interface ClusterState {
  readonly version: typeof CLUSTER_STATE_VERSION;
  readonly settings: ClusterSettings;
  /** Sorted by ordinal (node-0, node-1, ...). */
  readonly nodes: readonly NodeRecord[];
  /** Null until the gateway has started. */
  readonly gateway: ProcessRecord | null;
  /** Hot-shard moves of earlier rebalance rounds, for the planner's cooldown. */
  readonly recentMoves: readonly RecentMove[];
}

export type StateResult =
  | { readonly ok: true; readonly state: ClusterState }
  | { readonly ok: false; readonly problems: readonly string[] };

export function serializeClusterState(state: ClusterState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** Parses a state file; every problem is listed with its path. */
export function parseClusterState(text: string): StateResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  const problems: string[] = [];
  const check = new Checker(problems);
  const root = check.object(value, '');
  if (root === undefined) return { ok: false, problems };
  if (root.version !== CLUSTER_STATE_VERSION) {
    problems.push(
      `version: expected ${CLUSTER_STATE_VERSION}, got ${JSON.stringify(root.version)}`,
    );
    return { ok: false, problems };
  }
  const settings = check.object(root.settings, 'settings');
  const nodes = check.array(root.nodes, 'nodes');
  const moves = check.array(root.recentMoves, 'recentMoves');
  const state = {
    version: CLUSTER_STATE_VERSION,
    settings: settings && {
      bind: check.string(settings.bind, 'settings.bind'),
      policy: check.nullable(settings.policy, 'settings.policy', check.string),
      maxmemory: check.nullable(settings.maxmemory, 'settings.maxmemory', check.string),
      durability: check.oneOf(settings.durability, 'settings.durability', DURABILITY_MODES),
      logLevel: check.string(settings.logLevel, 'settings.logLevel'),
      nearCacheTtlMs: check.nullable(settings.nearCacheTtlMs, 'settings.nearCacheTtlMs', check.int),
      nearCacheInvalidation:
        settings.nearCacheInvalidation === undefined
          ? false
          : check.boolean(settings.nearCacheInvalidation, 'settings.nearCacheInvalidation'),
    },
    nodes: nodes?.map((node, i) => {
      const path = `nodes[${i}]`;
      const record = check.object(node, path);
      return (
        record && {
          id: check.string(record.id, `${path}.id`),
          ...processRecord(check, record, path),
          grpc: check.int(record.grpc, `${path}.grpc`),
          dataDir: check.string(record.dataDir, `${path}.dataDir`),
        }
      );
    }),
    gateway: check.nullable(root.gateway, 'gateway', (value, path) => {
      const record = check.object(value, path);
      return record && processRecord(check, record, path);
    }),
    recentMoves: moves?.map((move, i) => {
      const path = `recentMoves[${i}]`;
      const record = check.object(move, path);
      return (
        record && {
          shard: check.int(record.shard, `${path}.shard`),
          from: check.string(record.from, `${path}.from`),
          to: check.string(record.to, `${path}.to`),
          at: check.int(record.at, `${path}.at`),
        }
      );
    }),
  };
  const ids = (state.nodes ?? []).map((node) => node?.id);
  ids.forEach((id, i) => {
    if (id !== undefined && ids.indexOf(id) !== i) problems.push(`nodes[${i}].id: "${id}" twice`);
  });
  // Every field was checked above: a problem-free parse is a complete ClusterState.
  return problems.length > 0 ? { ok: false, problems } : { ok: true, state: state as ClusterState };
}

function processRecord(check: Checker, record: Record<string, unknown>, path: string) {
  return {
    pid: check.int(record.pid, `${path}.pid`),
    resp: check.int(record.resp, `${path}.resp`),
    admin: check.int(record.admin, `${path}.admin`),
    log: check.string(record.log, `${path}.log`),
    startedAt: check.string(record.startedAt, `${path}.startedAt`),
  };
}

/** Field checks that record a problem and return undefined for a value of the wrong type. */
class Checker {
  readonly #problems: string[];

  constructor(problems: string[]) {
    this.#problems = problems;
  }

  object(value: unknown, path: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
    return this.#fail(path, 'an object', value);
  }

  array(value: unknown, path: string): unknown[] | undefined {
    return Array.isArray(value) ? value : this.#fail(path, 'an array', value);
  }

  string = (value: unknown, path: string): string | undefined =>
    typeof value === 'string' ? value : this.#fail(path, 'a string', value);

  boolean = (value: unknown, path: string): boolean | undefined =>
    typeof value === 'boolean' ? value : this.#fail(path, 'true or false', value);

  int = (value: unknown, path: string): number | undefined =>
    Number.isSafeInteger(value) && (value as number) >= 0
      ? (value as number)
      : this.#fail(path, 'a non-negative integer', value);

  oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T | undefined {
    return values.includes(value as T)
      ? (value as T)
      : this.#fail(path, `one of ${values.join(', ')}`, value);
  }

  nullable<T>(
    value: unknown,
    path: string,
    read: (value: unknown, path: string) => T | undefined,
  ): T | null | undefined {
    return value === null ? null : read(value, path);
  }

  #fail(path: string, expected: string, value: unknown): undefined {
    this.#problems.push(`${path || '(root)'}: expected ${expected}, got ${JSON.stringify(value)}`);
    return undefined;
  }
}
