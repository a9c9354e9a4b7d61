/**
 * Redis's DUMP payload for a string value (the format RESTORE, MIGRATE and migration tools move
 * keys in): an RDB object (type 0, then the string as RDB writes it: an 8, 16 or 32-bit integer
 * when the text is one, else a length and the bytes, or LZF-compressed), the RDB version (2 bytes,
 * little-endian) and a CRC-64 (Jones) of everything before it (8 bytes, little-endian). Pure.
 *
 * Decoding reads every string form Redis writes, LZF included. Encoding never compresses: Redis
 * reads such a payload, but its own DUMP of a compressible value longer than 20 bytes differs.
 */

/** Redis 7.0's RDB version: newer payloads are refused, as Redis refuses them. */
export const RDB_VERSION = 10;
const RDB_TYPE_STRING = 0;
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

export const BAD_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
export const BAD_FORMAT = 'ERR Bad data format';

/** The DUMP payload of a string value. */
export function encodeDump(value: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.of(RDB_TYPE_STRING), encodeString(value)];
  const body = Buffer.concat([...parts, Buffer.of(RDB_VERSION & 0xff, RDB_VERSION >> 8)]);
  return Buffer.concat([body, crc64(body)]);
}

/** The string value a DUMP payload holds, or the error text Redis answers RESTORE with. */
export function decodeDump(payload: Buffer): { value: Buffer } | { error: string } {
  if (payload.length < 10) return { error: BAD_PAYLOAD };
  const footer = payload.length - 10;
  const version = (payload[footer] as number) | ((payload[footer + 1] as number) << 8);
  if (version > RDB_VERSION) return { error: BAD_PAYLOAD };
  if (!crc64(payload.subarray(0, footer + 2)).equals(payload.subarray(footer + 2))) {
    return { error: BAD_PAYLOAD };
  }
  if (payload[0] !== RDB_TYPE_STRING) {
    return { error: 'ERR mlcache stores strings only: the payload holds another type' };
  }
  const value = decodeString(payload, 1, footer);
  return value === undefined ? { error: BAD_FORMAT } : { value };
}

/** rdbSaveRawString without LZF: an integer encoding for short decimal texts, else length + bytes. */
function encodeString(value: Buffer): Buffer {
  if (value.length <= 11) {
    const integer = canonicalInteger(value);
    if (integer !== undefined) {
      if (integer >= -128 && integer <= 127) return Buffer.of(0xc0 | ENC_INT8, integer & 0xff);
      if (integer >= -32768 && integer <= 32767) {
        return Buffer.of(0xc0 | ENC_INT16, integer & 0xff, (integer >> 8) & 0xff);
      }
      if (integer >= -2147483648 && integer <= 2147483647) {
        const out = Buffer.alloc(5);
        out[0] = 0xc0 | ENC_INT32;
        out.writeInt32LE(integer, 1);
        return out;
      }
    }
  }
  return Buffer.concat([encodeLength(value.length), value]);
}

/** Redis's string2ll on a short text: the integer when the text is exactly its decimal form. */
function canonicalInteger(value: Buffer): number | undefined {
  const text = value.toString('latin1');
  if (!/^(?:0|-?[1-9][0-9]*)$/.test(text)) return undefined;
  const integer = Number(text);
  return Number.isSafeInteger(integer) ? integer : undefined;
}

