import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BAD_FORMAT,
  BAD_PAYLOAD,
  crc64,
  decodeDump,
  encodeDump,
  lzfDecompress,
} from './dump-payload.ts';

describe('DUMP payloads', () => {
  it('checks with CRC-64/Jones (the catalogue check value of "123456789")', () => {
    expect(crc64(Buffer.from('123456789')).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(Buffer.alloc(0)).readBigUInt64LE(0)).toBe(0n);
  });

  it('encodes short integers as RDB integers and other strings by length, as Redis', () => {
    // Redis 7.0.15: DUMP of "7" and of "hello".
    expect(encodeDump(Buffer.from('7')).toString('hex')).toBe(
      '00c0070a00' + crc64(Buffer.from('00c0070a00', 'hex')).toString('hex'),
    );
    expect(encodeDump(Buffer.from('hello')).subarray(0, 7).toString('latin1')).toBe(
      '\x00\x05hello',
    );
    expect(encodeDump(Buffer.from('007')).subarray(0, 5).toString('latin1')).toBe('\x00\x03007');
  });

  it('reads back whatever it writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const value = Buffer.from(bytes);
        expect(decodeDump(encodeDump(value))).toEqual({ value });
      }),
    );
  });

  it('decompresses LZF literal runs and overlapping back references', () => {
    // "abcabcabcabc": 3 literals, then a reference 3 back, 9 long (len field 7 means 7 + next).
    const compressed = Buffer.from([0x02, 0x61, 0x62, 0x63, 0xe0, 0x00, 0x02]);
    expect(lzfDecompress(compressed, 12)?.toString('latin1')).toBe('abcabcabcabc');
    expect(lzfDecompress(compressed, 11)).toBeUndefined();
    expect(lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toBeUndefined();
  });

  it('refuses a short, newer, corrupted or truncated payload with Redis’s errors', () => {
    const good = encodeDump(Buffer.from('value'));
    expect(decodeDump(good.subarray(0, 9))).toEqual({ error: BAD_PAYLOAD });
    const newer = Buffer.from(good);
    newer[newer.length - 10] = 11;
    expect(decodeDump(newer)).toEqual({ error: BAD_PAYLOAD });
    const flipped = Buffer.from(good);
    flipped[3] = (flipped[3] as number) ^ 1;
    expect(decodeDump(flipped)).toEqual({ error: BAD_PAYLOAD });
    // A length that runs past the footer, with a valid checksum.
    const body = Buffer.from([0x00, 0x3f, 0x61, 0x0a, 0x00]);
    expect(decodeDump(Buffer.concat([body, crc64(body)]))).toEqual({ error: BAD_FORMAT });
  });
});
