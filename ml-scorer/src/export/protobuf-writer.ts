/**
 * A minimal protocol-buffers encoder: just the wire types an ONNX model needs (varint, 32-bit,
 * length-delimited, packed repeated). Hand-written so the model format has no runtime
 * dependency; the field numbers live with the messages in onnx-model.ts.
 *
 * Nested messages are written into a child writer first and then copied in behind their length,
 * which keeps the code obvious; an ONNX tree model is ~100 KB, so the copies cost nothing.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /** An int32/int64/uint64/enum/bool field. Negative values take 10 bytes, as protobuf says. */
  int(field: number, value: number): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(value);
    return this;
  }

  /** A `float` field (fixed 32-bit, little-endian). */
  float(field: number, value: number): this {
    this.#tag(field, WIRE_I32);
    this.#reserve(4);
    this.#view.setFloat32(this.#len, value, true);
    this.#len += 4;
    return this;
  }

  /** A `string` field, UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A `bytes` field (or any length-delimited payload). */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LEN);
    this.#varint(value.length);
    this.#reserve(value.length);
    this.#buf.set(value, this.#len);
    this.#len += value.length;
    return this;
  }

  /** An embedded message, built by `build` on a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const child = new ProtoWriter();
    build(child);
    return this.bytes(field, child.finish());
  }

  /** A packed repeated int32/int64 field. */
  packedInts(field: number, values: ArrayLike<number>): this {
    const child = new ProtoWriter();
    for (let i = 0; i < values.length; i++) child.#varint(values[i]!);
    return this.bytes(field, child.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const payload = new Uint8Array(values.length * 4);
    const view = new DataView(payload.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, payload);
  }

  #tag(field: number, wire: number): void {
    if (!(Number.isInteger(field) && field >= 1 && field < 2 ** 29)) {
      throw new RangeError(`invalid protobuf field number ${field}`);
    }
    this.#varint(field * 8 + wire);
  }

  #varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    this.#reserve(10);
    const buf = this.#buf;
    if (value < 0) {
      // Two's complement over 64 bits, 7 bits at a time.
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        buf[this.#len++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      buf[this.#len++] = Number(v);
      return;
    }
    // Division, not shifts: values can exceed 32 bits.
    let v = value;
    while (v >= 0x80) {
      buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.#len++] = v;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}
