import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

/** The bits of `bytes`, most significant first, as Redis numbers them. */
function bitsOf(bytes: readonly number[]): number[] {
  return bytes.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >> (7 - i)) & 1));
}

/** Writes `bytes` as key `key` with SETBIT alone (every bit, then the last byte's last bit). */
function writeBits(h: CommandHarness, key: string, bytes: readonly number[]): void {
  h.run('DEL', key);
  bitsOf(bytes).forEach((bit, i) => h.run('SETBIT', key, String(i), String(bit)));
}

/** Redis's clamping of an inclusive range over `total` units (bytes or bits). */
function clamp(start: number, end: number, total: number): [number, number] {
  let from = start < 0 ? total + start : start;
  let to = end < 0 ? total + end : end;
  from = Math.max(0, from);
  to = Math.min(Math.max(0, to), total - 1);
  return [from, to];
}

describe('bitmaps', () => {
  it('SETBIT answers the old bit, grows the string with zero bytes and keeps the TTL', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'a', 'EX', '100'); // 0x61 = 0110 0001
    expect(h.run('GETBIT', 'k', '1')).toBe(1);
    expect(h.run('GETBIT', 'k', '0')).toBe(0);
    expect(h.run('GETBIT', 'k', '7')).toBe(1);
    expect(h.run('SETBIT', 'k', '7', '0')).toBe(1);
    expect(h.run('SETBIT', 'k', '7', '0')).toBe(0);
    expect(h.run('SETBIT', 'k', '23', '1')).toBe(0);
    expect(h.run('GET', 'k')).toBe('`\0\x01');
    expect(h.run('TTL', 'k')).toBe(100);
    expect(h.run('GETBIT', 'k', '1000')).toBe(0);
    expect(h.run('GETBIT', 'missing', '0')).toBe(0);
    expect(h.run('SETBIT', 'k', '1', '2')).toEqual({
      error: 'ERR bit is not an integer or out of range',
    });
    expect(h.run('SETBIT', 'k', '-1', '1')).toEqual({
      error: 'ERR bit offset is not an integer or out of range',
    });
    // An offset whose byte is past the largest value (512 MB) is refused, not allocated.
    expect(h.run('SETBIT', 'k', String(512 * 1024 * 1024 * 8), '1')).toEqual({
      error: 'ERR bit offset is not an integer or out of range',
    });
  });

  it('BITOP combines sources padded with zero bytes, and deletes the target on an empty result', () => {
    const h = new CommandHarness();
    writeBits(h, 'a', [0x0f, 0xf0]);
    writeBits(h, 'b', [0xff]);
    expect(h.run('BITOP', 'AND', 'd', 'a', 'b')).toBe(2);
    expect(h.run('GET', 'd')).toBe('\x0f\0');
    expect(h.run('BITOP', 'OR', 'd', 'a', 'b')).toBe(2);
    expect(h.run('GET', 'd')).toBe('\xff\xf0');
    expect(h.run('BITOP', 'XOR', 'd', 'a', 'b', 'missing')).toBe(2);
    expect(h.run('GET', 'd')).toBe('\xf0\xf0');
    expect(h.run('BITOP', 'NOT', 'd', 'a')).toBe(2);
    expect(h.run('GET', 'd')).toBe('\xf0\x0f');
    h.run('EXPIRE', 'd', '100');
    expect(h.run('BITOP', 'OR', 'd', 'b')).toBe(1);
    expect(h.run('TTL', 'd')).toBe(-1);
    expect(h.run('BITOP', 'AND', 'd', 'missing')).toBe(0);
    expect(h.run('EXISTS', 'd')).toBe(0);
    expect(h.run('BITOP', 'NOT', 'd', 'a', 'b')).toEqual({
      error: 'ERR BITOP NOT must be called with a single source key.',
    });
  });

  it('BITCOUNT and BITPOS agree with a bit-by-bit reading over any range, in bytes or bits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0x00, 0xff, 0x80, 0x01, 0x5a, 0xf0), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: -60, max: 60 }),
        fc.integer({ min: -60, max: 60 }),
        fc.boolean(),
        fc.constantFrom(0, 1),
        (bytes, start, end, inBits, wanted) => {
          const h = new CommandHarness();
          writeBits(h, 'k', bytes);
          const bits = bitsOf(bytes);
          const unit = inBits ? 'BIT' : 'BYTE';
          const [from, to] = clamp(start, end, inBits ? bits.length : bytes.length);
          const first = inBits ? from : from * 8;
          const last = inBits ? to : to * 8 + 7;
          const inRange = from > to ? [] : bits.slice(first, last + 1);
          const ones = inRange.filter((bit) => bit === 1).length;
          const skipped = start < 0 && end < 0 && start > end;
          expect(h.run('BITCOUNT', 'k', String(start), String(end), unit)).toBe(skipped ? 0 : ones);
          const at = inRange.indexOf(wanted);
          expect(h.run('BITPOS', 'k', String(wanted), String(start), String(end), unit)).toBe(
            at < 0 ? -1 : first + at,
          );
        },
      ),
    );
  });

  it('BITPOS without an end counts the string as followed by zeros', () => {
    const h = new CommandHarness();
    writeBits(h, 'k', [0xff, 0xff]);
    expect(h.run('BITPOS', 'k', '0')).toBe(16);
    expect(h.run('BITPOS', 'k', '0', '1')).toBe(16);
    expect(h.run('BITPOS', 'k', '0', '0', '-1')).toBe(-1);
    expect(h.run('BITPOS', 'k', '1', '1')).toBe(8);
    expect(h.run('BITPOS', 'missing', '0')).toBe(0);
    expect(h.run('BITPOS', 'missing', '1')).toBe(-1);
    expect(h.run('BITPOS', 'k', '2')).toEqual({ error: 'ERR The bit argument must be 1 or 0.' });
  });
});
