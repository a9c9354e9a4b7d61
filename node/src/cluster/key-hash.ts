/**
 * XXH64 (xxHash64, Yann Collet) of a key's bytes, computed with 32-bit integer arithmetic.
 *
 * Why XXH64: it is fast, well known and specified, with published test vectors, so any client or
 * tool (a Go sidecar, a debugging script) can compute the same shard for a key. Why 32-bit words:
 * BigInt arithmetic allocates and is ~50× slower, and the gateway hashes every request; each
 * 64-bit value here is a pair of unsigned 32-bit words (hi, lo) and each product is built from
 * 16-bit limbs, so every intermediate is an exact small integer.
 *
 * Keys arrive either as latin1 strings (one char per byte, as the RESP decoder produces them) or
 * as byte arrays (Buffers); both are read in place, over a [start, end) range, without copying.
 * A string char above 0xFF is reduced to its low byte: callers with UTF-16 text must encode it.
 */

/** A key's bytes: a latin1 string (one char per byte) or a byte array such as a Buffer. */
export type KeyBytes = string | Uint8Array;

// The five 64-bit primes of XXH64, as (hi, lo) words.
const P1_HI = 0x9e3779b1;
const P1_LO = 0x85ebca87;
const P2_HI = 0xc2b2ae3d;
const P2_LO = 0x27d4eb4f;
const P3_HI = 0x165667b1;
const P3_LO = 0x9e3779f9;
const P4_HI = 0x85ebca77;
const P4_LO = 0xc2b2ae63;
const P5_HI = 0x27d4eb2f;
const P5_LO = 0x165667c5;
// P1 + P2 and -P1, modulo 2^64: the initial values of the first and last accumulators.
const P1P2_HI = 0x60ea27ee;
const P1P2_LO = 0xadc0b5d6;
const NEG_P1_HI = 0x61c8864e;
const NEG_P1_LO = 0x7a143579;

// The 64-bit helpers below return the low word of their result and leave the high word here.
// This is a return register, not shared state: every helper writes it before its caller reads
// it, and nothing in between can run other code (the functions are synchronous and call no user
// code), so concurrent callers cannot observe each other. It avoids allocating a pair per step.
let hi = 0;

