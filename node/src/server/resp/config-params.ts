import { parseBytes } from '../../util/bytes.ts';
import {
  formatKeyspaceEvents,
  INVALID_KEYSPACE_EVENTS,
  parseKeyspaceEvents,
} from '../../config/keyspace-events.ts';
import type { ServerContext } from './server-context.ts';

/**
 * The parameters CONFIG GET reports: the memory settings that matter, and harmless fixed ones
 * that clients and tools ask for (redis-benchmark reads `save` and `appendonly` at start).
 * `check` and `apply` are present only where CONFIG SET may change the value: every pair of a
 * CONFIG SET is checked (an error text, or undefined) before any is applied.
 */
export interface ConfigParam {
  readonly get: (server: ServerContext) => string;
  readonly check?: (server: ServerContext, value: string) => string | undefined;
  readonly apply?: (server: ServerContext, value: string) => void;
}

/** Parameters whose value is fixed: setting them to that value is accepted as a no-op. */
function fixed(value: string): ConfigParam {
  return {
    get: () => value,
    check: (_server, given) =>
      given === value ? undefined : `mlcache does not support ${JSON.stringify(given)}`,
    apply: () => {},
  };
}

function immutable(get: (server: ServerContext) => string): ConfigParam {
  return { get };
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * An integer setting checked as Redis's INTEGER_CONFIG is, with its error texts; `min` to
 * 2^63 - 1 (LLONG_MAX and LONG_MAX alike on 64-bit Linux).
 */
function integer(
  min: bigint,
  get: (server: ServerContext) => number,
  set: (server: ServerContext, value: number) => void,
): ConfigParam {
  return {
    get: (server) => String(get(server)),
    check: (_server, value) => {
      const parsed = /^-?(0|[1-9][0-9]*)$/.test(value) ? BigInt(value) : undefined;
      if (parsed === undefined || parsed > INT64_MAX || parsed < -INT64_MAX - 1n)
        return "argument couldn't be parsed into an integer";
      return parsed < min
        ? `argument must be between ${min} and ${INT64_MAX} inclusive`
        : undefined;
    },
    apply: (server, value) => set(server, Number(value)),
  };
}

export const CONFIG_PARAMS: Readonly<Record<string, ConfigParam>> = {
  maxmemory: {
    get: (server) => String(server.store.stats().bytesCapacity),
    check: (server, value) => {
      if (parseBytes(value) === undefined) return 'argument must be a memory value';
      return server.store.setMaxMemory === undefined ? "can't set immutable config" : undefined;
    },
    apply: (server, value) => server.store.setMaxMemory?.(parseBytes(value) ?? 0),
  },
  'maxmemory-policy': immutable((server) => server.settings.policyName),
  'proto-max-bulk-len': immutable((server) => String(server.settings.maxValueSize)),
  maxclients: immutable((server) => String(server.settings.maxClients)),
  port: immutable((server) => String(server.port())),
  databases: immutable(() => '1'),
  'cluster-enabled': immutable(() => 'no'),
  save: fixed(''),
  appendonly: fixed('no'),
  timeout: fixed('0'),
  'tcp-keepalive': immutable(() => '300'),
  'slowlog-max-len': integer(
    0n,
    (server) => server.slowLog.maxLen,
    (server, value) => (server.slowLog.maxLen = value),
  ),
  'slowlog-log-slower-than': integer(
    -1n,
    (server) => server.slowLog.slowerThanUs,
    (server, value) => (server.slowLog.slowerThanUs = value),
  ),
  'tracking-table-max-keys': integer(
    0n,
    (server) => server.tracking.maxKeys,
    (server, value) => server.tracking.setMaxKeys(value),
  ),
  'notify-keyspace-events': {
    get: (server) => formatKeyspaceEvents(server.keyspaceEvents.flags),
    check: (_server, value) =>
      parseKeyspaceEvents(value) === undefined ? INVALID_KEYSPACE_EVENTS : undefined,
    apply: (server, value) => {
      server.keyspaceEvents.flags = parseKeyspaceEvents(value) ?? 0;
    },
  },
};
