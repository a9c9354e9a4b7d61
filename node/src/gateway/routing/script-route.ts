import { createHash } from 'node:crypto';
import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import type { CommandEntry } from '../../server/resp/command-registry.ts';
import { keyRangeOf } from '../../server/resp/command-spec.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { linkFor, replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import type { RawRequest } from '../front/request-bytes.ts';
import { allOk, andIntegerArrays, sameReply } from './broadcast.ts';
import type { Combine } from './broadcast.ts';
import { forwardKeys } from './forward.ts';
import { argShard, keyShardAt } from './key-shard.ts';

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
  const keys = keyRangeOf(entry.spec, args);
  if (keys.last >= keys.first) {
    return forwardKeys(ctx, client, entry, undefined, args, tag, attempts, raw);
  }
  const router = ctx.router;
  const shard = scriptShard(args, isBySha(entry), router.shardMask);
  const pool = router.poolOf(shard);
  if (pool === undefined) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
  const request = raw ?? client.request();
  linkFor(client, pool).send(client, tag, request.buf, request.start, request.end, attempts);
}

function isBySha(entry: CommandEntry): boolean {
  const name = entry.spec.name;
  return name === 'evalsha' || name === 'evalsha_ro';
}

const SHA_HEX_LENGTH = 40;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;

/**
 * The shard a keyless script is sent by: that of its SHA-1 in lowercase hex, hashed as a key.
 * EVAL hashes its body to get it; EVALSHA carries it (in any case: nodes, as Redis, look SHAs up
 * in lowercase). Hashing EVAL's body itself would send EVAL and EVALSHA of one script to two
 * nodes, and the EVALSHA would never find the script.
 */
export function scriptShard(args: CommandArgs, bySha: boolean, mask: number): number {
  const start = args.starts[1] as number;
  const end = args.ends[1] as number;
  const bytes = args.buffer;
  if (!bySha) {
    const sha = createHash('sha1').update(bytes.subarray(start, end)).digest('hex');
    return keyShardAt(Buffer.from(sha, 'latin1'), 0, SHA_HEX_LENGTH, mask);
  }
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte >= UPPER_A && byte <= UPPER_Z) {
      const lower = Buffer.from(args.latin1(1).toLowerCase(), 'latin1');
      return keyShardAt(lower, 0, lower.length, mask);
    }
  }
  return argShard(args, 1, mask);
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