/** (aHi:aLo) × (bHi:bLo) mod 2^64. */
function mul(aHi: number, aLo: number, bHi: number, bLo: number): number {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  // Schoolbook product of the low words in 16-bit limbs; each partial sum stays below 2^32.
  const t = a0 * b0;
  const c1 = (t >>> 16) + a1 * b0;
  const c2 = (c1 & 0xffff) + a0 * b1;
  const top = a1 * b1 + (c1 >>> 16) + (c2 >>> 16);
  // The cross products only matter modulo 2^32, which is what Math.imul gives.
  hi = (top + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  return ((c2 << 16) | (t & 0xffff)) >>> 0;
}

/** (aHi:aLo) + (bHi:bLo) mod 2^64. */
function add(aHi: number, aLo: number, bHi: number, bLo: number): number {
  const sum = aLo + bLo;
  hi = (aHi + bHi + (sum > 0xffffffff ? 1 : 0)) >>> 0;
  return sum >>> 0;
}

/** Rotates (xHi:xLo) left by r bits, 0 < r < 32 (XXH64 only uses such amounts). */
function rotl(xHi: number, xLo: number, r: number): number {
  hi = ((xHi << r) | (xLo >>> (32 - r))) >>> 0;
  return ((xLo << r) | (xHi >>> (32 - r))) >>> 0;
}

/** XXH64's round: acc = rotl(acc + input × P2, 31) × P1. */
function round(accHi: number, accLo: number, inHi: number, inLo: number): number {
  let lo = mul(inHi, inLo, P2_HI, P2_LO);
  lo = add(accHi, accLo, hi, lo);
  lo = rotl(hi, lo, 31);
  return mul(hi, lo, P1_HI, P1_LO);
}

/** XXH64's merge of an accumulator into the hash: h = (h ^ round(0, v)) × P1 + P4. */
function merge(hHi: number, hLo: number, vHi: number, vLo: number): number {
  const lo = round(0, 0, vHi, vLo);
  const mixed = mul((hHi ^ hi) >>> 0, (hLo ^ lo) >>> 0, P1_HI, P1_LO);
  return add(hi, mixed, P4_HI, P4_LO);
}

/** The little-endian 32-bit word at byte offset i. */
function word(src: KeyBytes, i: number): number {
  if (typeof src === 'string') {
    return (
      ((src.charCodeAt(i) & 0xff) |
        ((src.charCodeAt(i + 1) & 0xff) << 8) |
        ((src.charCodeAt(i + 2) & 0xff) << 16) |
        ((src.charCodeAt(i + 3) & 0xff) << 24)) >>>
      0
    );
  }
  return (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
}

function byteAt(src: KeyBytes, i: number): number {
  return typeof src === 'string' ? src.charCodeAt(i) & 0xff : src[i]!;
}

/** XXH64 of src[start, end) with seed (seedHi:seedLo); returns lo, leaves hi in the register. */
function digest(src: KeyBytes, start: number, end: number, seedHi: number, seedLo: number): number {
  let p = start;
  let hHi: number;
  let hLo: number;
  if (end - start >= 32) {
    let v1Lo = add(seedHi, seedLo, P1P2_HI, P1P2_LO);
    let v1Hi = hi;
    let v2Lo = add(seedHi, seedLo, P2_HI, P2_LO);
    let v2Hi = hi;
    let v3Lo = seedLo;
    let v3Hi = seedHi;
    let v4Lo = add(seedHi, seedLo, NEG_P1_HI, NEG_P1_LO);
    let v4Hi = hi;
    for (const limit = end - 32; p <= limit; p += 32) {
      v1Lo = round(v1Hi, v1Lo, word(src, p + 4), word(src, p));
      v1Hi = hi;
      v2Lo = round(v2Hi, v2Lo, word(src, p + 12), word(src, p + 8));
      v2Hi = hi;
      v3Lo = round(v3Hi, v3Lo, word(src, p + 20), word(src, p + 16));
      v3Hi = hi;
      v4Lo = round(v4Hi, v4Lo, word(src, p + 28), word(src, p + 24));
      v4Hi = hi;
    }
    hLo = rotl(v1Hi, v1Lo, 1);
    hHi = hi;
    let rLo = rotl(v2Hi, v2Lo, 7);
    hLo = add(hHi, hLo, hi, rLo);
    hHi = hi;
    rLo = rotl(v3Hi, v3Lo, 12);
    hLo = add(hHi, hLo, hi, rLo);
    hHi = hi;
    rLo = rotl(v4Hi, v4Lo, 18);
    hLo = add(hHi, hLo, hi, rLo);
    hHi = hi;
    hLo = merge(hHi, hLo, v1Hi, v1Lo);
    hHi = hi;
    hLo = merge(hHi, hLo, v2Hi, v2Lo);
    hHi = hi;
    hLo = merge(hHi, hLo, v3Hi, v3Lo);
    hHi = hi;
    hLo = merge(hHi, hLo, v4Hi, v4Lo);
    hHi = hi;
  } else {
    hLo = add(seedHi, seedLo, P5_HI, P5_LO);
    hHi = hi;
  }
  hLo = add(hHi, hLo, 0, end - start);
  hHi = hi;
  for (; p + 8 <= end; p += 8) {
    const kLo = round(0, 0, word(src, p + 4), word(src, p));
    hLo = rotl((hHi ^ hi) >>> 0, (hLo ^ kLo) >>> 0, 27);
    hLo = mul(hi, hLo, P1_HI, P1_LO);
    hLo = add(hi, hLo, P4_HI, P4_LO);
    hHi = hi;
  }
  if (p + 4 <= end) {
    const kLo = mul(0, word(src, p), P1_HI, P1_LO);
    hLo = rotl((hHi ^ hi) >>> 0, (hLo ^ kLo) >>> 0, 23);
    hLo = mul(hi, hLo, P2_HI, P2_LO);
    hLo = add(hi, hLo, P3_HI, P3_LO);
    hHi = hi;
    p += 4;
  }
  for (; p < end; p++) {
    const kLo = mul(0, byteAt(src, p), P5_HI, P5_LO);
    hLo = rotl((hHi ^ hi) >>> 0, (hLo ^ kLo) >>> 0, 11);
    hLo = mul(hi, hLo, P1_HI, P1_LO);
    hHi = hi;
  }
  return avalanche(hHi, hLo);
}

/** XXH64's final mix: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32. */
function avalanche(hHi: number, hLo: number): number {
  let lo = mul(hHi, (hLo ^ (hHi >>> 1)) >>> 0, P2_HI, P2_LO);
  const h = hi;
  lo = mul((h ^ (h >>> 29)) >>> 0, (lo ^ ((lo >>> 29) | (h << 3))) >>> 0, P3_HI, P3_LO);
  return (lo ^ hi) >>> 0;
}

/**
 * The low 32 bits of XXH64 (seed 0) of key[start, end), as an unsigned integer. This is the hot
 * path of key routing: no allocation, no BigInt.
 */
export function xxh64Low32(key: KeyBytes, start = 0, end = key.length): number {
  return digest(key, start, end, 0, 0);
}

/**
 * XXH64 of key[start, end) with the 64-bit seed (seedHi:seedLo), written into `out` as
 * out[0] = low word, out[1] = high word (a caller-owned Uint32Array, so nothing is allocated).
 */
export function xxh64Into(
  out: Uint32Array,
  key: KeyBytes,
  start = 0,
  end = key.length,
  seedHi = 0,
  seedLo = 0,
): void {
  const lo = digest(key, start, end, seedHi >>> 0, seedLo >>> 0);
  out[1] = hi;
  out[0] = lo;
}

/**
 * XXH64 of one 32-bit word as 4 little-endian bytes, seeded with (seedHi:seedLo), into out as
 * for xxh64Into: the same value as xxh64Into on those 4 bytes, with the short-input path
 * unrolled, because shard assignment ranks every (node, shard) pair with it.
 */
export function xxh64OfUint32Into(
  out: Uint32Array,
  value: number,
  seedHi: number,
  seedLo: number,
): void {
  let lo = add(seedHi >>> 0, seedLo >>> 0, P5_HI, P5_LO + 4);
  const hHi = hi;
  const kLo = mul(0, value >>> 0, P1_HI, P1_LO);
  lo = rotl((hHi ^ hi) >>> 0, (lo ^ kLo) >>> 0, 23);
  lo = mul(hi, lo, P2_HI, P2_LO);
  lo = add(hi, lo, P3_HI, P3_LO);
  lo = avalanche(hi, lo);
  out[1] = hi;
  out[0] = lo;
}

/** XXH64 of the whole key as a BigInt, for tests, tools and logs (allocates; not for hot paths). */
export function xxh64(key: KeyBytes, seed = 0n): bigint {
  const s = BigInt.asUintN(64, seed);
  const lo = digest(key, 0, key.length, Number(s >> 32n), Number(s & 0xffffffffn));
  return (BigInt(hi) << 32n) | BigInt(lo);
}
