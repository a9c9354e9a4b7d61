import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import { encodeCommand } from '../../protocol/resp/encoder.ts';
import type { CommandEntry } from '../../server/resp/command-registry.ts';
import { keyRangeOf } from '../../server/resp/command-spec.ts';
import { ERRORS } from '../../server/resp/errors.ts';
import { transactionTooLarge } from '../../server/resp/transaction.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { linkFor, replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import { WriteSink } from '../near-cache/near-cache-sinks.ts';
import { writesKeys } from '../routing/forward.ts';
import { argShard } from '../routing/key-shard.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import type { Route } from './gateway-command-table.ts';
import { endWatch, IGNORED, unwatchKeys, watchKeys } from './gateway-watch.ts';

/**
 * A client's MULTI through the gateway: the commands queued (their request bytes), the node that
 * owns every key they name, and the keys written (for the near cache). EXEC sends MULTI, the
 * queue and EXEC to that node back to back on one connection (the client's own one when it
 * watches keys, gateway-watch.ts), and answers with the node's EXEC reply, so the node runs the
 * transaction as its own (the gateway never splits one).
 */
export class GatewayTransaction {
  readonly requests: Buffer[] = [];
  readonly written: string[] = [];
  /** The keys its read-only commands read, for client-side caching (remembered at EXEC). */
  readonly read: string[] = [];
  pool: NodePool | undefined = undefined;
  dirty = false;
  /** The bytes of the requests queued. */
  bytes = 0;

  /** Gives up what was queued (too much of it): EXEC will answer EXECABORT. */
  drop(): void {
    this.requests.length = 0;
    this.written.length = 0;
    this.read.length = 0;
    this.bytes = 0;
    this.dirty = true;
  }
}

/**
 * Routes whose commands may be queued: one node answers them whole. A script's declared keys
 * count like any command's; a script without keys runs on the transaction's node (an EVALSHA
 * there may answer NOSCRIPT inside EXEC's reply if that node never saw the script: SCRIPT LOAD
 * puts it on every node).
 */
const QUEUEABLE: ReadonlySet<Route> = new Set<Route>([
  'key',
  'keys',
  'mget',
  'mset',
  'count',
  'eval',
]);
/**
 * The gateway's own commands that may be queued too, answered by the node inside its EXEC
 * (UNWATCH there is Redis's no-op). The others change or read the connection (HELLO, AUTH,
 * SELECT, CLIENT): on a node connection that other clients share they must never run.
 */
const QUEUEABLE_LOCAL: ReadonlySet<string> = new Set(['ping', 'echo', 'time', 'unwatch']);

const MULTI_BYTES = encodeCommand(['MULTI']);
const EXEC_BYTES = encodeCommand(['EXEC']);
const EMPTY_ARRAY = Buffer.from('*0\r\n');
/** EXEC's answer when a watched key changed: a null array (RESP2), a null (RESP3). */
const ABORTED = Buffer.from('*-1\r\n');
const ABORTED_RESP3 = Buffer.from('_\r\n');
const QUEUED = Buffer.from('+QUEUED\r\n');
const OK = Buffer.from('+OK\r\n');

/**
 * Handles MULTI, EXEC, DISCARD, WATCH and UNWATCH, and every command while a transaction is open
 * (queued, or refused and the transaction marked to abort); returns false for a command the
 * caller routes as usual.
 */
export function runTransactional(
  ctx: GatewayContext,
  client: GatewayClient,
  entry: CommandEntry,
  route: Route,
  args: CommandArgs,
  tag: number,
): boolean {
  const name = (entry.container ?? entry).spec.name;
  const transaction = client.transaction;
  switch (name) {
    case 'multi':
      if (transaction !== undefined) replyError(client, tag, ERRORS.MULTI_NESTED);
      else {
        const started = new GatewayTransaction();
        // Watched keys fix the node: the queued keys must live there too.
        started.pool = client.watch?.pool;
        client.transaction = started;
        client.onReply(tag, OK, 0, OK.length);
      }
      return true;
    case 'discard':
      if (transaction === undefined) replyError(client, tag, ERRORS.DISCARD_WITHOUT_MULTI);
      else {
        client.transaction = undefined;
        endWatch(client);
        client.onReply(tag, OK, 0, OK.length);
      }
      return true;
    case 'exec':
      if (transaction === undefined) replyError(client, tag, ERRORS.EXEC_WITHOUT_MULTI);
      else {
        client.transaction = undefined;
        exec(ctx, client, transaction, tag);
      }
      return true;
    case 'watch':
      if (transaction !== undefined) replyError(client, tag, ERRORS.WATCH_IN_MULTI);
      else watchKeys(ctx, client, args, tag);
      return true;
    case 'unwatch':
      // Inside MULTI it is queued, as Redis does (EXEC has checked the watch by the time it runs).
      if (transaction !== undefined) queue(ctx, client, transaction, entry, route, args, tag);
      else unwatchKeys(client, tag);
      return true;
    case 'reset':
      // Out of MULTI and WATCH at once; the node's handler does the rest of the session.
      client.transaction = undefined;
      endWatch(client);
      return false;
    default:
      // QUIT closes the connection, in MULTI or not, as in Redis.
      if (transaction === undefined || name === 'quit') return false;
      queue(ctx, client, transaction, entry, route, args, tag);
      return true;
  }
}

