/**
 * The persistence keys the cluster runtime keeps next to the cache's entries, through the same
 * persistence port (so RocksDB writes them in the same ordered batches as the writes they
 * protect): one record per shard being received, one tombstone per key removed from such a shard.
 *
 * They live in the cache's key space under a prefix no client is expected to use (two 0xff bytes,
 * a name, a NUL byte); the node refuses client commands on keys with this prefix, and the start-up
 * reload hands such entries to the runtime instead of the store, so they are never served.
 */
export const RESERVED_PREFIX = '\u00ff\u00ffmlcache-cluster\u0000';

const RECORD_PREFIX = `${RESERVED_PREFIX}r:`;
const TOMBSTONE_PREFIX = `${RESERVED_PREFIX}t:`;
/** The first byte of the prefix, for a check on request bytes without building a string. */
export const RESERVED_FIRST_BYTE = 0xff;

export type ReservedKey =
  | { readonly kind: 'record'; readonly shard: number }
  | { readonly kind: 'tombstone'; readonly key: string }
  | { readonly kind: 'unknown' };

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}

/** The key of a shard's reception record. */
export function recordKey(shard: number): string {
  return `${RECORD_PREFIX}${shard}`;
}

/** The key of a cache key's tombstone. */
export function tombstoneKey(key: string): string {
  return `${TOMBSTONE_PREFIX}${key}`;
}

/** What a reserved key is; `unknown` for one this version does not write (left alone). */
export function parseReservedKey(key: string): ReservedKey {
  if (key.startsWith(TOMBSTONE_PREFIX)) {
    return { kind: 'tombstone', key: key.slice(TOMBSTONE_PREFIX.length) };
  }
  if (key.startsWith(RECORD_PREFIX)) {
    const text = key.slice(RECORD_PREFIX.length);
    const shard = /^(?:0|[1-9]\d{0,5})$/.test(text) ? Number(text) : NaN;
    if (Number.isSafeInteger(shard)) return { kind: 'record', shard };
  }
  return { kind: 'unknown' };
}