/** rdbSaveLen: 6 bits, 14 bits, 32 bits or 64 bits, big-endian past the first byte. */
function encodeLength(length: number): Buffer {
  if (length < 1 << 6) return Buffer.of(length);
  if (length < 1 << 14) return Buffer.of(0x40 | (length >> 8), length & 0xff);
  if (length <= 0xffffffff) {
    const out = Buffer.alloc(5);
    out[0] = 0x80;
    out.writeUInt32BE(length, 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0x81;
  out.writeBigUInt64BE(BigInt(length), 1);
  return out;
}

/** Reads a length (or an encoding marker) at `at`; undefined past `end`. */
function readLength(
  data: Buffer,
  at: number,
  end: number,
): { length: number; encoded: boolean; next: number } | undefined {
  if (at >= end) return undefined;
  const first = data[at] as number;
  const kind = first >> 6;
  if (kind === 0) return { length: first & 0x3f, encoded: false, next: at + 1 };
  if (kind === 1) {
    if (at + 2 > end) return undefined;
    return {
      length: ((first & 0x3f) << 8) | (data[at + 1] as number),
      encoded: false,
      next: at + 2,
    };
  }
  if (kind === 3) return { length: first & 0x3f, encoded: true, next: at + 1 };
  if (first === 0x80) {
    if (at + 5 > end) return undefined;
    return { length: data.readUInt32BE(at + 1), encoded: false, next: at + 5 };
  }
  if (first === 0x81) {
    if (at + 9 > end) return undefined;
    const length = data.readBigUInt64BE(at + 1);
    if (length > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return { length: Number(length), encoded: false, next: at + 9 };
  }
  return undefined;
}

/** rdbGenericLoadStringObject for the payload's object, which must end where the footer starts. */
function decodeString(data: Buffer, at: number, end: number): Buffer | undefined {
  const head = readLength(data, at, end);
  if (head === undefined) return undefined;
  if (!head.encoded) {
    if (head.next + head.length > end) return undefined;
    return Buffer.from(data.subarray(head.next, head.next + head.length));
  }
  const next = head.next;
  switch (head.length) {
    case ENC_INT8:
      return next + 1 > end ? undefined : Buffer.from(String(data.readInt8(next)), 'latin1');
    case ENC_INT16:
      return next + 2 > end ? undefined : Buffer.from(String(data.readInt16LE(next)), 'latin1');
    case ENC_INT32:
      return next + 4 > end ? undefined : Buffer.from(String(data.readInt32LE(next)), 'latin1');
    case ENC_LZF: {
      const compressed = readLength(data, next, end);
      if (compressed === undefined || compressed.encoded) return undefined;
      const original = readLength(data, compressed.next, end);
      if (original === undefined || original.encoded) return undefined;
      const from = original.next;
      if (from + compressed.length > end) return undefined;
      return lzfDecompress(data.subarray(from, from + compressed.length), original.length);
    }
    default:
      return undefined;
  }
}

/** liblzf's lzf_decompress: literal runs and back references; undefined when malformed. */
export function lzfDecompress(input: Buffer, length: number): Buffer | undefined {
  const out = Buffer.alloc(length);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const control = input[ip++] as number;
    if (control < 32) {
      const run = control + 1;
      if (op + run > length || ip + run > input.length) return undefined;
      input.copy(out, op, ip, ip + run);
      op += run;
      ip += run;
      continue;
    }
    let run = control >> 5;
    let ref = op - ((control & 0x1f) << 8) - 1;
    if (ip >= input.length) return undefined;
    if (run === 7) {
      run += input[ip++] as number;
      if (ip >= input.length) return undefined;
    }
    ref -= input[ip++] as number;
    if (op + run + 2 > length || ref < 0) return undefined;
    // Byte by byte: a reference may overlap what it writes (a repeated pattern).
    for (let i = 0; i < run + 2; i++) out[op++] = out[ref++] as number;
  }
  return op === length ? out : undefined;
}

/** CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, init 0), as 8 little-endian bytes. */
export function crc64(data: Uint8Array): Buffer {
  let hi = 0;
  let lo = 0;
  for (const byte of data) {
    const index = (lo ^ byte) & 0xff;
    const nextLo = ((lo >>> 8) | (hi << 24)) >>> 0;
    hi = ((hi >>> 8) ^ (CRC_HI[index] as number)) >>> 0;
    lo = (nextLo ^ (CRC_LO[index] as number)) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32LE(lo, 0);
  out.writeUInt32LE(hi, 4);
  return out;
}

/** The byte table of the reflected Jones polynomial (0x95ac9329ac4bc9b5), in 32-bit halves. */
const [CRC_HI, CRC_LO] = ((): [Uint32Array, Uint32Array] => {
  const polyHi = 0x95ac9329;
  const polyLo = 0xac4bc9b5;
  const highs = new Uint32Array(256);
  const lows = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry !== 0) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    highs[i] = hi;
    lows[i] = lo;
  }
  return [highs, lows];
})();