function queue(
  ctx: GatewayContext,
  client: GatewayClient,
  transaction: GatewayTransaction,
  entry: CommandEntry,
  route: Route,
  args: CommandArgs,
  tag: number,
): void {
  const refuse = (text: string): void => {
    transaction.dirty = true;
    replyError(client, tag, text);
  };
  const queueable =
    route === 'local' || route === 'transaction'
      ? QUEUEABLE_LOCAL.has(entry.spec.name)
      : QUEUEABLE.has(route);
  if (!queueable) return refuse(notInTransaction(entry.fullName));
  const router = ctx.router;
  // EVAL's keys move with its `numkeys`: the spec says where they are in this call.
  const { first, last, step } = keyRangeOf(entry.spec, args);
  if (first > 0) {
    for (let at = first; at <= last && at < args.count; at += step) {
      const shard = argShard(args, at, router.shardMask);
      const pool = router.poolOf(shard);
      if (pool === undefined) return refuse(GATEWAY_ERRORS.NO_RING);
      // Every key of the transaction must live on one node, as in Redis Cluster.
      if (transaction.pool !== undefined && transaction.pool !== pool) {
        return refuse(GATEWAY_ERRORS.CROSSSLOT);
      }
      transaction.pool = pool;
      // Only the near cache needs the written keys (it drops them when EXEC is answered).
      if (writesKeys(entry) && ctx.nearCache.enabled) transaction.written.push(args.latin1(at));
      if (entry.readOnly && client.session.tracking !== undefined)
        transaction.read.push(args.latin1(at));
    }
  }
  const request = client.request();
  const size = request.end - request.start;
  const limit = ctx.server.settings.maxTransactionBytes ?? Number.POSITIVE_INFINITY;
  if (transaction.bytes + size > limit) {
    transaction.drop();
    return replyError(client, tag, transactionTooLarge(limit));
  }
  transaction.bytes += size;
  transaction.requests.push(Buffer.from(request.buf.subarray(request.start, request.end)));
  client.onReply(tag, QUEUED, 0, QUEUED.length);
}

function exec(
  ctx: GatewayContext,
  client: GatewayClient,
  transaction: GatewayTransaction,
  tag: number,
): void {
  const watch = client.watch;
  if (transaction.dirty) {
    replyError(client, tag, ERRORS.EXECABORT);
  } else if (watch !== undefined && (!watch.intact || watch.resp3 !== client.resp3)) {
    // The node lost the watch with its connection: what it guarded may have changed.
    const aborted = client.resp3 ? ABORTED_RESP3 : ABORTED;
    client.onReply(tag, aborted, 0, aborted.length);
  } else if (transaction.requests.length === 0 && watch === undefined) {
    client.onReply(tag, EMPTY_ARRAY, 0, EMPTY_ARRAY.length);
  } else {
    // With a watch even an empty transaction goes to the node: a changed key makes it null.
    send(ctx, client, transaction, tag);
  }
  // EXEC ends the watch whatever happened, as in Redis; the connection goes back behind it.
  endWatch(client);
}

/** MULTI, the queue and EXEC, back to back on the client's connection to the transaction's node. */
function send(
  ctx: GatewayContext,
  client: GatewayClient,
  transaction: GatewayTransaction,
  tag: number,
): void {
  const requests = transaction.requests;
  const pools = ctx.router.pools;
  const pool = transaction.pool ?? pools[client.id % Math.max(1, pools.length)];
  if (pool === undefined) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
  const link = linkFor(client, pool);
  // All or nothing on one connection: only a link that is up takes every request at once. A
  // MULTI without its EXEC would capture the next commands other clients send on that link.
  if (link.state !== 'up') return replyError(client, tag, GATEWAY_ERRORS.NODE_NOT_READY);
  if (client.session.tracking !== undefined && transaction.read.length > 0)
    ctx.server.tracking.remember(client.session, transaction.read);
  const near = ctx.nearCache;
  const tracked: string[] = [];
  if (near.enabled && near.tracking) {
    for (const key of transaction.written) if (near.beginWrite(key)) tracked.push(key);
  }
  const last: ReplySink = tracked.length === 0 ? client : new WriteSink(near, client, tracked);
  const mirrors = ctx.mirrors;
  for (const bytes of [MULTI_BYTES, ...requests, EXEC_BYTES]) {
    mirrors?.send(bytes, 0, bytes.length);
    const sink = bytes === EXEC_BYTES ? new ExecSink(last) : IGNORED;
    link.send(sink, tag, bytes, 0, bytes.length);
  }
}

function notInTransaction(command: string): string {
  return `ERR ${command.toUpperCase()} inside MULTI is not supported by the gateway`;
}

/** EXEC's reply goes to the client as the node sent it; a MOVED one (a ring change) as an error. */
class ExecSink implements ReplySink {
  readonly #client: ReplySink;

  constructor(client: ReplySink) {
    this.#client = client;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    this.#client.onReply(tag, bytes, start, end);
  }

  onMoved(tag: number, moved: MovedReply): void {
    replyError(this.#client, tag, moved.text);
  }
}
