import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EDC_HALF_LIFE_SHIFTS,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_SCHEMA_VERSION,
  FREQ_CAP,
  FeatureTracker,
  MISSING,
} from './features.ts';

const NOW = 1_700_000_000_000;

/** One row as a name → value record, for readable assertions. */
function row(tracker: FeatureTracker, slot: number, t: number, nowMs = NOW, usage = 0.5) {
  const out = new Float32Array(FEATURE_COUNT + 2).fill(-7);
  tracker.write(slot, t, nowMs, usage, out, 1);
  // The row is written at the offset and nowhere else.
  expect(out[0]).toBe(-7);
  expect(out[FEATURE_COUNT + 1]).toBe(-7);
  return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, out[1 + i]!]));
}

/** The decayed counter recomputed from scratch: Σ 2^(−(t − tᵢ)/2^shift) over every access tᵢ. */
function directEdc(accesses: readonly number[], t: number, shift: number): number {
  let sum = 0;
  for (const ti of accesses) sum += Math.pow(2, -(t - ti) / 2 ** shift);
  return sum;
}

describe('feature schema', () => {
  it('names every column once, in a fixed order', () => {
    expect(FEATURE_NAMES).toHaveLength(FEATURE_COUNT);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
    expect(FEATURE_NAMES[0]).toBe('age');
    expect(FEATURE_NAMES[11]).toBe('cache_usage');
    expect(Number.isInteger(FEATURE_SCHEMA_VERSION)).toBe(true);
    expect(EDC_HALF_LIFE_SHIFTS).toEqual([10, 13, 16]);
  });
});

