import { describe, expect, it } from 'vitest';
import { float32Bytes, readScores } from './wire-format.ts';

describe('scorer wire format', () => {
  it('sends the first n floats as little-endian bytes, copied', () => {
    const rows = Float32Array.of(1.5, -2, 3);
    const bytes = float32Bytes(rows, 2);
    rows[0] = 9;
    expect(bytes.readFloatLE(0)).toBe(1.5);
    expect(bytes.readFloatLE(4)).toBe(-2);
    expect(bytes.byteLength).toBe(8);
    expect(() => float32Bytes(rows, 4)).toThrow(RangeError);
  });

  it('reads n float64 scores, aligned or not', () => {
    const bytes = Buffer.from(Float64Array.of(0.5, -1).buffer);
    expect(readScores(bytes, 2)).toEqual(Float64Array.of(0.5, -1));
    const unaligned = Buffer.alloc(17).subarray(1);
    bytes.copy(unaligned);
    expect(readScores(unaligned, 2)).toEqual(Float64Array.of(0.5, -1));
  });

  it('names what is wrong with a reply that does not fit', () => {
    expect(readScores(Buffer.alloc(8), 2)).toMatch(/8 bytes of scores for 2 rows/);
    expect(readScores(Buffer.from(Float64Array.of(NaN).buffer), 1)).toMatch(/NaN/);
  });
});
