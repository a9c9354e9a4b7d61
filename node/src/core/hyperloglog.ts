/**
 * Redis's HyperLogLog, byte for byte: the same string value (header, sparse and dense
 * encodings, cached cardinality), the same hash (MurmurHash64A, seed 0xadc83b19) and the same
 * estimator (Ertl's, Redis 5+), so that PFADD, PFCOUNT and PFMERGE answer what Redis answers and a
 * value copied between the two (GET/SET, DUMP tools) keeps working. Pure: values in, values out.
 *
 * Layout (hyperloglog.c): "HYLL", an encoding byte (0 dense, 1 sparse), 3 unused bytes, the cached
 * cardinality as 8 little-endian bytes whose top bit marks it stale, then the registers: 16384
 * registers of 6 bits packed little-endian (dense), or runs (sparse): ZERO 00xxxxxx (1-64 zeros),
 * XZERO 01xxxxxx yyyyyyyy (1-16384 zeros), VAL 1vvvvvxx (value 1-32, 1-4 registers).
 */

const HEADER = 16;
const P = 14;
const Q = 50;
export const HLL_REGISTERS = 1 << P;
const REGISTER_MAX = 63;
const DENSE_SIZE = HEADER + (HLL_REGISTERS * 6) / 8;
const DENSE = 0;
const SPARSE = 1;
/** Redis's hll-sparse-max-bytes default: a sparse value past it turns dense. */
const SPARSE_MAX_BYTES = 3000;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const ALPHA_INF = 0.72134752044448170368;
const MAGIC = Buffer.from('HYLL', 'latin1');

/** The value is a string that is not a HyperLogLog (wrong magic, encoding or size). */
export const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
/** A HyperLogLog whose registers do not decode (a corrupt sparse run). */
export const CORRUPT_HLL = 'INVALIDOBJ Corrupted HLL object detected';

export class HllError extends Error {
  readonly reply: string;
  constructor(reply: string) {
    super(reply);
    this.reply = reply;
  }
}

/** Redis's isHLLObjectOrReply: header, known encoding, and the dense size when dense. */
export function isHll(value: Buffer): boolean {
  if (value.length < HEADER || !value.subarray(0, 4).equals(MAGIC)) return false;
  const encoding = value[4] as number;
  if (encoding > SPARSE) return false;
  return encoding !== DENSE || value.length === DENSE_SIZE;
}

/** True for the dense encoding (a fixed 12,304 bytes, changed in place). */
export function isDense(value: Buffer): boolean {
  return value[4] === DENSE;
}

/** A new, empty HyperLogLog: sparse, one XZERO run over every register, cardinality 0. */
export function emptyHll(): Buffer {
  const value = Buffer.alloc(HEADER + 2);
  MAGIC.copy(value);
  value[4] = SPARSE;
  writeXzero(value, HEADER, HLL_REGISTERS);
  return value;
}

/** Marks the cached cardinality stale (after any register changed). */
export function invalidateCache(value: Buffer): void {
  value[HEADER - 1] = (value[HEADER - 1] as number) | 0x80;
}

/**
 * Adds `element`: returns the new value (the same buffer when dense, a new one when the sparse
 * runs changed length or turned dense) and whether a register grew.
 */
export function hllAdd(value: Buffer, element: Uint8Array): { value: Buffer; updated: boolean } {
  const { index, count } = patternOf(element);
  return setRegister(value, index, count);
}

/** Raises register `index` to `count` if below it, in either encoding. */
function setRegister(
  value: Buffer,
  index: number,
  count: number,
): { value: Buffer; updated: boolean } {
  if (value[4] === DENSE) return { value, updated: denseSet(value, index, count) };
  return sparseSet(value, index, count);
}

/** Merges `value`'s registers into `max` (max[i] = MAX(max[i], register i)). */
export function mergeInto(max: Uint8Array, value: Buffer): void {
  if (value[4] === DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const register = denseGet(value, i);
      if (register > (max[i] as number)) max[i] = register;
    }
    return;
  }
  forEachRun(value, (first, length, register) => {
    if (register === 0) return;
    for (let i = first; i < first + length; i++)
      if (register > (max[i] as number)) max[i] = register;
  });
}

