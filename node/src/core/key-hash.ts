/**
 * The key id the store gives its policy: a 53-bit hash of the key's bytes (one byte per char of
 * a latin1 key string), so that it is an exact integer in a JavaScript number.
 *
 * Two 32-bit multiply-xorshift lanes (the cyrb53 construction): one Math.imul pair per byte and
 * no allocation, which matters because the store hashes on every insert and every miss. It is not
 * a cryptographic hash; collisions only make a ghost list or a sketch slightly less precise.
 */
export function hashKey(key: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const byte = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ byte, 2654435761);
    h2 = Math.imul(h2 ^ byte, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
