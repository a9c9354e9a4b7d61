/**
 * What one entry costs against the byte budget: its key and value bytes plus ENTRY_OVERHEAD, the
 * memory Node really spends around them: the slot's 32-byte record, its 16-byte index cell at a
 * load of 3/8 to 3/4 (21 to 43 bytes per entry), the rounding of its arena chunk to a size
 * class (1/16 of key + value on average), its place in the policy's typed arrays (LRU 12 bytes,
 * LFU more) and in the expiry heap when it has a TTL, and the allocator's slack. No entry is a
 * JavaScript object of its own (entry-table.ts), so nothing here depends on V8's object layout.
 *
 * Measured with node/bench/entry-overhead.ts on Node 26.10 (1M entries, 16-byte keys, 100-byte
 * values, growth of RSS after a full GC, minus the 116 payload bytes): 103 B with LRU, 105 B
 * after random overwrites, 101 B with values of mixed sizes rewritten at random (chunks moving
 * between size classes), 87 B per resident entry in a full cache evicting on every insert, 118 B
 * with LFU, 123 B with LRU and a TTL on every key. We charge 112. The index and the slot records
 * double in size when they fill (and halve after mass deletes), so the real figure swings by
 * about ±20 B with the entry count.
 *
 * Values far above 100 bytes waste up to 1/8 of their size to the rounding of their chunk (1/16
 * on average), which the fixed charge does not follow; values above 16 KiB have a chunk of their
 * exact size.
 */
export const ENTRY_OVERHEAD = 112;

/** Bytes charged for an entry with a key of `keyLength` and a value of `valueLength` bytes. */
export function entryCharge(keyLength: number, valueLength: number): number {
  return keyLength + valueLength + ENTRY_OVERHEAD;
}