/**
 * PFMERGE's write of the merged registers `max` into `target` (made dense first when `dense`):
 * every non-zero register is raised in turn, as Redis does, so the sparse runs come out the same.
 */
export function writeRegisters(target: Buffer, max: Uint8Array, dense: boolean): Buffer {
  let value = dense ? toDense(target) : target;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const register = max[i] as number;
    if (register !== 0) value = setRegister(value, i, register).value;
  }
  invalidateCache(value);
  return value;
}

/** The cached cardinality, or undefined when stale. */
export function cachedCount(value: Buffer): number | undefined {
  if (((value[HEADER - 1] as number) & 0x80) !== 0) return undefined;
  return Number(value.readBigUInt64LE(8));
}

/** Stores `count` as the cached cardinality (PFCOUNT does, and so the value changes). */
export function cacheCount(value: Buffer, count: number): void {
  value.writeBigUInt64LE(BigInt(count), 8);
}

/** The estimated cardinality of `value`'s registers. */
export function hllCount(value: Buffer): number {
  const histogram = new Array<number>(64).fill(0);
  if (value[4] === DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) histogram[denseGet(value, i)]! += 1;
  } else {
    forEachRun(value, (_first, length, register) => {
      histogram[register]! += length;
    });
  }
  return estimate(histogram);
}

/** The estimated cardinality of merged registers (PFCOUNT of several keys). */
export function registersCount(registers: Uint8Array): number {
  const histogram = new Array<number>(64).fill(0);
  for (const register of registers) histogram[register]! += 1;
  return estimate(histogram);
}

/** Ertl's estimator, "New cardinality estimation algorithms for HyperLogLog sketches", as Redis. */
function estimate(histogram: readonly number[]): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - (histogram[Q + 1] as number)) / m);
  for (let j = Q; j >= 1; j--) {
    z += histogram[j] as number;
    z *= 0.5;
  }
  z += m * sigma((histogram[0] as number) / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (previous !== z);
  return z / 3;
}

/** Redis's hllPatLen: the register (low 14 bits of the hash) and the run of zeros + 1 above them. */
function patternOf(element: Uint8Array): { index: number; count: number } {
  const { hi, lo } = murmur(element, SEED);
  const index = lo & (HLL_REGISTERS - 1);
  // Hash bits 14 to 63, then a sentinel bit above them (Q = 50 bits, so at most 51).
  let count = 1;
  let bits = lo >>> P;
  for (let i = P; i < 32; i++, count++, bits >>>= 1) if ((bits & 1) !== 0) return { index, count };
  bits = hi;
  for (let i = 0; i < 32; i++, count++, bits >>>= 1) if ((bits & 1) !== 0) return { index, count };
  return { index, count };
}

