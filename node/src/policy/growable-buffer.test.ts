import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowableBuffer } from './growable-buffer.ts';

const PAGE = 65_536;

describe('GrowableBuffer', () => {
  it('grows by copying below the threshold, keeping every byte, the new ones 0', () => {
    const grown = new GrowableBuffer(100, 1 << 20);
    new Uint8Array(grown.buffer).set([1, 2, 3], 97);
    const before = grown.buffer;
    grown.ensure(100);
    expect(grown.buffer).toBe(before);
    grown.ensure(101);
    expect([grown.growsInPlace, grown.buffer.byteLength]).toEqual([false, 200]);
    const bytes = new Uint8Array(grown.buffer);
    expect([...bytes.subarray(96, 101)]).toEqual([0, 1, 2, 3, 0]);
    expect(bytes.subarray(100).every((b) => b === 0)).toBe(true);
  });

  it('grows in place from the threshold, in whole pages, keeping every byte, the new ones 0', () => {
    const grown = new GrowableBuffer(3 * PAGE, 4 * PAGE);
    new Uint32Array(grown.buffer)[(3 * PAGE) / 4 - 1] = 0xdeadbeef;
    grown.ensure(3 * PAGE + 1);
    expect([grown.growsInPlace, grown.buffer.byteLength]).toEqual([true, 6 * PAGE]);
    const words = new Uint32Array(grown.buffer);
    words[(6 * PAGE) / 4 - 1] = 42;
    grown.ensure(20 * PAGE);
    expect([grown.growsInPlace, grown.buffer.byteLength]).toEqual([true, 24 * PAGE]);
    const after = new Uint32Array(grown.buffer);
    expect([after[(3 * PAGE) / 4 - 1], after[(6 * PAGE) / 4 - 1]]).toEqual([0xdeadbeef, 42]);
    expect(after.subarray((6 * PAGE) / 4).every((w) => w === 0)).toBe(true);
    // The old views see nothing any more: their buffer was detached by the growth.
    expect(words.length).toBe(0);
  });

  it('holds what was written at any point of any sequence of growths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(300_000), value: fc.integer({ min: 1, max: 255 }) }), {
          maxLength: 40,
        }),
        (writes) => {
          const grown = new GrowableBuffer(16, 2 * PAGE);
          const expected = new Map<number, number>();
          for (const { at, value } of writes) {
            grown.ensure(at + 1);
            new Uint8Array(grown.buffer)[at] = value;
            expected.set(at, value);
          }
          const bytes = new Uint8Array(grown.buffer);
          for (const [at, value] of expected) expect(bytes[at]).toBe(value);
          const sum = bytes.reduce((a, b) => a + b, 0);
          expect(sum).toBe([...expected.values()].reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 30 },
    );
  });
});
