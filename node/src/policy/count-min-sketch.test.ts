import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { CountMinSketch } from './count-min-sketch.ts';

describe('CountMinSketch', () => {
  it('never underestimates within a sample (up to the 4-bit cap plus the doorkeeper)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { maxLength: 900 }), fc.nat(), (keys, seed) => {
        // 1000 entries: a sample of 10,000 increments, so no reset happens here.
        const sketch = new CountMinSketch(1000, seed);
        const counts = new Map<number, number>();
        for (const key of keys) {
          sketch.increment(key * 7919 + 2 ** 41);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [key, count] of counts) {
          expect(sketch.frequency(key * 7919 + 2 ** 41)).toBeGreaterThanOrEqual(
            Math.min(count, 16),
          );
        }
      }),
    );
  });

  it('estimates rare keys low when the sketch is not overloaded', () => {
    const sketch = new CountMinSketch(1000, 1);
    for (let i = 0; i < 5000; i++) sketch.increment(i % 1000);
    let high = 0;
    for (let key = 0; key < 1000; key++) if (sketch.frequency(key) > 6) high++;
    expect(high).toBeLessThan(20);
    expect(sketch.frequency(123_456)).toBeLessThanOrEqual(2);
  });

  it('halves counts every 10 x entries increments (TinyLFU reset)', () => {
    const sketch = new CountMinSketch(100, 1);
    expect(sketch.sampleSize).toBe(1000);
    for (let i = 0; i < 12; i++) sketch.increment(42);
    expect(sketch.frequency(42)).toBe(12);
    for (let i = 0; i < 1000 - 12; i++) sketch.increment(10_000 + (i % 50));
    // 11 counted (the first occurrence only set the doorkeeper), halved to 5, doorkeeper emptied.
    expect(sketch.frequency(42)).toBe(5);
  });

  it('keeps every estimate when it grows', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(500), { maxLength: 600 }), fc.nat(), (keys, seed) => {
        const sketch = new CountMinSketch(64, seed);
        for (const key of keys) sketch.increment(key);
        const before = Array.from({ length: 500 }, (_, key) => sketch.frequency(key));
        sketch.ensureCapacity(5000);
        expect(sketch.entries).toBe(5000);
        expect(Array.from({ length: 500 }, (_, key) => sketch.frequency(key))).toEqual(before);
      }),
    );
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number): number[] => {
      const sketch = new CountMinSketch(16, seed);
      for (let i = 0; i < 150; i++) sketch.increment((i * i) % 97);
      return Array.from({ length: 97 }, (_, key) => sketch.frequency(key));
    };
    expect(run(9)).toEqual(run(9));
  });
});
