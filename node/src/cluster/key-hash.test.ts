import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { xxh64, xxh64Into, xxh64Low32, xxh64OfUint32Into } from './key-hash.ts';

const M64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const PRIME32 = 2654435761n;

/** A straightforward BigInt transcription of the XXH64 specification: the oracle. */
function referenceXxh64(bytes: Uint8Array, seed: bigint): bigint {
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M64;
  const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) & M64, 31n) * P1) & M64;
  const u64 = (i: number) => {
    let v = 0n;
    for (let j = 7; j >= 0; j--) v = (v << 8n) | BigInt(bytes[i + j]!);
    return v;
  };
  const u32 = (i: number) =>
    BigInt(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16)) |
    (BigInt(bytes[i + 3]!) << 24n);
  const len = bytes.length;
  let p = 0;
  let h: bigint;
  if (len >= 32) {
    const v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64];
    for (; p + 32 <= len; p += 32) for (let k = 0; k < 4; k++) v[k] = round(v[k]!, u64(p + 8 * k));
    const [v1, v2, v3, v4] = v as [bigint, bigint, bigint, bigint];
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    for (const x of v) h = ((h ^ round(0n, x)) * P1 + P4) & M64;
  } else {
    h = (seed + P5) & M64;
  }
  h = (h + BigInt(len)) & M64;
  for (; p + 8 <= len; p += 8) h = (rotl(h ^ round(0n, u64(p)), 27n) * P1 + P4) & M64;
  if (p + 4 <= len) {
    h = (rotl(h ^ ((u32(p) * P1) & M64), 23n) * P2 + P3) & M64;
    p += 4;
  }
  for (; p < len; p++) h = (rotl(h ^ ((BigInt(bytes[p]!) * P5) & M64), 11n) * P1) & M64;
  h ^= h >> 33n;
  h = (h * P2) & M64;
  h ^= h >> 29n;
  h = (h * P3) & M64;
  return h ^ (h >> 32n);
}

/** The sanity buffer of xxHash's own self-test (cli/xsum_sanity_check.c, XSUM_fillTestBuffer). */
function sanityBuffer(length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let gen = PRIME32;
  for (let i = 0; i < length; i++) {
    buffer[i] = Number(gen >> 56n);
    gen = (gen * 11400714785074694797n) & M64; // the test's PRIME64, not XXH64's P1
  }
  return buffer;
}

describe('xxh64', () => {
  it('matches the XXH64 vectors of xxHash’s sanity check (cli/xsum_sanity_check.c)', () => {
    const buffer = sanityBuffer(222);
    const vectors: [number, bigint, bigint][] = [
      [0, 0n, 0xef46db3751d8e999n],
      [0, PRIME32, 0xac75fda2929b17efn],
      [1, 0n, 0xe934a84adb052768n],
      [1, PRIME32, 0x5014607643a9b4c3n],
      [4, 0n, 0x9136a0dca57457een],
      [14, 0n, 0x8282dcc4994e35c8n],
      [14, PRIME32, 0xc3bd6bf63deb6df0n],
      [222, 0n, 0xb641ae8cb691c174n],
      [222, PRIME32, 0x20cb8ab7ae10c14an],
    ];
    for (const [length, seed, expected] of vectors) {
      expect(xxh64(buffer.subarray(0, length), seed)).toBe(expected);
      expect(referenceXxh64(buffer.subarray(0, length), seed)).toBe(expected);
    }
  });

  it('matches the well-known string vectors, for latin1 strings and Buffers alike', () => {
    const vectors: [string, bigint][] = [
      ['', 0xef46db3751d8e999n],
      ['a', 0xd24ec4f1a98c6e5bn],
      ['abc', 0x44bc2cf5ad770999n],
      ['message digest', 0x066ed728fceeb3ben],
      ['abcdefghijklmnopqrstuvwxyz', 0xcfe1f278fa89835cn],
    ];
    for (const [text, expected] of vectors) {
      expect(xxh64(text)).toBe(expected);
      expect(xxh64(Buffer.from(text, 'latin1'))).toBe(expected);
      expect(xxh64Low32(text)).toBe(Number(expected & 0xffffffffn));
    }
  });

  it('agrees with the BigInt oracle on random bytes, seeds, ranges and both key forms', () => {
    const out = new Uint32Array(2);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.bigInt({ min: 0n, max: M64 }),
        fc.nat(),
        fc.nat(),
        (bytes, seed, a, b) => {
          const expected = referenceXxh64(bytes, seed);
          expect(xxh64(bytes, seed)).toBe(expected);
          expect(xxh64(Buffer.from(bytes).toString('latin1'), seed)).toBe(expected);
          // A sub-range hashes like a copy of it, with no copy made.
          const start = bytes.length === 0 ? 0 : a % bytes.length;
          const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
          const slice = bytes.slice(start, end);
          xxh64Into(out, bytes, start, end, Number(seed >> 32n), Number(seed & 0xffffffffn));
          expect((BigInt(out[1]!) << 32n) | BigInt(out[0]!)).toBe(referenceXxh64(slice, seed));
          expect(xxh64Low32(bytes, start, end)).toBe(
            Number(referenceXxh64(slice, 0n) & 0xffffffffn),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads only the low byte of string chars above 0xFF', () => {
    expect(xxh64('\u0161')).toBe(xxh64('\u0061'));
  });
});

describe('xxh64OfUint32Into', () => {
  it('equals XXH64 of the word as 4 little-endian bytes', () => {
    const fast = new Uint32Array(2);
    const slow = new Uint32Array(2);
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffffffff }),
        (value, seedHi, seedLo) => {
          const bytes = new Uint8Array(4);
          new DataView(bytes.buffer).setUint32(0, value, true);
          xxh64OfUint32Into(fast, value, seedHi, seedLo);
          xxh64Into(slow, bytes, 0, 4, seedHi, seedLo);
          expect([...fast]).toEqual([...slow]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
