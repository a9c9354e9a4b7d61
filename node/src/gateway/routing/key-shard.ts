import { xxh64Low32 } from '../../cluster/key-hash.ts';
import type { CommandArgs } from '../../protocol/resp/command-args.ts';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The shard of the key `bytes[start, end)` among `mask + 1` shards: the same rule as the ring's
 * `shardOf` (XXH64 low bits, Redis-style `{hash tag}`), applied to a range of a request buffer so
 * that routing a command allocates nothing (no key string, no Buffer view).
 */
export function keyShardAt(bytes: Uint8Array, start: number, end: number, mask: number): number {
  for (let open = start; open < end; open++) {
    if (bytes[open] !== OPEN_BRACE) continue;
    for (let close = open + 1; close < end; close++) {
      if (bytes[close] !== CLOSE_BRACE) continue;
      // Only the first `{` and the first `}` after it count; an empty tag hashes the whole key.
      if (close > open + 1) return (xxh64Low32(bytes, open + 1, close) & mask) >>> 0;
      break;
    }
    break;
  }
  return (xxh64Low32(bytes, start, end) & mask) >>> 0;
}

/** The shard of argument `at` of a command, read in place in its request buffer. */
export function argShard(args: CommandArgs, at: number, mask: number): number {
  return keyShardAt(args.buffer, args.starts[at] as number, args.ends[at] as number, mask);
}
