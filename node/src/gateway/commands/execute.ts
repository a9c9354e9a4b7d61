import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from '../../server/resp/command-registry.ts';
import {
  ERRORS,
  execAbort,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
} from '../../server/resp/errors.ts';
import { subscribedRefusal } from '../../server/resp/pubsub/pubsub-context.ts';
import { endOfTrackedCommand } from '../../server/resp/commands/client-tracking.ts';
import { rememberReadKeys } from '../../server/resp/tracking/read-keys.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import type { RawRequest } from '../front/request-bytes.ts';
import {
  allOk,
  broadcast,
  concatArrays,
  randomNonNull,
  sumIntegers,
} from '../routing/broadcast.ts';
import { forwardKey, forwardKeys } from '../routing/forward.ts';
import { routeScan } from '../routing/scan.ts';
import {
  forwardScript,
  isMirroredScript,
  scriptBroadcastOf,
  scriptSha,
} from '../routing/script-route.ts';
import type { Route } from './gateway-command-table.ts';
import { runTransactional } from './gateway-transaction.ts';
import { endWatch } from './gateway-watch.ts';
import { routeInfo } from './info-command.ts';
import { slowlogBroadcastOf } from './slowlog-route.ts';

/**
 * Runs one decoded client command: takes its reply slot, then checks in Redis's order (unknown
 * command, unknown subcommand, arity, authentication) with Redis's error texts, and routes it.
 * Counts as the node does (dispatch.ts): a refused command is a rejected call, not a call.
 */
export function executeCommand(
  ctx: GatewayContext,
  client: GatewayClient,
  args: CommandArgs,
  time: number,
): void {
  executeOne(ctx, client, args, time);
  endOfTrackedCommand(client.session, args, client.transaction !== undefined);
}

function executeOne(
  ctx: GatewayContext,
  client: GatewayClient,
  args: CommandArgs,
  time: number,
): void {
  const stats = ctx.server.stats;
  stats.totalCommands++;
  const tag = client.reserve(time);
  const { registry, routes } = ctx.commands;
  let entry = registry.lookup(args);
  if (entry === undefined) {
    if (client.transaction !== undefined) client.transaction.dirty = true;
    return replyError(client, tag, unknownCommand(args.latin1(0), restOf(args)));
  }
  const route = routes.get(entry) as Route;
  if (entry.subcommands !== undefined && args.count >= 2) {
    const sub = entry.subcommands.get(args.lower(1));
    if (sub === undefined) {
      if (client.transaction !== undefined) client.transaction.dirty = true;
      return replyError(client, tag, unknownSubcommand(args.latin1(1), entry.spec.name));
    }
    entry = sub;
  }
  const session = client.session;
  session.lastCommand = entry.fullName;
  const refused =
    !entry.acceptsArgCount(args.count) || (route === 'local' && entry.handler === undefined)
      ? wrongArity(entry.fullName)
      : !session.authenticated && !entry.noauth
        ? ERRORS.NOAUTH
        : subscribedRefusal(session, entry.fullName);
  if (refused !== undefined) {
    entry.rejected++;
    // Redis answers a refused EXEC as an aborted one; any other refusal dooms the transaction.
    if (entry.spec.name === 'exec') {
      client.transaction = undefined;
      endWatch(client);
      return replyError(client, tag, execAbort(refused));
    }
    if (client.transaction !== undefined) client.transaction.dirty = true;
    return replyError(client, tag, refused);
  }
  entry.calls++;
  if (runTransactional(ctx, client, entry, route, args, tag)) return;
  // Remembered before the read leaves: an invalidation that overtakes its reply still reaches
  // the client, queued behind that reply (ClientConnection delivers pushes in reply order).
  if (entry.readOnly && session.tracking !== undefined) rememberReadKeys(session, entry, args);
  const mirrors = ctx.mirrors;
  if (mirrors !== undefined && isMirrored(route, entry)) {
    // Mirror mode: the same bytes go to every mirror, in the order they go to the primary.
    const raw = client.request();
    mirrors.send(raw.buf, raw.start, raw.end);
    return routeCommand(ctx, client, entry, route, args, tag, 1, raw, time);
  }
  routeCommand(ctx, client, entry, route, args, tag, 1, undefined, time);
}

/**
 * Routes that reach the keyspace, and so the eviction policy: what mirror mode copies. SCAN,
 * DBSIZE and INFO read no entry (no policy sees them); local commands never reach a node.
 * Scripts read and write entries like the commands they call.
 */
const MIRRORED: ReadonlySet<Route> = new Set<Route>([
  'key',
  'keys',
  'mget',
  'mset',
  'count',
  'flush',
  'eval',
]);

/**
 * What mirror mode copies: the keyspace routes, and the SCRIPT subcommands that change a node's
 * script cache (LOAD, FLUSH), without which a mirror would answer the EVALSHAs that follow with
 * NOSCRIPT where the primary ran them.
 */
