import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import { encodeCommand } from '../../protocol/resp/encoder.ts';
import { GATEWAY_ERRORS, nodeUnreachable, watchedKeyMoved } from '../errors.ts';
import { replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import { argShard } from '../routing/key-shard.ts';
import type { NodeLink } from '../upstream/node-link.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';

/**
 * A client's WATCH through the gateway. A node keeps watched keys per connection, and the
 * gateway's node connections are shared by many clients, so a watching client borrows a
 * connection of its own from the pool of the node that owns its keys (NodePool.borrow). The WATCH
 * goes there, and so does every later command of the client to that node (linkFor), until EXEC,
 * DISCARD or UNWATCH give the connection back, cleared with UNWATCH. EXEC sends MULTI, the queue
 * and EXEC on it, so the node checks the watched keys exactly as for a client of its own.
 *
 * When that connection dropped after the WATCH (the node restarted, or left the ring), the node
 * no longer holds the watch: EXEC then answers as for a watched key that changed (a null reply),
 * so the client retries rather than committing unchecked.
 */
export class GatewayWatch {
  readonly pool: NodePool;
  readonly link: NodeLink;
  /** The protocol the connection speaks: the client's when it sent its first WATCH. */
  readonly resp3: boolean;
  readonly #failuresAtStart: number;

  constructor(pool: NodePool, link: NodeLink, resp3: boolean) {
    this.pool = pool;
    this.link = link;
    this.resp3 = resp3;
    this.#failuresAtStart = link.failures;
  }

  /** True while the node still holds what was watched: the connection never dropped since. */
  get intact(): boolean {
    return this.link.state === 'up' && this.link.failures === this.#failuresAtStart;
  }
}

const UNWATCH_BYTES = encodeCommand(['UNWATCH']);
const OK = Buffer.from('+OK\r\n');

/**
 * WATCH key [key ...]: every key, and any key watched before, must live on one node (else
 * CROSSSLOT, as in Redis Cluster). The first WATCH borrows the connection and is sent only once
 * every earlier request of the client has been answered, so none of them overtakes it at the node.
 */
export function watchKeys(
  ctx: GatewayContext,
  client: GatewayClient,
  args: CommandArgs,
  tag: number,
): void {
  const router = ctx.router;
  let pool = client.watch?.pool;
  for (let at = 1; at < args.count; at++) {
    const owner = router.poolOf(argShard(args, at, router.shardMask));
    if (owner === undefined) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
    if (pool !== undefined && owner !== pool)
      return replyError(client, tag, GATEWAY_ERRORS.CROSSSLOT);
    pool = owner;
  }
  if (pool === undefined) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
  const raw = client.request();
  let watch = client.watch;
  if (watch !== undefined) {
    // Its connection already carries the client's commands to that node, in order.
    const sink = new WatchSink(ctx, client, watch);
    return watch.link.send(sink, tag, raw.buf, raw.start, raw.end);
  }
  const link = pool.borrow(client.resp3);
  if (link === undefined) {
    return replyError(client, tag, nodeUnreachable(pool.nodeId, pool.address, 'left the ring'));
  }
  watch = new GatewayWatch(pool, link, client.resp3);
  client.watch = watch;
  // Kept until sent: the client's buffer may be reused while earlier replies are awaited.
  const request = Buffer.from(raw.buf.subarray(raw.start, raw.end));
  const sink = new WatchSink(ctx, client, watch);
  client.whenAlone(() => link.send(sink, tag, request, 0, request.length));
}

/** UNWATCH: forgets the watch (if any) and answers OK, as Redis always does. */
export function unwatchKeys(client: GatewayClient, tag: number): void {
  endWatch(client);
  client.onReply(tag, OK, 0, OK.length);
}

/**
 * Ends the client's watch (UNWATCH, DISCARD, after EXEC was sent, the client left): the node
 * forgets it (UNWATCH on the connection, after whatever the client still has in flight there) and
 * the connection goes back to its pool.
 */
export function endWatch(client: GatewayClient): void {
  const watch = client.watch;
  if (watch === undefined) return;
  client.watch = undefined;
  releaseWatch(watch);
}

function releaseWatch(watch: GatewayWatch): void {
  if (watch.link.state === 'up')
    watch.link.send(IGNORED, 0, UNWATCH_BYTES, 0, UNWATCH_BYTES.length);
  watch.pool.giveBack(watch.link, watch.resp3);
}

/** The reply to the UNWATCH that clears a connection given back: nobody waits for it. */
export const IGNORED: ReplySink = {
  onReply: () => {},
  onMoved: () => {},
};

/**
 * WATCH's reply goes to the client. A MOVED one means the ring changed under the keys: the watch
 * is dropped (the next WATCH goes to the new owner, once the ring is re-read) and the client told
 * to try again.
 */
class WatchSink implements ReplySink {
  readonly #ctx: GatewayContext;
  readonly #client: GatewayClient;
  readonly #watch: GatewayWatch;

  constructor(ctx: GatewayContext, client: GatewayClient, watch: GatewayWatch) {
    this.#ctx = ctx;
    this.#client = client;
    this.#watch = watch;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    this.#client.onReply(tag, bytes, start, end);
  }

  onMoved(tag: number, moved: MovedReply): void {
    const ctx = this.#ctx;
    ctx.router.noteMoved(moved);
    void ctx.refreshRing();
    if (this.#client.watch === this.#watch) endWatch(this.#client);
    replyError(this.#client, tag, watchedKeyMoved(moved.text));
  }
}
