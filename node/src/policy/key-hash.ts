/**
 * Seeded 32-bit hashing of numeric key ids for sketches and filters. Key ids are integers up to
 * 2^53 (trace object ids, or the node's 53-bit key hashes), so both 32-bit halves are mixed in.
 * The mixer is MurmurHash3's finaliser (fmix32), which is a bijection with full avalanche: equal
 * seeds give equal hashes on every run and platform, as the simulator's reproducibility needs.
 */
export function hashKeyId(keyId: number, seed: number): number {
  const low = keyId >>> 0;
  const high = (keyId / 4294967296) >>> 0;
  // One finaliser over both halves: the high half is spread by an odd multiplier first, so ids
  // that differ only there still differ at the finaliser's input (it is one per probe, so cheap
  // matters here).
  return fmix32(low ^ seed ^ Math.imul(high, 0x9e3779b1));
}

function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
