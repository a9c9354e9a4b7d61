/**
 * A minimal protocol-buffers decoder, the counterpart of protobuf-writer.ts: splits a message
 * into its fields without a schema. Used to read a model's metadata and signature before it is
 * handed to onnxruntime. Every read is bounds-checked, so a truncated or garbage file fails with
 * ProtoFormatError instead of reading past the end.
 */

export class ProtoFormatError extends Error {
  override readonly name = 'ProtoFormatError';
}

/** One field occurrence: a number for varint/fixed fields, the payload for length-delimited. */
export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  readonly int: number;
  readonly bytes: Uint8Array | undefined;
}

/** The fields of one message, in wire order. */
export function readFields(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= buf.length) throw new ProtoFormatError('truncated varint');
      const b = buf[at++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new ProtoFormatError('varint longer than 10 bytes');
  };
  while (at < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field < 1) throw new ProtoFormatError(`invalid field number 0 at byte ${at}`);
    switch (wire) {
      case 0:
        fields.push({ field, wire, int: varint(), bytes: undefined });
        break;
      case 1:
        if (at + 8 > buf.length) throw new ProtoFormatError('truncated 64-bit field');
        at += 8;
        fields.push({ field, wire, int: 0, bytes: buf.subarray(at - 8, at) });
        break;
      case 2: {
        const n = varint();
        if (at + n > buf.length) throw new ProtoFormatError(`field ${field} runs past the end`);
        fields.push({ field, wire, int: n, bytes: buf.subarray(at, at + n) });
        at += n;
        break;
      }
      case 5:
        if (at + 4 > buf.length) throw new ProtoFormatError('truncated 32-bit field');
        at += 4;
        fields.push({ field, wire, int: 0, bytes: buf.subarray(at - 4, at) });
        break;
      default:
        throw new ProtoFormatError(`unsupported wire type ${wire} for field ${field}`);
    }
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A length-delimited field's payload as UTF-8 text. */
export function fieldText(f: ProtoField): string {
  if (f.bytes === undefined || f.wire !== 2) {
    throw new ProtoFormatError(`field ${f.field} is not a string`);
  }
  try {
    return utf8.decode(f.bytes);
  } catch {
    throw new ProtoFormatError(`field ${f.field} is not valid UTF-8`);
  }
}

/** A length-delimited field's payload as an embedded message. */
export function fieldMessage(f: ProtoField): ProtoField[] {
  if (f.bytes === undefined || f.wire !== 2) {
    throw new ProtoFormatError(`field ${f.field} is not a message`);
  }
  return readFields(f.bytes);
}