function isMirrored(route: Route, entry: CommandEntry): boolean {
  // PUBLISH is routed as a key but reaches no entry: the mirrors need no copy.
  if (entry.spec.group === 'pubsub') return false;
  return MIRRORED.has(route) || (route === 'script' && isMirroredScript(entry));
}

/**
 * Sends a checked command where its route says, answering slot `tag`. Also the entry point of a
 * retry after MOVED, with the request's bytes in `raw` and `attempts` > 1.
 */
export function routeCommand(
  ctx: GatewayContext,
  client: GatewayClient,
  entry: CommandEntry,
  route: Route,
  args: CommandArgs,
  tag: number,
  attempts: number,
  raw: RawRequest | undefined,
  time: number,
): void {
  // A subcommand without a key under a keyed container (OBJECT HELP) needs no node. SCRIPT's are
  // keyless too, but LOAD, FLUSH and EXISTS are for the nodes' script caches (route 'script').
  const keyed = route === 'key' || route === 'keys';
  if (keyed && entry.container !== undefined && entry.spec.firstKey === 0) {
    return runLocal(ctx, client, entry, args, tag);
  }
  switch (route) {
    case 'key':
      return forwardKey(ctx, client, entry, args, tag, attempts, raw, time);
    case 'keys':
      return forwardKeys(ctx, client, entry, undefined, args, tag, attempts, raw);
    case 'mget':
    case 'mset':
    case 'count':
      return forwardKeys(ctx, client, entry, route, args, tag, attempts, raw);
    case 'local':
      return runLocal(ctx, client, entry, args, tag);
    case 'scan':
      return routeScan(ctx, client, args, tag, attempts);
    case 'dbsize':
    case 'allKeys': {
      const request = raw ?? client.request();
      return broadcast(
        ctx,
        client,
        tag,
        request.buf.subarray(request.start, request.end),
        route === 'dbsize' ? sumIntegers : concatArrays,
      );
    }
    case 'transaction':
      // Handled before routing (gateway-transaction.ts); a retry never carries one.
      return replyError(client, tag, GATEWAY_ERRORS.INTERNAL);
    case 'flush': {
      const request = raw ?? client.request();
      const near = ctx.nearCache;
      near.clear();
      return broadcast(
        ctx,
        client,
        tag,
        request.buf.subarray(request.start, request.end),
        allOk,
        () => near.clear(),
      );
    }
    case 'info':
      return routeInfo(ctx, client, args, tag);
    case 'slowlog': {
      const combine = slowlogBroadcastOf(entry);
      if (combine === undefined) return runLocal(ctx, client, entry, args, tag);
      const request = raw ?? client.request();
      return broadcast(ctx, client, tag, request.buf.subarray(request.start, request.end), combine);
    }
    case 'randomKey': {
      const request = raw ?? client.request();
      const random = ctx.server.random;
      const combine = randomNonNull((n) => random.int(n));
      return broadcast(ctx, client, tag, request.buf.subarray(request.start, request.end), combine);
    }
    case 'eval':
      return forwardScript(ctx, client, entry, args, tag, attempts, raw);
    case 'script': {
      // The gateway keeps what the nodes are told to cache (or to forget): to answer NOSCRIPT.
      if (entry.spec.name === 'load')
        ctx.scriptBodies.remember(scriptSha(args, false, 2), args.view(2));
      if (entry.spec.name === 'flush') ctx.scriptBodies.clear();
      const combine = scriptBroadcastOf(entry);
      // Never the gateway's own script engine: the scripts run on the nodes.
      if (combine === undefined) return runLocal(ctx, client, entry, args, tag);
      const request = raw ?? client.request();
      return broadcast(ctx, client, tag, request.buf.subarray(request.start, request.end), combine);
    }
    default:
      return replyError(client, tag, GATEWAY_ERRORS.INTERNAL);
  }
}

/** Commands the gateway answers itself, with the node's handlers (or its own CONFIG). */
function runLocal(
  ctx: GatewayContext,
  client: GatewayClient,
  entry: CommandEntry,
  args: CommandArgs,
  tag: number,
): void {
  const out = ctx.writer;
  const errorsBefore = out.errors;
  // The writer is shared by every client: it speaks this client's protocol (HELLO switches it
  // for its own reply and the session for what follows).
  out.resp3 = client.session.resp3;
  try {
    entry.handler?.(client.session, args, out);
  } catch (error) {
    out.error(ERRORS.INTERNAL);
    ctx.logger.error('command failed', { command: entry.fullName, error });
  }
  if (out.errors !== errorsBefore) entry.errors++;
  // CLIENT REPLY OFF and SKIP answer nothing: their slot is filled empty, or it would hold the
  // replies after it back forever.
  const reply = out.take() ?? NO_REPLY;
  client.onReply(tag, reply, 0, reply.length);
}

const NO_REPLY = Buffer.alloc(0);

function restOf(args: CommandArgs): string[] {
  const rest: string[] = [];
  for (let i = 1; i < args.count && i < 65; i++) rest.push(args.latin1(i));
  return rest;
}
