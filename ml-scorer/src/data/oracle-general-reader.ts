import { hashBytes53 } from './key-hash.ts';
import type { RequestBatch } from './request-batch.ts';
import { TraceFormatError } from './trace-error.ts';

/** Bytes per request: uint32 timestamp, uint64 object id, uint32 size, int64 next access. */
export const ORACLE_GENERAL_RECORD_BYTES = 24;

const TWO_32 = 4294967296;
/** Ids whose high word is at or above this are not safe integers and get hashed. */
const SAFE_HIGH_WORD = 0x200000;

/**
 * libCacheSim's oracleGeneral binary format (little-endian, 24 bytes a request). The next-access
 * column is passed on, so that Belady can run on these files without a reverse pass. The file
 * counts virtual time from 1 (libCacheSim numbers a request after counting it): on
 * cloudPhysicsIO.oracleGeneral.bin every one of the 64,898 finite values is the 0-based index of
 * the key's next request plus one. The reader subtracts that one, so that `nextAccess` means the
 * same as after a reverse pass over any other format: 0-based index, -1 for none.
 */
export async function* readOracleGeneralTrace(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  batchSize: number,
): AsyncGenerator<RequestBatch> {
  let carry: Uint8Array | null = null;
  let records = 0;
  for await (const chunk of chunks) {
    const bytes: Uint8Array = carry === null ? chunk : concat(carry, chunk);
    const whole = Math.floor(bytes.length / ORACLE_GENERAL_RECORD_BYTES);
    for (let first = 0; first < whole; first += batchSize) {
      const count = Math.min(batchSize, whole - first);
      yield decode(bytes, first * ORACLE_GENERAL_RECORD_BYTES, count);
    }
    records += whole;
    const used = whole * ORACLE_GENERAL_RECORD_BYTES;
    carry = used < bytes.length ? bytes.slice(used) : null;
  }
  if (carry !== null) {
    throw new TraceFormatError(
      source,
      `truncated record: ${carry.length} trailing bytes after ${records} whole ${ORACLE_GENERAL_RECORD_BYTES}-byte records`,
      records + 1,
    );
  }
}

function decode(bytes: Uint8Array, offset: number, count: number): RequestBatch {
  const view = new DataView(
    bytes.buffer,
    bytes.byteOffset + offset,
    count * ORACLE_GENERAL_RECORD_BYTES,
  );
  const timestamps = new Float64Array(count);
  const keys = new Float64Array(count);
  const sizes = new Float64Array(count);
  const nextAccess = new Float64Array(count);
  for (let i = 0, at = 0; i < count; i++, at += ORACLE_GENERAL_RECORD_BYTES) {
    timestamps[i] = view.getUint32(at, true);
    const low = view.getUint32(at + 4, true);
    const high = view.getUint32(at + 8, true);
    keys[i] =
      high < SAFE_HIGH_WORD
        ? high * TWO_32 + low
        : hashBytes53(bytes, offset + at + 4, offset + at + 12);
    sizes[i] = view.getUint32(at + 12, true);
    const nextLow = view.getUint32(at + 16, true);
    const nextHigh = view.getInt32(at + 20, true);
    nextAccess[i] = nextHigh < 0 ? -1 : nextHigh * TWO_32 + nextLow - 1;
  }
  return { length: count, timestamps, keys, sizes, ttls: null, nextAccess };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
