import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from '../../server/resp/command-registry.ts';
import { keyRangeOf } from '../../server/resp/command-spec.ts';
import { wrongArity } from '../../server/resp/errors.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { linkFor, replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import type { RawRequest } from '../front/request-bytes.ts';
import { FillSink, WriteSink } from '../near-cache/near-cache-sinks.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { ReplySink } from '../upstream/reply-sink.ts';
import { FanOut } from './fan-out.ts';
import { argShard } from './key-shard.ts';
import type { MergeKind } from './multi-key-merge.ts';

/**
 * A command with one key at argument 1: forwarded as the client sent it to the key's owner, the
 * reply copied back as the node sent it. GETs of hot keys may be answered by the near cache, and
 * writes to keys it tracks invalidate them.
 */
export function forwardKey(
  ctx: GatewayContext,
  client: GatewayClient,
  entry: CommandEntry,
  args: CommandArgs,
  tag: number,
  attempts: number,
  raw: RawRequest | undefined,
  time: number,
): void {
  const router = ctx.router;
  const near = ctx.nearCache;
  let sink: ReplySink = client;
  if (near.enabled) {
    // A watching client reads what the node holds: a stale value would slip past its WATCH.
    if (entry.fullName === 'get' && client.watch === undefined) {
      // Without hot keys, an unsampled GET costs a counter: no key string, no lookup.
      const sampled = near.sample(time);
      if (sampled || near.tracking) {
        const key = args.latin1(1);
        const cached = near.size === 0 ? undefined : near.lookup(key, time, client.resp3);
        if (cached !== undefined) return client.onReply(tag, cached, 0, cached.length);
        const token = near.noteMiss(key, sampled);
        if (token !== 0) sink = new FillSink(near, ctx.clock, client, key, token);
      }
    } else if (entry.write && near.tracking) {
      const key = args.latin1(1);
      if (near.beginWrite(key)) sink = new WriteSink(near, client, [key]);
    }
  }
  const shard = argShard(args, 1, router.shardMask);
  const pool = router.poolOf(shard);
  if (pool === undefined) return replyError(sink, tag, GATEWAY_ERRORS.NO_RING);
  const request = raw ?? client.request();
  linkFor(client, pool).send(sink, tag, request.buf, request.start, request.end, attempts);
}

/**
 * A command with several keys. When they all live on one node it is forwarded as is (hash tags
 * make that the rule for related keys); otherwise a command whose route is a merge kind (MGET,
 * MSET, and DEL, UNLINK, EXISTS and TOUCH as `count`) is split by owner (FanOut), and any other
 * multi-key command (route `keys`) is refused with CROSSSLOT, as Redis Cluster does.
 */
export function forwardKeys(
  ctx: GatewayContext,
  client: GatewayClient,
  entry: CommandEntry,
  kind: MergeKind | undefined,
  args: CommandArgs,
  tag: number,
  attempts: number,
  raw: RawRequest | undefined,
  wrap?: (sink: ReplySink, pool: NodePool) => ReplySink,
): void {
  const router = ctx.router;
  const spec = entry.spec;
  // EVAL's keys move with its `numkeys`: the spec says where they are in this call.
  const { first, last, step } = keyRangeOf(spec, args);
  if ((spec.name === 'mset' || spec.name === 'msetnx') && args.count % 2 === 0)
    return replyError(client, tag, wrongArity(spec.name));
  const count = Math.floor((last - first) / step) + 1;
  // No route sends a call without keys here (forwardScript sends keyless scripts by their SHA).
  if (count <= 0) return replyError(client, tag, GATEWAY_ERRORS.INTERNAL);
  const owners = new Int32Array(count);
  let single = true;
  for (let i = 0; i < count; i++) {
    const at = first + i * step;
    const shard = argShard(args, at, router.shardMask);
    const owner = router.ownerIndexOf(shard);
    if (owner < 0) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
    owners[i] = owner;
    if (owner !== owners[0]) single = false;
  }
  const near = ctx.nearCache;
  const tracked: string[] = [];
  if (writesKeys(entry) && near.enabled && near.tracking) {
    for (let i = 0; i < count; i++) {
      const key = args.latin1(first + i * step);
      if (near.beginWrite(key)) tracked.push(key);
    }
  }
  const endWrites =
    tracked.length === 0 ? undefined : () => tracked.forEach((key) => near.endWrite(key));
  if (single) {
    const written = tracked.length === 0 ? client : new WriteSink(near, client, tracked);
    const request = raw ?? client.request();
    const pool = router.pools[owners[0] as number];
    if (pool === undefined) return replyError(written, tag, GATEWAY_ERRORS.NO_RING);
    // An EVALSHA's sink may run the script again as EVAL there (script-reload-sink.ts).
    const sink = wrap === undefined ? written : wrap(written, pool);
    return linkFor(client, pool).send(sink, tag, request.buf, request.start, request.end, attempts);
  }
  if (kind === undefined) {
    endWrites?.();
    return replyError(client, tag, GATEWAY_ERRORS.CROSSSLOT);
  }
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = first + i * step;
    keys.push(args.copy(at));
    if (kind === 'mset') values.push(args.copy(at + 1));
  }
  const name = spec.name.toUpperCase();
  const fanOut = new FanOut(
    ctx,
    client,
    tag,
    kind,
    name,
    keys,
    kind === 'mset' ? values : undefined,
    endWrites,
  );
  fanOut.start(owners, attempts);
}

/**
 * EVAL and EVALSHA carry no `write` flag (as in Redis: the script decides), but a script may
 * write any key it declares, so the near cache treats them as writes of their declared keys. Their
 * read-only forms (EVAL_RO, EVALSHA_RO) are refused by the node if the script writes.
 */
const SCRIPT_WRITES: ReadonlySet<string> = new Set(['eval', 'evalsha']);

/** True when a command may change the keys at its key positions (for near-cache invalidation). */
export function writesKeys(entry: CommandEntry): boolean {
  return entry.write || SCRIPT_WRITES.has(entry.spec.name);
}
