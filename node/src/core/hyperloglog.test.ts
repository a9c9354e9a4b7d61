import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cacheCount,
  cachedCount,
  emptyHll,
  HllError,
  hllAdd,
  hllCount,
  HLL_REGISTERS,
  isHll,
  mergeInto,
  murmurHash64A,
  registersCount,
  writeRegisters,
} from './hyperloglog.ts';

/** PFADD of `elements` into a new HyperLogLog, as a value. */
function added(elements: readonly string[], start = emptyHll()): Buffer {
  let value = start;
  for (const element of elements) value = hllAdd(value, Buffer.from(element)).value;
  return value;
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `e${from + i}`);
const sha1 = (value: Buffer): string => createHash('sha1').update(value).digest('hex');

/** MurmurHash64A transcribed from Redis's C with BigInt: the reference for the fast version. */
function referenceMurmur(data: Uint8Array, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  let h = (seed ^ (BigInt(data.length) * m)) & mask;
  const whole = data.length - (data.length & 7);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < whole; at += 8) {
    let k = view.getBigUint64(at, true);
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h = ((h ^ k) * m) & mask;
  }
  const tail = data.length & 7;
  if (tail > 0) {
    for (let i = tail - 1; i >= 0; i--) h ^= BigInt(data[whole + i] as number) << BigInt(8 * i);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  return h ^ (h >> 47n);
}

// Reference values read from redis-server 7.0.15 (PFADD, then GET, STRLEN and PFCOUNT), so that
// these tests hold the encoding to Redis's even where the differential test cannot run.
describe('HyperLogLog, as Redis encodes it', () => {
  it('hashes as the BigInt transcription of MurmurHash64A does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        expect(murmurHash64A(data, 0xadc83b19)).toBe(referenceMurmur(data, 0xadc83b19n));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the same sparse value as Redis for a few elements', () => {
    const value = added(['a', 'b', 'c']);
    expect(value.toString('latin1')).toBe(
      'HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ',
    );
    expect(hllCount(value)).toBe(3);
  });

  it('writes the same value as Redis for 100 (sparse) and 10,000 (dense) elements', () => {
    // Each read back after PFCOUNT, which caches the count in the value.
    const counted = (value: Buffer): Buffer => {
      cacheCount(value, hllCount(value));
      return value;
    };
    const hundred = added(range(0, 100));
    expect(hundred.length).toBe(285);
    expect(hllCount(hundred)).toBe(100);
    expect(sha1(counted(hundred))).toBe('10284d924957df904fe939f436df8ee09605b6ef');
    const tenThousand = added(range(0, 10_000));
    expect(tenThousand.length).toBe(12_304);
    expect(hllCount(tenThousand)).toBe(9973);
    expect(sha1(counted(tenThousand))).toBe('bbf1b0a6391cb55921ea3c8bf3d7ee8ea02b7791');
    expect(cachedCount(tenThousand)).toBe(9973);
  });

  it('counts within a few percent, and a merge counts the union', () => {
    const a = added(range(0, 30_000));
    const b = added(range(20_000, 60_000));
    expect(Math.abs(hllCount(a) - 30_000) / 30_000).toBeLessThan(0.03);
    const max = new Uint8Array(HLL_REGISTERS);
    mergeInto(max, a);
    mergeInto(max, b);
    expect(Math.abs(registersCount(max) - 60_000) / 60_000).toBeLessThan(0.03);
    // Written into a sparse target (made dense, since one source is), it counts the same.
    const merged = writeRegisters(emptyHll(), max, true);
    expect(merged.length).toBe(12_304);
    expect(hllCount(merged)).toBe(registersCount(max));
    expect(cachedCount(merged)).toBeUndefined();
  });

  it('tells HyperLogLogs from other strings, and refuses a corrupt sparse value', () => {
    expect(isHll(emptyHll())).toBe(true);
    expect(isHll(Buffer.from('hello'))).toBe(false);
    expect(isHll(Buffer.from('HYLL'))).toBe(false);
    const dense = added(range(0, 10_000));
    expect(isHll(dense.subarray(0, 12_000))).toBe(false);
    // A sparse value whose runs cover fewer registers than 16384.
    const short = emptyHll();
    short[short.length - 1] = 0x00;
    expect(() => hllCount(short)).toThrow(HllError);
    expect(() => hllAdd(short, Buffer.from('x'))).toThrow(HllError);
  });
});
