import { integer, optionalWord, oneOf, port, text, word } from '../../config/parsers.ts';
import { optionRows } from '../../platform/option-table.ts';
import type { OptionRow } from '../../platform/option-table.ts';
import type { Parsed, Parser } from '../../config/parsers.ts';
import { LOG_LEVELS } from '../../util/logger.ts';
import type { LogLevel } from '../../util/logger.ts';
import type { MirrorTarget } from '../mirror/mirrors.ts';
import { splitAddress } from '../upstream/address.ts';

/**
 * The gateway's options as one table (the node's config/schema.ts pattern): flag, environment
 * variable, default, documentation and parser, so that the help text cannot drift from what the
 * loader accepts. Each option is `--flag value`, `--flag=value` or `MLCACHE_GATEWAY_<FLAG>`
 * (upper case, dashes as underscores); the flag wins.
 */
export interface GatewayOptionValues {
  port: number;
  bind: string;
  adminPort: number;
  ring: string;
  nodes: readonly string[];
  ringPollInterval: number;
  requirepass: string;
  requirepassFile: string;
  nodePassword: string;
  nodePasswordFile: string;
  connectionsPerNode: number;
  connectTimeout: number;
  commandTimeout: number;
  maxQueue: number;
  maxRedirects: number;
  nearCacheTtl: number;
  nearCacheKeys: number;
  nearCacheInvalidation: 'on' | 'off';
  maxInflight: number;
  maxClients: number;
  gatewayName: string;
  logLevel: LogLevel;
  mirror: readonly MirrorTarget[];
  primaryName: string;
  mirrorMaxInflight: number;
}

export type GatewayOptionKey = keyof GatewayOptionValues;

export type GatewayOptionSpec<K extends GatewayOptionKey = GatewayOptionKey> = OptionRow<
  K,
  GatewayOptionValues[K]
>;

type AnyOption = { [K in GatewayOptionKey]: GatewayOptionSpec<K> }[GatewayOptionKey];

const option = optionRows<GatewayOptionValues>('gateway');

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (problem: string): Parsed<never> => ({ ok: false, problem });

/** `host:port,host:port`; empty means none. */
const addressList: Parser<readonly string[]> = (value) => {
  if (value.trim() === '') return ok([]);
  const addresses = value.split(',').map((part) => part.trim());
  const bad = addresses.filter((address) => splitAddress(address) === undefined);
  if (bad.length > 0) return fail(`'${bad.join("', '")}' is not host:port`);
  if (new Set(addresses).size !== addresses.length) return fail('an address is listed twice');
  return ok(addresses);
};

/** `NAME=host:port,...` (repeated --mirror flags are joined with commas); empty means none. */
const mirrorList: Parser<readonly MirrorTarget[]> = (value) => {
  if (value.trim() === '') return ok([]);
  const targets: MirrorTarget[] = [];
  for (const part of value.split(',').map((item) => item.trim())) {
    const eq = part.indexOf('=');
    const name = part.slice(0, Math.max(0, eq));
    const address = part.slice(eq + 1);
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,62}$/.test(name) || splitAddress(address) === undefined) {
      return fail(`'${part}' is not NAME=host:port (NAME: letters, digits, . _ + -)`);
    }
    targets.push({ name, address });
  }
  if (new Set(targets.map((t) => t.name)).size !== targets.length)
    return fail('a mirror name is given twice');
  return ok(targets);
};

/** The gateway's default ports: the Redis port for clients, the node's admin port plus one. */
export const GATEWAY_DEFAULT_PORTS = { resp: 6379, admin: 9380 } as const;

