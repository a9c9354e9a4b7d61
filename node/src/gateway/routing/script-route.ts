import { hash } from 'node:crypto';
import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from '../../server/resp/command-registry.ts';
import { keyRangeOf } from '../../server/resp/command-spec.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { linkFor, replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import type { RawRequest } from '../front/request-bytes.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { ReplySink } from '../upstream/reply-sink.ts';
import { allOk, andIntegerArrays, sameReply } from './broadcast.ts';
import type { Combine } from './broadcast.ts';
import { forwardKeys } from './forward.ts';
import { keyShardAt } from './key-shard.ts';
import { evalRequestFor, ScriptReloadSink } from './script-reload-sink.ts';

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO. A script that declares keys runs on their node, forwarded
 * as is when they all live on one node, else CROSSSLOT (forwardKeys, with the keys' positions
 * from the spec's `movableKeys`), as Redis Cluster does. A script without keys may run anywhere,
 * but its node caches it: it goes to the node that owns its SHA-1 (scriptShard), so that an
 * EVALSHA after EVAL of the same body, and a client's NOSCRIPT → EVAL fallback, meet the same
 * cache. A MOVED reply is retried as for any command forwarded as is (retry.ts).
 */
export function forwardScript(
  ctx: GatewayContext,
  client: GatewayClient,
  entry: CommandEntry,
  args: CommandArgs,
  tag: number,
  attempts: number,
  raw: RawRequest | undefined,
): void {
  const bySha = isBySha(entry);
  const sha = scriptSha(args, bySha);
  if (!bySha) ctx.scriptBodies.remember(sha, args.view(1));
  const reload = bySha ? reloadFor(ctx, client, args, sha, attempts) : undefined;
  const keys = keyRangeOf(entry.spec, args);
  if (keys.last >= keys.first) {
    return forwardKeys(ctx, client, entry, undefined, args, tag, attempts, raw, reload);
  }
  const router = ctx.router;
  const pool = router.poolOf(shardOfSha(sha, router.shardMask));
  if (pool === undefined) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
  const request = raw ?? client.request();
  const sink = reload === undefined ? client : reload(client, pool);
  linkFor(client, pool).send(sink, tag, request.buf, request.start, request.end, attempts);
}

/**
 * For an EVALSHA whose body this gateway has seen: wraps its sink so that a NOSCRIPT from the
 * node is answered by running the body there as EVAL (script-reload-sink.ts).
 */
function reloadFor(
  ctx: GatewayContext,
  client: GatewayClient,
  args: CommandArgs,
  sha: string,
  attempts: number,
): ((sink: ReplySink, pool: NodePool) => ReplySink) | undefined {
  const body = ctx.scriptBodies.get(sha);
  if (body === undefined) return undefined;
  // The decoder reuses its buffer: the EVAL is built from a copy, and only if it is needed.
  const copy = args.toBuffers();
  return (sink, pool) =>
    new ScriptReloadSink(
      sink,
      () => evalRequestFor(copy, body),
      (inner, tag, request) =>
        linkFor(client, pool).send(inner, tag, request, 0, request.length, attempts),
      () => ctx.counters.scriptReloads++,
    );
}

function isBySha(entry: CommandEntry): boolean {
  const name = entry.spec.name;
  return name === 'evalsha' || name === 'evalsha_ro';
}

/**
 * A script's SHA-1 in lowercase hex, from argument `at`: EVAL (and SCRIPT LOAD) hash the body;
 * EVALSHA carries it, in any case (nodes, as Redis, look SHAs up in lowercase).
 */
export function scriptSha(args: CommandArgs, bySha: boolean, at = 1): string {
  if (bySha) return args.latin1(at).toLowerCase();
  return hash('sha1', args.view(at), 'hex');
}

/**
 * The shard a keyless script is sent by: that of its SHA-1 in lowercase hex, hashed as a key.
 * Hashing EVAL's body itself would send EVAL and EVALSHA of one script to two nodes, and the
 * EVALSHA would never find the script.
 */
export function scriptShard(args: CommandArgs, bySha: boolean, mask: number): number {
  return shardOfSha(scriptSha(args, bySha), mask);
}

function shardOfSha(sha: string, mask: number): number {
  const bytes = Buffer.from(sha, 'latin1');
  return keyShardAt(bytes, 0, bytes.length, mask);
}

/**
 * SCRIPT subcommands sent to every node, with how their replies combine. LOAD and FLUSH keep
 * every node's script cache alike, so that an EVALSHA finds its script whichever node its keys
 * pick; EXISTS says 1 only for a script every node has (what EVALSHA can rely on). KILL, DEBUG
 * and HELP are answered by the gateway with the node's handlers (no script runs at the gateway,
 * so KILL has nothing to stop there, and each node stops its own scripts by its time limit).
 */
const SCRIPT_BROADCASTS: Readonly<Record<string, Combine>> = {
  load: sameReply,
  flush: allOk,
  exists: andIntegerArrays,
};

/** How a SCRIPT subcommand's replies from every node combine; undefined: answered locally. */
export function scriptBroadcastOf(entry: CommandEntry): Combine | undefined {
  const name = entry.spec.name;
  return Object.hasOwn(SCRIPT_BROADCASTS, name) ? SCRIPT_BROADCASTS[name] : undefined;
}

/**
 * SCRIPT subcommands mirror mode copies: those that change a node's script cache, so that a
 * mirror can run the EVALSHAs that follow (a mirror is one node: the copy reaches all of it).
 */
const MIRRORED_SCRIPT: ReadonlySet<string> = new Set(['load', 'flush']);

export function isMirroredScript(entry: CommandEntry): boolean {
  return MIRRORED_SCRIPT.has(entry.spec.name);
}
