import { xxh64Low32 } from './key-hash.ts';
import type { KeyBytes } from './key-hash.ts';

/**
 * Key → shard. A key belongs to one of a fixed number of shards (a power of two, 4096 by default),
 * chosen by the low bits of XXH64 of its bytes, or of its hash tag when it has one.
 *
 * Hash tags follow Redis Cluster exactly: if the key contains a `{`, and a `}` somewhere after
 * it, and the bytes between the first `{` and the first following `}` are not empty, only those
 * bytes are hashed. So `user:{42}:profile` and `user:{42}:cart` share a shard, and an MGET or a
 * MULTI over them stays on one node; `{}x` and `a}b{` have no tag and hash whole.
 */

/** The number of shards of a new ring. */
export const DEFAULT_SHARD_COUNT = 4096;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** True for 1, 2, 4, 8, …: the shard counts a mask can reduce a hash to. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 0x40000000;
}

/** The shard of a key among `shardCount` shards (a power of two). */
export function shardOf(key: KeyBytes, shardCount: number = DEFAULT_SHARD_COUNT): number {
  if (!isPowerOfTwo(shardCount)) {
    throw new RangeError(`shardCount must be a power of two, got ${shardCount}`);
  }
  return keyHash(key) & (shardCount - 1);
}

/**
 * The 32-bit hash that decides a key's shard: the low word of XXH64 (seed 0) of the key's hash
 * tag if it has one, else of the whole key. Exposed so that a caller routing one key under
 * several shard counts hashes it once.
 */
export function keyHash(key: KeyBytes): number {
  const open = find(key, '{', OPEN_BRACE, 0);
  if (open >= 0) {
    const close = find(key, '}', CLOSE_BRACE, open + 1);
    if (close > open + 1) return xxh64Low32(key, open + 1, close);
  }
  return xxh64Low32(key, 0, key.length);
}

/**
 * The hash tag of a key as [start, end) offsets, or undefined when the whole key is hashed; for
 * the gateway's cross-shard errors and for tests.
 */
export function hashTagRange(key: KeyBytes): readonly [number, number] | undefined {
  const open = find(key, '{', OPEN_BRACE, 0);
  if (open < 0) return undefined;
  const close = find(key, '}', CLOSE_BRACE, open + 1);
  return close > open + 1 ? [open + 1, close] : undefined;
}

// indexOf is native for both key forms and does not copy.
function find(key: KeyBytes, char: string, byte: number, from: number): number {
  return typeof key === 'string' ? key.indexOf(char, from) : key.indexOf(byte, from);
}