describe('FeatureTracker', () => {
  it('describes a fresh entry with sentinels for what it has not seen', () => {
    const f = new FeatureTracker();
    f.onInsert(3, 42, 100, 1, 0);
    expect(row(f, 3, 100, NOW, 0.25)).toEqual({
      age: 0,
      freq: 1,
      gap1: MISSING,
      gap2: MISSING,
      gap3: MISSING,
      edc10: 1,
      edc13: 1,
      edc16: 1,
      log2_size: 0,
      ttl_left_ms: MISSING,
      residency: 0,
      cache_usage: 0.25,
    });
  });

  it('tracks age, count, the last three gaps and residency on a hand sequence', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 10, 1024, 0);
    f.onAccess(0, 15);
    let r = row(f, 0, 20);
    expect([r.age, r.freq, r.gap1, r.gap2, r.gap3, r.residency]).toEqual([
      5,
      2,
      5,
      MISSING,
      MISSING,
      10,
    ]);
    f.onAccess(0, 25);
    f.onAccess(0, 26);
    r = row(f, 0, 30);
    expect([r.age, r.freq, r.gap1, r.gap2, r.gap3, r.residency]).toEqual([4, 4, 1, 10, 5, 20]);
    expect(r.log2_size).toBe(10);
    f.onAccess(0, 40);
    r = row(f, 0, 40);
    expect([r.age, r.gap1, r.gap2, r.gap3]).toEqual([0, 14, 1, 10]);
  });

  it('decays the counters lazily to the scoring time', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 1, 0);
    f.onAccess(0, 1024);
    // At t = 2048: 2^-2 + 2^-1 for the half-life of 1024.
    const r = row(f, 0, 2048);
    expect(r.edc10).toBeCloseTo(0.75, 6);
    expect(r.edc13).toBeCloseTo(2 ** (-2048 / 8192) + 2 ** (-1024 / 8192), 6);
    expect(r.edc16).toBeCloseTo(2 ** (-2048 / 65536) + 2 ** (-1024 / 65536), 6);
    // Far in the future the short counter is gone and the long one still remembers.
    const later = row(f, 0, 2 ** 20);
    expect(later.edc10).toBe(0);
    expect(later.edc16).toBeGreaterThan(0);
  });

  it('caps the access count', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 1, 0);
    for (let t = 1; t <= FREQ_CAP + 10; t++) f.onAccess(0, t);
    expect(row(f, 0, FREQ_CAP + 10).freq).toBe(FREQ_CAP);
  });

  it('reports the remaining TTL in ms, clamped, and MISSING without one', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 1, NOW + 5000);
    expect(row(f, 0, 0).ttl_left_ms).toBe(5000);
    expect(row(f, 0, 0, NOW + 9000).ttl_left_ms).toBe(0);
    f.setExpireAt(0, NOW + 1e12);
    expect(row(f, 0, 0).ttl_left_ms).toBe(MISSING);
    f.setExpireAt(0, 0);
    expect(row(f, 0, 0).ttl_left_ms).toBe(MISSING);
  });

  it('keeps the expiry across reads, and does not carry it over an eviction', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 1, NOW + 60_000);
    f.onAccess(0, 5);
    expect(row(f, 0, 5, NOW + 1500).ttl_left_ms).toBe(58_500);
    f.onRemove(0);
    f.onInsert(4, 1, 9, 1, 0); // back from the ghosts, inserted without a TTL
    const r = row(f, 4, 9, NOW + 2000);
    expect([r.ttl_left_ms, r.freq]).toEqual([MISSING, 3]);
    f.setExpireAt(4, NOW + 2250);
    expect(row(f, 4, 9, NOW + 2000).ttl_left_ms).toBe(250);
  });

  it('does not carry an expiry over to the next entry of the same slot', () => {
    const f = new FeatureTracker();
    f.onInsert(2, 1, 0, 1, NOW + 60_000);
    f.onRemove(2);
    f.onInsert(2, 9, 1, 1, 0);
    expect(row(f, 2, 1).ttl_left_ms).toBe(MISSING);
  });

  it('keeps sizes as whole numbers below 2^32, which the size feature and sizeOf agree on', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 2 ** 33, 0);
    f.onInsert(1, 2, 0, 512 * 2 ** 20, 0);
    expect(f.sizeOf(0)).toBe(2 ** 32 - 1);
    expect(row(f, 0, 0).log2_size).toBe(Math.fround(Math.log2(2 ** 32 - 1)));
    expect([f.sizeOf(1), row(f, 1, 0).log2_size]).toEqual([512 * 2 ** 20, 29]);
    f.onUpdate(1, 1, 100, 0);
    expect(f.sizeOf(1)).toBe(100);
  });

  it('treats an overwrite as an access with a new size and expiry', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 8, 0);
    f.onUpdate(0, 7, 4096, NOW + 100);
    const r = row(f, 0, 7);
    expect([r.freq, r.gap1, r.log2_size, r.ttl_left_ms]).toEqual([2, 7, 12, 100]);
  });

  it('uses log2 of the size, and 0 for sizes of 1 or less', () => {
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 0, 0);
    f.onInsert(1, 2, 0, 3, 0);
    expect(row(f, 0, 0).log2_size).toBe(0);
    expect(row(f, 1, 0).log2_size).toBeCloseTo(Math.log2(3), 6);
  });

  it('gives a returning key its history back, with a fresh residency', () => {
    const f = new FeatureTracker({ ghostCapacity: 8 });
    f.onInsert(0, 77, 10, 1, 0);
    f.onAccess(0, 20);
    f.onRemove(0);
    expect(f.ghostLastAccess(77)).toBe(20);
    expect(f.ghostCount).toBe(1);
    f.onInsert(0, 5, 25, 1, 0); // the slot is reused by another key
    f.onInsert(4, 77, 50, 1, 0);
    expect(f.ghostCount).toBe(0);
    expect(f.ghostLastAccess(77)).toBe(-1);
    const r = row(f, 4, 60);
    expect([r.age, r.freq, r.gap1, r.gap2, r.gap3, r.residency]).toEqual([
      10,
      3,
      30,
      10,
      MISSING,
      10,
    ]);
    expect(r.edc10).toBeCloseTo(directEdc([10, 20, 50], 60, 10), 6);
    // The other key did not inherit anything.
    expect(row(f, 0, 25).freq).toBe(1);
  });

  it('forgets the oldest ghosts first when the table is full', () => {
    const f = new FeatureTracker({ ghostCapacity: 2 });
    for (let k = 0; k < 3; k++) {
      f.onInsert(k, 100 + k, k, 1, 0);
      f.onRemove(k);
    }
    expect(f.ghostCount).toBe(2);
    expect(f.ghostLastAccess(100)).toBe(-1);
    expect(f.ghostLastAccess(101)).toBe(1);
    expect(f.ghostLastAccess(102)).toBe(2);
    // A key that came back and left again is remembered once, at its newest state.
    f.onInsert(0, 101, 10, 1, 0);
    f.onRemove(0);
    expect(f.ghostCount).toBe(2);
    expect(f.ghostLastAccess(101)).toBe(10);
    f.onInsert(1, 103, 11, 1, 0);
    f.onRemove(1);
    expect(f.ghostLastAccess(102)).toBe(-1);
    expect(f.ghostLastAccess(101)).toBe(10);
    expect(f.ghostLastAccess(103)).toBe(11);
  });

  it('remembers nothing with a ghost capacity of 0, and clear() forgets the ghosts', () => {
    const none = new FeatureTracker({ ghostCapacity: 0 });
    none.onInsert(0, 1, 0, 1, 0);
    none.onRemove(0);
    expect(none.ghostCount).toBe(0);
    const f = new FeatureTracker();
    f.onInsert(0, 1, 0, 1, 0);
    f.onRemove(0);
    f.clear();
    expect(f.ghostCount).toBe(0);
    f.onInsert(0, 1, 5, 1, 0);
    expect(row(f, 0, 5).freq).toBe(1);
  });

  it('grows past its initial slots and keeps earlier rows', () => {
    const f = new FeatureTracker({ initialSlots: 2 });
    f.onInsert(1, 1, 0, 1, 0);
    f.onAccess(1, 3);
    f.onInsert(5000, 2, 4, 1, 0);
    expect(row(f, 1, 4)).toMatchObject({ age: 1, freq: 2, gap1: 3 });
    expect(row(f, 5000, 4)).toMatchObject({ age: 0, freq: 1 });
  });

  it('keeps the decayed counters equal to a direct recomputation (1e-6 relative)', () => {
    // A history is a list of positive gaps; some accesses are re-inserts after an eviction.
    const step = fc.record({
      gap: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 1 << 20 })),
      evictedBefore: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 0, maxLength: 300 }),
        fc.integer({ min: 0, max: 1 << 18 }),
        (steps, tail) => {
          const f = new FeatureTracker({ ghostCapacity: 4 });
          let t = 1000;
          let slot = 0;
          const accesses = [t];
          f.onInsert(slot, 9, t, 1, 0);
          for (const s of steps) {
            t += s.gap;
            accesses.push(t);
            if (s.evictedBefore) {
              f.onRemove(slot);
              slot = (slot + 1) % 3;
              f.onInsert(slot, 9, t, 1, 0);
            } else {
              f.onAccess(slot, t);
            }
          }
          const now = t + tail;
          const r = row(f, slot, now);
          expect(r.freq).toBe(accesses.length);
          EDC_HALF_LIFE_SHIFTS.forEach((shift, k) => {
            const expected = directEdc(accesses, now, shift);
            const actual = r[['edc10', 'edc13', 'edc16'][k]!]!;
            if (expected < 1e-30) expect(actual).toBeLessThan(1e-30);
            else expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(1e-6);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
