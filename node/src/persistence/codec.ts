import type { ChangeBatch } from './change-batch.ts';
import type { PersistedEntry } from '../core/persistence.ts';

/**
 * How entries are laid out in RocksDB, and how a batch travels from the event loop to the write
 * worker.
 *
 * RocksDB key: one prefix byte, then the key's bytes. Cache entries use DATA_PREFIX; META_PREFIX
 * is reserved for the adapter's own records. The prefix makes "every cache entry" the exact range
 * [0x01, 0x02), which FLUSHALL deletes with one range deletion and the reload scans, whatever the
 * keys' bytes (Redis allows the empty key and keys of any length).
 *
 * RocksDB value: ENTRY_VERSION (1 byte), expireAt as an unsigned 64-bit big-endian integer of ms
 * since the epoch (0 for none), then the value's bytes.
 */
export const DATA_PREFIX = 0x01;
export const META_PREFIX = 0x00;
export const ENTRY_VERSION = 1;
export const ENTRY_HEADER_BYTES = 9;

/** The meta key written with a FLUSHALL or an otherwise empty batch so that it has a WAL record. */
export const META_SYNC_KEY = 'sync';

const OP_PUT = 1;
const OP_DELETE = 2;
const FLAG_CLEAR = 1;
const TWO_POW_32 = 2 ** 32;

/** The RocksDB key range holding every cache entry. */
export function dataRange(): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.of(DATA_PREFIX), lt: Buffer.of(DATA_PREFIX + 1) };
}

/** The RocksDB key of one of the adapter's own records. */
export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.of(META_PREFIX), Buffer.from(name, 'latin1')]);
}

/** The RocksDB key of a cache key (a latin1 string, one character per byte). */
export function encodeKey(key: string): Buffer {
  const bytes = Buffer.allocUnsafe(1 + key.length);
  bytes[0] = DATA_PREFIX;
  bytes.write(key, 1, 'latin1');
  return bytes;
}

/** The RocksDB value of an entry. */
export function encodeValue(value: Buffer, expireAt: number): Buffer {
  const bytes = Buffer.allocUnsafe(ENTRY_HEADER_BYTES + value.length);
  writeHeader(bytes, 0, expireAt);
  value.copy(bytes, ENTRY_HEADER_BYTES);
  return bytes;
}

/**
 * Decodes a data entry read back from RocksDB, or returns undefined when it is malformed (too
 * short, an unknown entry version, an impossible expiry). The value is copied out so that the
 * store does not keep RocksDB's read buffer (one native allocation per entry) alive.
 */
export function decodeEntry(key: Buffer, value: Buffer): PersistedEntry | undefined {
  if (key.length < 1 || key[0] !== DATA_PREFIX) return undefined;
  if (value.length < ENTRY_HEADER_BYTES || value[0] !== ENTRY_VERSION) return undefined;
  const expireAt = value.readUInt32BE(1) * TWO_POW_32 + value.readUInt32BE(5);
  if (!Number.isSafeInteger(expireAt)) return undefined;
  return {
    key: key.toString('latin1', 1),
    value: Buffer.from(value.subarray(ENTRY_HEADER_BYTES)),
    expireAt,
  };
}

/** Receives the operations of a serialized batch, as RocksDB keys and values. */
export interface BatchVisitor {
  put(key: Buffer, value: Buffer): void;
  delete(key: Buffer): void;
}

/**
 * Serializes a batch into one ArrayBuffer that can be transferred (not copied) to the write
 * worker. Layout: a flags byte (bit 0: clear the data range first), then per change an op byte
 * (1 put, 2 delete), the RocksDB key as u32 length + bytes and, for a put, the RocksDB value as
 * u32 length + bytes. Keys and values are written ready for RocksDB, so the worker only slices.
 */
export function serializeBatch(batch: ChangeBatch): ArrayBuffer {
  let size = 1;
  for (const [key, change] of batch.changes) {
    size += 1 + 4 + 1 + key.length;
    if (change !== null) size += 4 + ENTRY_HEADER_BYTES + change.value.length;
  }
  const buffer = new ArrayBuffer(size);
  const bytes = Buffer.from(buffer);
  let offset = 0;
  bytes[offset++] = batch.cleared ? FLAG_CLEAR : 0;
  for (const [key, change] of batch.changes) {
    bytes[offset++] = change === null ? OP_DELETE : OP_PUT;
    offset = bytes.writeUInt32BE(1 + key.length, offset);
    bytes[offset++] = DATA_PREFIX;
    offset += bytes.write(key, offset, 'latin1');
    if (change === null) continue;
    offset = bytes.writeUInt32BE(ENTRY_HEADER_BYTES + change.value.length, offset);
    writeHeader(bytes, offset, change.expireAt);
    offset += ENTRY_HEADER_BYTES;
    offset += change.value.copy(bytes, offset);
  }
  return buffer;
}

/** Reads a batch written by `serializeBatch`; returns whether it starts with a clear. */
export function readBatch(buffer: ArrayBuffer, visitor: BatchVisitor): { clear: boolean } {
  const bytes = Buffer.from(buffer);
  let offset = 0;
  const clear = (bytes[offset++]! & FLAG_CLEAR) !== 0;
  while (offset < bytes.length) {
    const op = bytes[offset++];
    const keyLength = bytes.readUInt32BE(offset);
    offset += 4;
    const key = bytes.subarray(offset, offset + keyLength);
    offset += keyLength;
    if (op === OP_DELETE) {
      visitor.delete(key);
      continue;
    }
    const valueLength = bytes.readUInt32BE(offset);
    offset += 4;
    visitor.put(key, bytes.subarray(offset, offset + valueLength));
    offset += valueLength;
  }
  return { clear };
}

function writeHeader(bytes: Buffer, offset: number, expireAt: number): void {
  bytes[offset] = ENTRY_VERSION;
  bytes.writeUInt32BE(Math.floor(expireAt / TWO_POW_32), offset + 1);
  bytes.writeUInt32BE(expireAt >>> 0, offset + 5);
}
