/**
 * What one entry costs against the byte budget: its key and value bytes plus ENTRY_OVERHEAD, the
 * memory Node really spends around them: the Map entry and its share of the hash table, the
 * slot's places in the key, value and typed arrays (store, policy, expiry heap), the key
 * string's header, and the value Buffer's view, ArrayBuffer, backing-store record and malloc
 * header.
 *
 * Measured with node/bench/entry-overhead.ts on Node 26.10 (1M entries, 16-byte keys, 100-byte
 * values, each value in its own exact-size Buffer, growth of RSS after a full GC, minus the
 * 116 payload bytes): 475 B with LRU, 470 B with LFU, 499 B with LRU and a TTL on every key.
 * We charge 480.
 *
 * Why exact-size Buffers: a value copied with Buffer.allocUnsafe (< 4 KiB) is a slice of a
 * shared 8 KiB pool slab and keeps the whole slab alive. Filled back to back that is cheaper
 * (228 B overhead), but under random overwrites slabs stay pinned by their last survivor (635 B),
 * and when other short-lived pool allocations (replies) separate two stores, every stored value
 * pins a slab of its own (4.7 KB RSS, 8.4 KB heap + ArrayBuffers per entry). So whoever hands a
 * value to the store should copy it into `Buffer.allocUnsafeSlow(length)`; the store does the same
 * for the values it builds (APPEND, INCR).
 */
export const ENTRY_OVERHEAD = 480;

/** Bytes charged for an entry with a key of `keyLength` and a value of `valueLength` bytes. */
export function entryCharge(keyLength: number, valueLength: number): number {
  return keyLength + valueLength + ENTRY_OVERHEAD;
}
