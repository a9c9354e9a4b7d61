import { describe, expect, it } from 'vitest';
import { hashBytes53 } from './key-hash.ts';
import { ORACLE_GENERAL_RECORD_BYTES, readOracleGeneralTrace } from './oracle-general-reader.ts';
import { chunked, collect } from './test-chunks.ts';
import { TraceFormatError } from './trace-error.ts';

function encode(records: [number, bigint, number, bigint][]): Uint8Array {
  const bytes = new Uint8Array(records.length * ORACLE_GENERAL_RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  records.forEach(([timestamp, id, size, next], i) => {
    const at = i * ORACLE_GENERAL_RECORD_BYTES;
    view.setUint32(at, timestamp, true);
    view.setBigUint64(at + 4, id, true);
    view.setUint32(at + 12, size, true);
    view.setBigInt64(at + 16, next, true);
  });
  return bytes;
}

describe('readOracleGeneralTrace', () => {
  const big = 2n ** 63n + 5n;
  const bytes = encode([
    [10, 42n, 512, 3n], // the file's virtual time is 1-based: the next request is index 2
    [10, 7n, 4096, -1n],
    [11, 42n, 512, -1n],
    [12, 2n ** 40n + 3n, 1, -1n],
    [13, big, 9, -1n],
  ]);

  it('decodes every field, passing next-access times on', async () => {
    const got = await collect(readOracleGeneralTrace(chunked(bytes, 1 << 16), 't.bin', 2));
    expect(got.timestamps).toEqual([10, 10, 11, 12, 13]);
    expect(got.keys.slice(0, 4)).toEqual([42, 7, 42, 2 ** 40 + 3]);
    expect(got.sizes).toEqual([512, 4096, 512, 1, 9]);
    expect(got.nextAccess).toEqual([2, -1, -1, -1, -1]);
  });

  it('hashes ids beyond 2^53', async () => {
    const got = await collect(readOracleGeneralTrace(chunked(bytes, 1 << 16), 't.bin', 8));
    const at = 4 * ORACLE_GENERAL_RECORD_BYTES + 4;
    expect(got.keys[4]).toBe(hashBytes53(bytes, at, at + 8));
  });

  it('gives the same requests wherever the chunks split', async () => {
    const whole = await collect(readOracleGeneralTrace(chunked(bytes, 1 << 16), 't.bin', 8));
    for (const chunkSize of [1, 5, 23, 24, 25, 47]) {
      expect(await collect(readOracleGeneralTrace(chunked(bytes, chunkSize), 't.bin', 3))).toEqual(
        whole,
      );
    }
  });

  it('rejects a truncated last record', async () => {
    const error = await collect(
      readOracleGeneralTrace(chunked(bytes.subarray(0, 30), 7), 't.bin', 8),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as Error).message).toMatch(/truncated record: 6 trailing bytes after 1 whole/);
  });
});
