/**
 * Key ids for keys that are not safe integers. Policies and the simulator want a number per key;
 * integer keys below 2^53 are used as they are, and anything else (Tencent's string photo ids,
 * scarab's signed 64-bit ids, oracleGeneral ids above 2^53) becomes a 53-bit hash of its bytes.
 * With n distinct hashed keys the chance of any collision is about n^2 / 2^54: 6e-5 for a
 * million keys, so a collision would change a miss ratio by at most one request in a million.
 */

/** A 53-bit hash of `bytes[start, end)`: two independent 32-bit FNV-1a style lanes, mixed. */
export function hashBytes53(bytes: Uint8Array, start: number, end: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = fmix32(h1 ^ (end - start));
  h2 = fmix32(h2 ^ h1);
  return (h1 & 0x1fffff) * 4294967296 + (h2 >>> 0);
}

/** The 53-bit hash of a string's UTF-8 bytes, for tests and synthetic keys. */
export function hashString53(text: string): number {
  const bytes = new TextEncoder().encode(text);
  return hashBytes53(bytes, 0, bytes.length);
}

function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
