import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { sortSlotsByTime } from './sort-by-time.ts';

describe('sortSlotsByTime', () => {
  it('orders slots as a stable comparison sort by time does', () => {
    const time = fc.oneof(fc.nat(50), fc.nat(), fc.integer({ min: 0, max: 2 ** 53 - 1 }));
    fc.assert(
      fc.property(fc.array(time, { maxLength: 300 }), (stamps) => {
        const slots = Int32Array.from(stamps, (_, i) => 1000 + i);
        const times = Float64Array.from(stamps);
        const expected = stamps.map((t, i) => ({ t, slot: 1000 + i })).sort((a, b) => a.t - b.t); // Array.prototype.sort is stable
        sortSlotsByTime(slots, times);
        expect(Array.from(slots)).toEqual(expected.map((e) => e.slot));
        expect(Array.from(times)).toEqual(expected.map((e) => e.t));
      }),
    );
  });

  it('sorts times far from 0 by their differences (one pass for a span under 2048)', () => {
    const base = 2 ** 52;
    const slots = Int32Array.from([7, 3, 9]);
    const times = Float64Array.from([base + 2047, base, base + 5]);
    sortSlotsByTime(slots, times);
    expect(Array.from(slots)).toEqual([3, 9, 7]);
  });

  it('refuses times that do not match the slots', () => {
    expect(() => sortSlotsByTime(new Int32Array(2), new Float64Array(3))).toThrow(/one time/);
  });
});