const SEED = 0xadc83b19;
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** MurmurHash64A as Redis builds it on little-endian machines, as a BigInt (for tests). */
export function murmurHash64A(data: Uint8Array, seed: number): bigint {
  const { hi, lo } = murmur(data, seed);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * MurmurHash64A on two 32-bit halves: JavaScript numbers hold 53 bits, so each 64-bit product
 * modulo 2^64 is built from 16-bit pieces (mul64). Many times faster than BigInt.
 */
function murmur(data: Uint8Array, seed: number): { hi: number; lo: number } {
  const length = data.length;
  const product = { hi: 0, lo: 0 };
  mul64(0, length, M_HI, M_LO, product);
  let hi = product.hi;
  let lo = (product.lo ^ seed) >>> 0;
  const whole = length - (length & 7);
  for (let at = 0; at < whole; at += 8) {
    const kLo = littleEndian32(data, at);
    const kHi = littleEndian32(data, at + 4);
    mul64(kHi, kLo, M_HI, M_LO, product);
    let k1Hi = product.hi;
    let k1Lo = (product.lo ^ (k1Hi >>> 15)) >>> 0; // k ^= k >> 47
    mul64(k1Hi, k1Lo, M_HI, M_LO, product);
    k1Hi = product.hi;
    k1Lo = product.lo;
    mul64((hi ^ k1Hi) >>> 0, (lo ^ k1Lo) >>> 0, M_HI, M_LO, product);
    hi = product.hi;
    lo = product.lo;
  }
  const tail = length & 7;
  if (tail > 0) {
    for (let i = tail - 1; i >= 0; i--) {
      const byte = data[whole + i] as number;
      if (i >= 4) hi = (hi ^ (byte << (8 * (i - 4)))) >>> 0;
      else lo = (lo ^ (byte << (8 * i))) >>> 0;
    }
    mul64(hi, lo, M_HI, M_LO, product);
    hi = product.hi;
    lo = product.lo;
  }
  lo = (lo ^ (hi >>> 15)) >>> 0;
  mul64(hi, lo, M_HI, M_LO, product);
  hi = product.hi;
  lo = (product.lo ^ (hi >>> 15)) >>> 0;
  return { hi, lo };
}

function littleEndian32(data: Uint8Array, at: number): number {
  return (
    ((data[at] as number) |
      ((data[at + 1] as number) << 8) |
      ((data[at + 2] as number) << 16) |
      ((data[at + 3] as number) << 24)) >>>
    0
  );
}

/** (aHi·2^32 + aLo) · (bHi·2^32 + bLo) modulo 2^64, into `out` as unsigned halves. */
function mul64(
  aHi: number,
  aLo: number,
  bHi: number,
  bLo: number,
  out: { hi: number; lo: number },
): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const middle = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (middle % 0x10000) * 0x10000;
  const high = a1 * b1 + Math.floor(middle / 0x10000) + Math.floor(low / 0x100000000);
  out.lo = low >>> 0;
  out.hi = (high + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
}

function denseGet(value: Buffer, index: number): number {
  const bit = index * 6;
  const byte = HEADER + (bit >> 3);
  const shift = bit & 7;
  const low = value[byte] as number;
  const high = byte + 1 < value.length ? (value[byte + 1] as number) : 0;
  return ((low >> shift) | (high << (8 - shift))) & REGISTER_MAX;
}

function denseSet(value: Buffer, index: number, count: number): boolean {
  if (count <= denseGet(value, index)) return false;
  const bit = index * 6;
  const byte = HEADER + (bit >> 3);
  const shift = bit & 7;
  value[byte] = ((value[byte] as number) & ~(REGISTER_MAX << shift)) | ((count << shift) & 0xff);
  if (byte + 1 < value.length) {
    const high = 8 - shift;
    value[byte + 1] = ((value[byte + 1] as number) & ~(REGISTER_MAX >> high)) | (count >> high);
  }
  return true;
}

/** Calls `visit(first, length, register)` for each run of a sparse value; throws when corrupt. */
function forEachRun(
  value: Buffer,
  visit: (first: number, length: number, register: number) => void,
): void {
  let index = 0;
  for (let at = HEADER; at < value.length;) {
    const op = value[at] as number;
    let length: number;
    let register = 0;
    if ((op & 0xc0) === 0) {
      length = (op & 0x3f) + 1;
      at++;
    } else if ((op & 0xc0) === 0x40) {
      length = (((op & 0x3f) << 8) | (value[at + 1] ?? 0)) + 1;
      at += 2;
    } else {
      length = (op & 3) + 1;
      register = ((op >> 2) & 0x1f) + 1;
      at++;
    }
    if (index + length > HLL_REGISTERS) throw new HllError(CORRUPT_HLL);
    visit(index, length, register);
    index += length;
  }
  if (index !== HLL_REGISTERS) throw new HllError(CORRUPT_HLL);
}

/** The dense form of a sparse value, its header (and cached cardinality) kept. */
function toDense(value: Buffer): Buffer {
  if (value[4] === DENSE) return value;
  const dense = Buffer.alloc(DENSE_SIZE);
  value.copy(dense, 0, 0, HEADER);
  dense[4] = DENSE;
  forEachRun(value, (first, length, register) => {
    if (register === 0) return;
    for (let i = first; i < first + length; i++) denseSet(dense, i, register);
  });
  return dense;
}

function writeXzero(out: Buffer, at: number, length: number): void {
  out[at] = ((length - 1) >> 8) | 0x40;
  out[at + 1] = (length - 1) & 0xff;
}

function valOp(register: number, length: number): number {
  return ((register - 1) << 2) | (length - 1) | 0x80;
}

/** The opcodes for a run of `length` zero registers: ZERO up to 64, else XZERO. */
function zeroRun(length: number): number[] {
  if (length > SPARSE_ZERO_MAX_LEN) {
    return [((length - 1) >> 8) | 0x40, (length - 1) & 0xff];
  }
  return [length - 1];
}

/**
 * Redis's hllSparseSet, step by step (its output bytes are what must match): find the run that
 * covers `index`, split it around the new VAL, turn dense when the value does not fit a VAL or
 * the value would pass 3000 bytes, then merge equal neighbouring VALs from the run before.
 */
function sparseSet(
  value: Buffer,
  index: number,
  count: number,
): { value: Buffer; updated: boolean } {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(value, index, count);
  // Step 1: the opcode covering `index`.
  let at = HEADER;
  let first = 0;
  let previous = -1;
  let span = 0;
  let opLength = 1;
  while (at < value.length) {
    const op = value[at] as number;
    opLength = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if ((op & 0x80) !== 0) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | (value[at + 1] ?? 0)) + 1;
      opLength = 2;
    }
    if (index <= first + span - 1) break;
    previous = at;
    at += opLength;
    first += span;
  }
  if (span === 0 || at >= value.length) throw new HllError(CORRUPT_HLL);
  const op = value[at] as number;
  const isVal = (op & 0x80) !== 0;
  const isZero = (op & 0xc0) === 0;
  let bytes = value;
  if (isVal) {
    const old = ((op >> 2) & 0x1f) + 1;
    if (old >= count) return { value, updated: false };
    if (span === 1) {
      bytes[at] = valOp(count, 1);
      return { value: mergeVals(bytes, previous), updated: true };
    }
  }
  if (isZero && span === 1) {
    bytes[at] = valOp(count, 1);
    return { value: mergeVals(bytes, previous), updated: true };
  }
  // Step 2: the sequence that replaces the opcode.
  const last = first + span - 1;
  const sequence: number[] = [];
  if (isVal) {
    const current = ((op >> 2) & 0x1f) + 1;
    if (index !== first) sequence.push(valOp(current, index - first));
    sequence.push(valOp(count, 1));
    if (index !== last) sequence.push(valOp(current, last - index));
  } else {
    if (index !== first) sequence.push(...zeroRun(index - first));
    sequence.push(valOp(count, 1));
    if (index !== last) sequence.push(...zeroRun(last - index));
  }
  // Step 3: splice it in, or turn dense when the value would grow past the limit.
  const delta = sequence.length - opLength;
  if (delta > 0 && value.length + delta > SPARSE_MAX_BYTES) return promote(value, index, count);
  bytes = Buffer.concat([
    value.subarray(0, at),
    Buffer.from(sequence),
    value.subarray(at + opLength),
  ]);
  return { value: mergeVals(bytes, previous), updated: true };
}

