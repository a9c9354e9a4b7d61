import { describe, expect, it } from 'vitest';

import { ChangeBatch } from './change-batch.ts';
import {
  dataRange,
  decodeEntry,
  encodeKey,
  encodeValue,
  ENTRY_HEADER_BYTES,
  readBatch,
  serializeBatch,
} from './codec.ts';

describe('entry encoding', () => {
  it('round-trips arbitrary key bytes, values and expiries', () => {
    const key = '\u0000\u00ff binary \u0080';
    for (const expireAt of [
      0,
      1,
      2 ** 32 - 1,
      2 ** 32,
      1_700_000_000_123,
      Number.MAX_SAFE_INTEGER,
    ]) {
      const value = Buffer.from([0, 1, 2, 255]);
      const entry = decodeEntry(encodeKey(key), encodeValue(value, expireAt));
      expect(entry).toEqual({ key, value, expireAt });
    }
  });

  it('puts every data key inside the data range', () => {
    const { gte, lt } = dataRange();
    for (const key of ['', '\u00ff'.repeat(100), 'a']) {
      const encoded = encodeKey(key);
      expect(Buffer.compare(encoded, gte)).toBeGreaterThanOrEqual(0);
      expect(Buffer.compare(encoded, lt)).toBeLessThan(0);
    }
  });

  it('copies the value out of the read buffer', () => {
    const raw = encodeValue(Buffer.from('abc'), 0);
    const entry = decodeEntry(encodeKey('k'), raw)!;
    raw.fill(0);
    expect(entry.value.toString()).toBe('abc');
  });

  it('rejects malformed values', () => {
    const key = encodeKey('k');
    expect(decodeEntry(key, Buffer.alloc(ENTRY_HEADER_BYTES - 1, 1))).toBeUndefined();
    const wrongVersion = encodeValue(Buffer.from('v'), 0);
    wrongVersion[0] = 9;
    expect(decodeEntry(key, wrongVersion)).toBeUndefined();
    const hugeExpiry = encodeValue(Buffer.from('v'), 0);
    hugeExpiry.fill(0xff, 1, ENTRY_HEADER_BYTES);
    expect(decodeEntry(key, hugeExpiry)).toBeUndefined();
  });
});

describe('batch serialization', () => {
  it('carries the clear flag and every change ready for RocksDB', () => {
    const batch = new ChangeBatch();
    batch.clear();
    batch.put('a', Buffer.from('1'), 7);
    batch.put('\u00ff', Buffer.alloc(0), 0);
    const puts: [Buffer, Buffer][] = [];
    const { clear } = readBatch(serializeBatch(batch), {
      put: (key, value) => puts.push([key, value]),
      delete: () => expect.fail('no deletes'),
    });
    expect(clear).toBe(true);
    expect(puts).toEqual([
      [encodeKey('a'), encodeValue(Buffer.from('1'), 7)],
      [encodeKey('\u00ff'), encodeValue(Buffer.alloc(0), 0)],
    ]);
  });

  it('carries deletions', () => {
    const batch = new ChangeBatch();
    batch.delete('gone');
    const deletes: Buffer[] = [];
    const { clear } = readBatch(serializeBatch(batch), {
      put: () => expect.fail('no puts'),
      delete: (key) => deletes.push(key),
    });
    expect(clear).toBe(false);
    expect(deletes).toEqual([encodeKey('gone')]);
  });
});