/** The option table, in the order of the help text. */
export const GATEWAY_OPTIONS: readonly AnyOption[] = [
  option('port', 'port', {
    valueName: 'PORT',
    defaultText: String(GATEWAY_DEFAULT_PORTS.resp),
    doc: 'RESP (Redis protocol) port for clients; 0 picks a free port.',
    parse: port,
  }),
  option('bind', 'bind', {
    valueName: 'ADDR',
    defaultText: '0.0.0.0',
    doc: 'Address of both listeners. Set --requirepass or bind 127.0.0.1 outside a private network.',
    parse: word,
  }),
  option('adminPort', 'admin-port', {
    valueName: 'PORT',
    defaultText: String(GATEWAY_DEFAULT_PORTS.admin),
    doc: 'HTTP admin port (/metrics, /healthz, /readyz, GET and PUT /v1/ring); 0 picks a free port.',
    parse: port,
  }),
  option('ring', 'ring', {
    valueName: 'FILE',
    defaultText: '',
    doc:
      'Ring document (JSON, as the operator writes it into a ConfigMap). Read at start, then ' +
      "watched: the directory's changes and a periodic re-read. An invalid document or an older " +
      'epoch is refused and the last good ring stays.',
    parse: text,
  }),
  option('nodes', 'nodes', {
    valueName: 'LIST',
    defaultText: '',
    doc: 'Instead of --ring: a fixed ring of standalone nodes, host:port,host:port,... (epoch 0).',
    parse: addressList,
  }),
  option('ringPollInterval', 'ring-poll-interval', {
    valueName: 'MS',
    defaultText: '2000',
    doc: 'How often the --ring file is re-read besides watching it; 0 watches only.',
    parse: integer(0, 3_600_000, ' of ms'),
  }),
  option('requirepass', 'requirepass', {
    valueName: 'PASSWORD',
    defaultText: '',
    doc: 'Password clients must give (AUTH). Prefer --requirepass-file: flags show in ps.',
    parse: text,
  }),
  option('requirepassFile', 'requirepass-file', {
    valueName: 'FILE',
    defaultText: '',
    doc: 'File holding the client password (a mounted Secret); one trailing newline is ignored.',
    parse: text,
  }),
  option('nodePassword', 'node-password', {
    valueName: 'PASSWORD',
    defaultText: '',
    doc: 'Password the gateway gives the nodes (their --requirepass). Prefer --node-password-file.',
    parse: text,
  }),
  option('nodePasswordFile', 'node-password-file', {
    valueName: 'FILE',
    defaultText: '',
    doc: "File holding the nodes' password; one trailing newline is ignored.",
    parse: text,
  }),
  option('connectionsPerNode', 'connections-per-node', {
    valueName: 'N',
    defaultText: '2',
    doc: 'Persistent pipelined connections to each node; each client sticks to one of them.',
    parse: integer(1, 64),
  }),
  option('connectTimeout', 'connect-timeout', {
    valueName: 'MS',
    defaultText: '1000',
    doc: 'A connection to a node not made within this time fails; commands for it get CLUSTERDOWN.',
    parse: integer(1, 600_000, ' of ms'),
  }),
  option('commandTimeout', 'command-timeout', {
    valueName: 'MS',
    defaultText: '5000',
    doc: 'A node that answers nothing this long while commands wait is reconnected; they fail.',
    parse: integer(1, 3_600_000, ' of ms'),
  }),
  option('maxQueue', 'max-queue', {
    valueName: 'N',
    defaultText: '1024',
    doc: 'Commands queued per node connection while it first connects; more fail at once.',
    parse: integer(0, 1_000_000),
  }),
  option('maxRedirects', 'max-redirects', {
    valueName: 'N',
    defaultText: '2',
    doc: 'Times a command answered MOVED is retried (after re-reading the ring) before TRYAGAIN.',
    parse: integer(0, 16),
  }),
  option('nearCacheTtl', 'near-cache-ttl', {
    valueName: 'MS',
    defaultText: '200',
    doc:
      'How long GET replies of hot keys are served by the gateway; 0 disables the near cache. ' +
      'Writes through this gateway invalidate at once; writes through another one are seen after ' +
      'at most this long.',
    parse: integer(0, 3_600_000, ' of ms'),
  }),
  option('nearCacheKeys', 'near-cache-keys', {
    valueName: 'N',
    defaultText: '128',
    doc: 'How many hot keys (Space-Saving top-K of GETs) may be cached; 0 disables the near cache.',
    parse: integer(0, 1_000_000),
  }),
  option('nearCacheInvalidation', 'near-cache-invalidation', {
    valueName: 'on|off',
    defaultText: 'off',
    doc:
      'on: the nodes tell the gateway of every key that changes (CLIENT TRACKING BCAST), and the ' +
      'near cache drops it at once, whoever changed it: its staleness is then the network delay, ' +
      'not the TTL, which can be set much longer. It costs the nodes and the gateway a message ' +
      'per changed key. off: writes through other gateways are seen after at most the TTL.',
    parse: oneOf(['on', 'off'] as const),
  }),
  option('maxInflight', 'max-inflight', {
    valueName: 'N',
    defaultText: '4096',
    doc: 'Commands one client may have waiting for replies before the gateway stops reading it.',
    parse: integer(1, 1_000_000),
  }),
  option('maxClients', 'maxclients', {
    valueName: 'N',
    defaultText: '10000',
    doc: 'Client connections beyond this get "max number of clients reached".',
    parse: integer(1, 1_000_000),
  }),
  option('gatewayName', 'gateway-name', {
    valueName: 'NAME',
    defaultText: '',
    doc: 'Name in metrics labels, logs and INFO. Default: the host name (the pod name).',
    parse: optionalWord,
  }),
  option('mirror', 'mirror', {
    valueName: 'NAME=ADDR',
    defaultText: '',
    repeatable: true,
    doc:
      'Mirror mode (repeatable): also send every keyspace request, in the same order, to the ' +
      'standalone node at ADDR (host:port); its replies are discarded, its latency measured per ' +
      'pool (/metrics, GET /v1/mirror). Uses one connection per node and no near cache.',
    parse: mirrorList,
  }),
  option('primaryName', 'primary-name', {
    valueName: 'NAME',
    defaultText: 'primary',
    doc: "Mirror mode: the primary pool's name in metrics and /v1/mirror.",
    parse: word,
  }),
  option('mirrorMaxInflight', 'mirror-max-inflight', {
    valueName: 'N',
    defaultText: '1024',
    doc:
      'Mirror mode: requests a mirror may have unanswered. At this bound the gateway stops ' +
      'reading clients until every mirror is down to half (a slow mirror slows clients down ' +
      'rather than miss requests; an unreachable one fails fast and slows nothing).',
    parse: integer(1, 1_000_000),
  }),
  option('logLevel', 'log-level', {
    valueName: 'LEVEL',
    defaultText: 'info',
    doc: `JSON log lines on stderr at or above: ${LOG_LEVELS.join(', ')}.`,
    parse: oneOf(LOG_LEVELS),
  }),
];
