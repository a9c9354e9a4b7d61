import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtoFormatError, fieldMessage, fieldText, readFields } from './protobuf-reader.ts';
import { ProtoWriter } from './protobuf-writer.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ProtoWriter', () => {
  it('encodes varints as the protobuf spec examples do', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().int(1, 0).finish())).toBe('0800');
    expect(hex(new ProtoWriter().int(2, 2 ** 35).finish())).toBe('10808080808001');
    // -1 as int64: ten bytes of two's complement.
    expect(hex(new ProtoWriter().int(1, -1).finish())).toBe('08ffffffffffffffffff01');
  });

  it('encodes strings, floats, packed ints and floats, and nested messages', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtoWriter().float(2, 1.5).finish())).toBe('150000c03f');
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(hex(new ProtoWriter().packedFloats(7, [1, -2]).finish())).toBe('3a080000803f000000c0');
    expect(hex(new ProtoWriter().message(3, (m) => m.int(1, 150)).finish())).toBe('1a03089601');
  });

  it('rejects unsafe integers and bad field numbers', () => {
    expect(() => new ProtoWriter().int(1, 2 ** 60)).toThrow(RangeError);
    expect(() => new ProtoWriter().int(1, 1.5)).toThrow(RangeError);
    expect(() => new ProtoWriter().int(0, 1)).toThrow(RangeError);
  });

  it('round-trips through the reader, for any values', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('int' as const), v: fc.maxSafeNat() }),
            fc.record({ kind: fc.constant('str' as const), v: fc.string({ unit: 'grapheme' }) }),
            fc.record({ kind: fc.constant('float' as const), v: fc.float({ noNaN: true }) }),
          ),
          { maxLength: 30 },
        ),
        (items) => {
          const w = new ProtoWriter();
          items.forEach((it, i) => {
            if (it.kind === 'int') w.int(i + 1, it.v);
            else if (it.kind === 'str') w.message(i + 1, (m) => m.string(1, it.v));
            else w.float(i + 1, it.v);
          });
          const fields = readFields(w.finish());
          expect(fields.map((f) => f.field)).toEqual(items.map((_, i) => i + 1));
          items.forEach((it, i) => {
            const f = fields[i]!;
            if (it.kind === 'int') expect(f.int).toBe(it.v);
            else if (it.kind === 'str') expect(fieldText(fieldMessage(f)[0]!)).toBe(it.v);
            else {
              const view = new DataView(f.bytes!.buffer, f.bytes!.byteOffset, 4);
              expect(view.getFloat32(0, true)).toBe(it.v);
            }
          });
        },
      ),
    );
  });
});

describe('readFields', () => {
  it('fails cleanly on truncated or malformed input', () => {
    const good = new ProtoWriter().string(1, 'hello').int(2, 300).finish();
    for (let cut = 1; cut < good.length; cut++) {
      const bytes = good.subarray(0, cut);
      if (cut === 7) continue; // a cut between the two fields is a valid message
      expect(() => readFields(bytes), `cut at ${cut}`).toThrow(ProtoFormatError);
    }
    expect(() => readFields(Uint8Array.of(0x0b))).toThrow(/wire type 3/);
    expect(() => readFields(Uint8Array.of(0x00))).toThrow(/field number 0/);
    expect(() => readFields(new Uint8Array(11).fill(0xff))).toThrow(/varint/);
    expect(() => fieldText({ field: 1, wire: 2, int: 1, bytes: Uint8Array.of(0xff) })).toThrow(
      /UTF-8/,
    );
  });

  it('never throws anything but ProtoFormatError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          for (const f of readFields(bytes)) if (f.wire === 2) readFields(f.bytes!);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtoFormatError);
        }
      }),
    );
  });
});
