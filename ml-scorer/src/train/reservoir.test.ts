import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../node/src/util/random.ts';
import { RowReservoir } from './reservoir.ts';

describe('RowReservoir', () => {
  it('keeps everything until full, copying rows from an offset', () => {
    const r = new RowReservoir(4, 2, createRandom(1));
    const src = Float32Array.of(9, 9, 1, 2, 3, 4);
    expect(r.offer(src, 2, 0.5)).toBe(true);
    expect(r.offer(src, 4, 1.5)).toBe(true);
    src.fill(0); // the reservoir holds copies
    expect(r.size).toBe(2);
    const { rows, labels } = r.snapshot();
    expect(Array.from(rows)).toEqual([1, 2, 3, 4]);
    expect(Array.from(labels)).toEqual([0.5, 1.5]);
  });

  it('holds at most its capacity and samples uniformly', () => {
    // Offer 0 … 9999 many times over; each value should be kept with probability 100 / 10000.
    const kept = new Float64Array(10);
    const runs = 400;
    for (let run = 0; run < runs; run++) {
      const r = new RowReservoir(100, 1, createRandom(run + 1));
      const one = new Float32Array(1);
      for (let i = 0; i < 10_000; i++) {
        one[0] = i;
        r.offer(one, 0, i);
      }
      expect(r.size).toBe(100);
      expect(r.seen).toBe(10_000);
      for (const v of r.snapshot().labels) kept[Math.floor(v / 1000)]!++;
    }
    // Each decile should hold a tenth of the 40,000 kept rows (binomial sd ≈ 60).
    for (const k of kept) expect(Math.abs(k - 4000)).toBeLessThan(400);
  });

  it('is deterministic for a seed, and clear() starts over', () => {
    const fill = (seed: number): Float32Array => {
      const r = new RowReservoir(10, 1, createRandom(seed));
      for (let i = 0; i < 1000; i++) r.offer(Float32Array.of(i), 0, i);
      return r.snapshot().labels;
    };
    expect(Array.from(fill(3))).toEqual(Array.from(fill(3)));
    expect(Array.from(fill(3))).not.toEqual(Array.from(fill(4)));
    const r = new RowReservoir(2, 1, createRandom(1));
    r.offer(Float32Array.of(1), 0, 1);
    r.clear();
    expect([r.size, r.seen, r.snapshot().rows.length]).toEqual([0, 0, 0]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new RowReservoir(0, 3, createRandom(1))).toThrow(RangeError);
  });
});
