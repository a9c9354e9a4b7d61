import { formatOptionRows } from '../../config/help.ts';
import type { LoadOutcome } from '../../platform/lifecycle.ts';
import { readOptionTable } from '../../platform/option-table.ts';
import type { LogLevel } from '../../util/logger.ts';
import type { MirrorTarget } from '../mirror/mirrors.ts';
import { GATEWAY_OPTIONS } from './gateway-options.ts';
import type { GatewayOptionValues } from './gateway-options.ts';

/** The gateway's validated configuration, as gateway-main.ts wires it. */
export interface GatewayConfig {
  readonly port: number;
  readonly bind: string;
  readonly adminPort: number;
  /** The ring file, or null. */
  readonly ring: string | null;
  /** The static ring's node addresses (empty unless --nodes). */
  readonly nodes: readonly string[];
  readonly ringPollMs: number;
  /** The client password, or null for none. */
  readonly requirepass: string | null;
  /** The password for the nodes, or null for none. */
  readonly nodePassword: string | null;
  readonly connectionsPerNode: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly maxQueue: number;
  readonly maxRedirects: number;
  readonly nearCacheTtlMs: number;
  readonly nearCacheKeys: number;
  /** `--near-cache-invalidation on`: the nodes' changes drop near-cache entries at once. */
  readonly nearCacheInvalidation: boolean;
  readonly maxInflight: number;
  readonly maxClients: number;
  readonly gatewayName: string;
  readonly logLevel: LogLevel;
  /** Mirror mode's nodes (empty: off). */
  readonly mirrors: readonly MirrorTarget[];
  readonly primaryName: string;
  readonly mirrorMaxInflight: number;
}

/** What the loader reads from the outside world; the composition root passes the real ones. */
export interface GatewayLoadInputs {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  /** Reads a UTF-8 file; throws (with a Node `code`) when it cannot. */
  readonly readFile: (path: string) => string;
}

export type GatewayLoadResult = LoadOutcome<GatewayConfig>;

/** Builds the configuration from flags and environment; every problem is reported at once. */
export function loadGatewayConfig(inputs: GatewayLoadInputs): GatewayLoadResult {
  const read = readOptionTable(GATEWAY_OPTIONS, inputs.argv, inputs.env);
  if (read.kind === 'help') return read;
  const { values, problems } = read;
  if (problems.length > 0) return { kind: 'invalid', problems };
  const v = values as GatewayOptionValues;

  if (v.ring !== '' && v.nodes.length > 0)
    problems.push('--ring, --nodes: give one or the other, not both');
  const requirepass = secret(inputs, v.requirepass, v.requirepassFile, 'requirepass', problems);
  const nodePassword = secret(
    inputs,
    v.nodePassword,
    v.nodePasswordFile,
    'node-password',
    problems,
  );
  if (problems.length > 0) return { kind: 'invalid', problems };
  return {
    kind: 'config',
    config: {
      port: v.port,
      bind: v.bind,
      adminPort: v.adminPort,
      ring: v.ring === '' ? null : v.ring,
      nodes: v.nodes,
      ringPollMs: v.ringPollInterval,
      requirepass,
      nodePassword,
      connectionsPerNode: v.connectionsPerNode,
      connectTimeoutMs: v.connectTimeout,
      commandTimeoutMs: v.commandTimeout,
      maxQueue: v.maxQueue,
      maxRedirects: v.maxRedirects,
      nearCacheTtlMs: v.nearCacheTtl,
      nearCacheKeys: v.nearCacheKeys,
      nearCacheInvalidation: v.nearCacheInvalidation === 'on',
      maxInflight: v.maxInflight,
      maxClients: v.maxClients,
      gatewayName: v.gatewayName === '' ? inputs.hostname : v.gatewayName,
      logLevel: v.logLevel,
      mirrors: v.mirror,
      primaryName: v.primaryName,
      mirrorMaxInflight: v.mirrorMaxInflight,
    },
  };
}

/** A password given directly or in a file (not both); null for none. */
function secret(
  inputs: GatewayLoadInputs,
  value: string,
  file: string,
  flag: string,
  problems: string[],
): string | null {
  if (value !== '' && file !== '') {
    problems.push(`--${flag}, --${flag}-file: give one or the other, not both`);
    return null;
  }
  if (file === '') return value === '' ? null : value;
  try {
    // A Secret written with `echo` or an editor ends with a newline that is not part of it.
    const content = inputs.readFile(file).replace(/\r?\n$/, '');
    if (content === '') problems.push(`--${flag}-file: '${file}' is empty`);
    return content;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    problems.push(
      `--${flag}-file: cannot read '${file}'${typeof code === 'string' ? ` (${code})` : ''}`,
    );
    return null;
  }
}

/** The configuration with passwords replaced by a marker, for logs. */
export function redactGatewayConfig(config: GatewayConfig): Record<string, unknown> {
  return {
    ...config,
    requirepass: config.requirepass === null ? null : '(set)',
    nodePassword: config.nodePassword === null ? null : '(set)',
  };
}

/** The text of `mlcache gateway --help`, built from the option table. */
export function gatewayHelpText(): string {
  const rows = formatOptionRows(GATEWAY_OPTIONS.map((spec) => ({ ...spec, flags: [spec.flag] })));
  return [
    'Usage: mlcache gateway [options]',
    '',
    'Routes Redis clients to the owners of their keys across a cluster of mlcache nodes.',
    '',
    'Options (environment variable, default):',
    ...rows,
    '',
    'On start the gateway prints one JSON line on stdout with the actual ports:',
    '  {"event":"listening","gateway":"...","bind":"...","resp":6379,"admin":9380,"pid":...}',
    'Logs go to stderr, one JSON object per line. See docs/gateway.md.',
  ].join('\n');
}