/** Step 4 of hllSparseSet: merge adjacent VALs of one value (up to 4 registers), 5 opcodes on. */
function mergeVals(value: Buffer, previous: number): Buffer {
  let bytes = value;
  let at = previous >= 0 ? previous : HEADER;
  let scan = 5;
  while (at < bytes.length && scan-- > 0) {
    const op = bytes[at] as number;
    if ((op & 0xc0) === 0x40) {
      at += 2;
      continue;
    }
    if ((op & 0xc0) === 0) {
      at++;
      continue;
    }
    const next = bytes[at + 1];
    if (at + 1 < bytes.length && next !== undefined && (next & 0x80) !== 0) {
      const v1 = ((op >> 2) & 0x1f) + 1;
      const v2 = ((next >> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const length = (op & 3) + 1 + (next & 3) + 1;
        if (length <= SPARSE_VAL_MAX_LEN) {
          bytes[at + 1] = valOp(v1, length);
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
          continue;
        }
      }
    }
    at++;
  }
  invalidateCache(bytes);
  return bytes;
}

/** Turns a sparse value dense, then raises the register there (always a change). */
function promote(value: Buffer, index: number, count: number): { value: Buffer; updated: boolean } {
  const dense = toDense(value);
  denseSet(dense, index, count);
  return { value: dense, updated: true };
}
