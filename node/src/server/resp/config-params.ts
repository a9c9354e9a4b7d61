import { parseBytes } from '../../util/bytes.ts';
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
};
