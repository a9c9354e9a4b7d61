import { CommandRegistry } from '../../server/resp/command-registry.ts';
import type { CommandEntry } from '../../server/resp/command-registry.ts';
import type { CommandSpec } from '../../server/resp/command-spec.ts';
import { COMMAND_TABLE } from '../../server/resp/command-table.ts';
import { GATEWAY_CONFIG_COMMAND } from './config-command.ts';

/**
 * How the gateway serves a command:
 *
 * - `local` — answered by the gateway with the node's own handler (connection, CLIENT, COMMAND,
 *   TIME, and the subscriptions and PUBSUB on the gateway's own hub) or its own (CONFIG);
 * - `key` — one key at argument 1: forwarded as is to the key's owner (PUBLISH and SPUBLISH: to
 *   the owner of the channel's name);
 * - `keys` — several keys: forwarded as is when they all live on one node, else CROSSSLOT (a
 *   command the gateway does not know how to split);
 * - `mget`, `mset`, `count` (DEL, UNLINK, EXISTS, TOUCH) — split by owner, merged in request
 *   order;
 * - `scan` — walks the nodes one after another behind a composite cursor;
 * - `dbsize`, `flush`, `allKeys` (KEYS) — sent to every node, summed, all-OK or concatenated;
 * - `info` — the gateway's sections plus the nodes' figures added up;
 * - `transaction` — MULTI, EXEC, DISCARD, WATCH, UNWATCH (gateway-transaction.ts);
 * - `eval` — EVAL, EVALSHA and their _RO forms: by their declared keys as `keys`, or without
 *   keys to the node of their script's SHA-1 (routing/script-route.ts);
 * - `script` — SCRIPT LOAD, FLUSH, EXISTS sent to every node; KILL, DEBUG, HELP answered here;
 * - `randomKey` — RANDOMKEY sent to every node, one node's key taken at random;
 * - `slowlog` — SLOWLOG GET, LEN, RESET sent to every node and combined (slowlog-route.ts).
 */
export type Route =
  | 'local'
  | 'key'
  | 'keys'
  | 'mget'
  | 'mset'
  | 'count'
  | 'scan'
  | 'dbsize'
  | 'flush'
  | 'info'
  | 'allKeys'
  | 'transaction'
  | 'eval'
  | 'script'
  | 'randomKey'
  | 'slowlog';

/** Commands whose handling is not derived from their key positions. */
const SPECIAL: Readonly<Record<string, Route>> = {
  mget: 'mget',
  mset: 'mset',
  del: 'count',
  unlink: 'count',
  exists: 'count',
  touch: 'count',
  // Their keyed subcommands go to their key's owner; OBJECT HELP and MEMORY HELP are answered here.
  object: 'keys',
  memory: 'keys',
  scan: 'scan',
  keys: 'allKeys',
  randomkey: 'randomKey',
  // Run by gateway-transaction.ts: queued here, sent to the keys' node at EXEC.
  multi: 'transaction',
  exec: 'transaction',
  discard: 'transaction',
  watch: 'transaction',
  unwatch: 'transaction',
  dbsize: 'dbsize',
  flushdb: 'flush',
  flushall: 'flush',
  info: 'info',
  // Their keys follow `numkeys` (the spec's movableKeys), and a keyless script has a home node.
  eval: 'eval',
  evalsha: 'eval',
  eval_ro: 'eval',
  evalsha_ro: 'eval',
  script: 'script',
  config: 'local',
  // Answered from the gateway's own clock: TIME has no key to route by.
  time: 'local',
  // Subscriptions are the gateway's own (its hub); the nodes see one subscriber per gateway
  // (gateway/pubsub/gateway-pubsub.ts). A channel lives at the node its name hashes to.
  subscribe: 'local',
  psubscribe: 'local',
  ssubscribe: 'local',
  unsubscribe: 'local',
  punsubscribe: 'local',
  sunsubscribe: 'local',
  pubsub: 'local',
  publish: 'key',
  spublish: 'key',
  slowlog: 'slowlog',
};

/** The gateway's commands: the node's table, with routes; what cannot be routed is left out. */
export interface GatewayCommands {
  readonly registry: CommandRegistry;
  /** The route of each top-level entry (subcommands run their container's route). */
  readonly routes: ReadonlyMap<CommandEntry, Route>;
}

/** Derives the gateway's table from the node's, so that a command added there is routed here. */
export function createGatewayCommands(
  table: readonly CommandSpec[] = COMMAND_TABLE,
): GatewayCommands {
  const specs: CommandSpec[] = [];
  const routeOf = new Map<string, Route>();
  for (const spec of table) {
    const route = routeFor(spec);
    if (route === undefined) continue;
    specs.push(spec.name === 'config' ? GATEWAY_CONFIG_COMMAND : spec);
    routeOf.set(spec.name, route);
  }
  const registry = new CommandRegistry(specs);
  const routes = new Map<CommandEntry, Route>();
  for (const entry of registry.commands()) routes.set(entry, routeOf.get(entry.spec.name) as Route);
  return { registry, routes };
}

function routeFor(spec: CommandSpec): Route | undefined {
  if (Object.hasOwn(SPECIAL, spec.name)) return SPECIAL[spec.name];
  if (spec.group === 'connection' || spec.name === 'client' || spec.name === 'command') {
    return 'local';
  }
  if (spec.firstKey === 1 && spec.lastKey === 1) return 'key';
  if (spec.firstKey > 0) return 'keys';
  // A keyless server command the gateway does not know how to spread over nodes.
  return undefined;
}
