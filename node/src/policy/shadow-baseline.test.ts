import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.ts';
import { createLfuPolicy } from './lfu.ts';
import { createLruPolicy } from './lru.ts';
import { floorRateResidents } from './sampled-cache.ts';
import { ShadowBaseline } from './shadow-baseline.ts';

function shadow(capacity: number, minEntries = 64) {
  return new ShadowBaseline({
    createBase: (c) => createLruPolicy({ capacity: c }),
    capacity,
    seed: 1,
    minEntries,
    minPercent: 5,
    minWindow: 500,
    windowFactor: 2,
  });
}

/**
 * An LFU shadow whose live entries have `room` of a budget of 500, with a plain LFU beside it in
 * the whole budget, its entries charged 5 less (the learned state's share in these tests).
 */
function withPlain(room: number) {
  return new ShadowBaseline({
    createBase: (c) => createLfuPolicy({ capacity: c }),
    plain: { create: (c) => createLfuPolicy({ capacity: c }), entryOverhead: 5, capacity: 500 },
    capacity: room,
    seed: 1,
    minEntries: 1024,
  });
}

describe('ShadowBaseline', () => {
  it('does nothing until started, then samples a hashed share of the keys', () => {
    const s = shadow(10_000, 1000);
    expect(s.sampled(42)).toBe(false);
    s.start(10_000); // 1000 entries of 10 000: 10%
    expect(s.percent).toBe(10);
    let sampled = 0;
    for (let k = 0; k < 100_000; k++) if (s.sampled(k)) sampled++;
    expect(sampled / 100_000).toBeGreaterThan(0.09);
    expect(sampled / 100_000).toBeLessThan(0.11);
    // The same key is always in or out.
    expect(s.sampled(7)).toBe(s.sampled(7));
  });

  it('shadows a small cache whole', () => {
    const s = shadow(50, 1024);
    s.start(50);
    expect(s.percent).toBe(100);
  });

  it('holds the keys it is seeded with, without counting the seeding as requests', () => {
    const s = shadow(100, 100);
    s.start(100);
    for (let key = 0; key < 100; key++) s.seed(key, 1, 3);
    expect(s.liveHitRatio).toBe(0);
    expect(s.shadowHitRatio).toBe(0);
    // Every seeded key is a hit of the shadow; the live cache says it missed them all.
    for (let key = 0; key < 100; key++) s.observe(key, 1, false);
    expect(s.shadowHitRatio).toBe(1);
    expect(s.liveHitRatio).toBe(0);
  });

  it('stops, forgetting its keys and its verdict, and starts again', () => {
    const s = shadow(100, 100);
    s.start(100);
    for (let key = 0; key < 100; key++) s.seed(key, 1, 1);
    s.stop();
    expect([s.started, s.percent, s.sampled(1), s.trailing]).toEqual([false, 0, false, 0]);
    s.start(100);
    // Nothing seeded this time: the first request of each key misses.
    for (let key = 0; key < 100; key++) s.observe(key, 1, false);
    expect(s.shadowHitRatio).toBe(0);
  });

  it('replays without comparing once warmed, and compares from start on, keeping what it held', () => {
    const s = shadow(100_000, 1000);
    expect(floorRateResidents(1000, 5)).toBe(20_000);
    s.warm(20_000);
    expect([s.started, s.comparing, s.percent]).toEqual([true, false, 5]);
    const keys = Array.from({ length: 20_000 }, (_, i) => i).filter((k) => s.sampled(k));
    for (const key of keys) s.observe(key, 1, false);
    expect([s.windows, s.shadowHitRatio, s.liveHitRatio]).toEqual([0, 0, 0]);
    // The rate stays; the windows are sized for the residents at start (2 x 5% of 100,000).
    s.start(100_000);
    expect([s.comparing, s.percent]).toEqual([true, 5]);
    for (const key of keys) s.observe(key, 1, false);
    expect(s.shadowHitRatio).toBe(1);
    expect(s.windows).toBe(0);
  });

  it('counts trailing windows when the live cache hits less than its base would', () => {
    const s = shadow(100, 100);
    s.start(100);
    const random = createRandom(3);
    // A skewed stream: the shadow LRU of 100 entries hits often; the "live" cache never hits.
    for (let i = 0; i < 5_000; i++) {
      const key = Math.floor(300 * random.next() ** 3);
      s.observe(key, 1, false);
    }
    expect(s.windows).toBeGreaterThanOrEqual(2);
    expect(s.trailing).toBeGreaterThanOrEqual(2);
    expect(s.lastVerdict).toBe(-1);
    expect(s.shadowHitRatio).toBeGreaterThan(0.3);
    expect(s.liveHitRatio).toBe(0);
    s.resetVerdict();
    expect(s.trailing).toBe(0);
  });

  it('does not count a live cache that does as well as its base', () => {
    const s = shadow(100, 100);
    s.start(100);
    const live = createLruPolicy({ capacity: 100 });
    const resident = new Map<number, number>();
    const keys: number[] = [];
    const random = createRandom(4);
    for (let i = 0; i < 5_000; i++) {
      const key = Math.floor(300 * random.next() ** 3);
      const slot = resident.get(key);
      const hit = slot !== undefined;
      if (hit) live.onAccess(slot);
      else {
        let at = keys.length;
        if (resident.size === 100) {
          at = live.evict();
          resident.delete(keys[at]!);
        }
        keys[at] = key;
        resident.set(key, at);
        live.onInsert(at, key, 1);
      }
      s.observe(key, 1, hit);
    }
    expect(s.trailing).toBe(0);
    expect(s.liveHitRatio).toBeCloseTo(s.shadowHitRatio, 5);
  });

  it('follows a resize: evicts down to the scaled capacity and starts the comparison afresh', () => {
    const s = shadow(100, 1024); // shadowed whole (percent 100)
    s.start(100);
    const cycle = (rounds: number): void => {
      for (let r = 0; r < rounds; r++) for (let k = 0; k < 60; k++) s.observe(k, 1, true);
    };
    cycle(20); // 60 keys fit in 100: after the first round the shadow hits every request
    expect(s.lastShadowHitRatio).toBeGreaterThan(0.9);
    s.resize(30);
    expect(s.trailing).toBe(0);
    cycle(20); // a loop of 60 keys through an LRU of 30 never hits
    expect(s.lastShadowHitRatio).toBe(0);
  });

  it('judges against the order the live policy takes its victims from, with createOther', () => {
    const s = new ShadowBaseline({
      createBase: (c) => createLfuPolicy({ capacity: c }),
      createOther: (c) => createLruPolicy({ capacity: c }),
      capacity: 100,
      seed: 1,
      minEntries: 1024, // shadowed whole
      minWindow: 500,
      windowFactor: 2,
    });
    s.start(100);
    // Old keys read 20 times each fill both shadows; LFU then keeps them for good.
    for (let r = 0; r < 20; r++) for (let k = 0; k < 100; k++) s.observe(k, 1, true);
    s.resetVerdict();
    // A loop over 80 new keys: LRU of 100 hits all but the first round, LFU (its new keys
    // evicting each other) none, and so does the live cache.
    const loop = (rounds: number): void => {
      for (let r = 0; r < rounds; r++) for (let k = 1000; k < 1080; k++) s.observe(k, 1, false);
    };
    loop(20);
    expect(s.windows).toBeGreaterThanOrEqual(2);
    expect([s.trailing, s.lastVerdict, s.lastShadowHitRatio]).toEqual([0, 0, 0]);
    // The live policy now takes LRU's victims: it trails the LRU shadow, over the whole stretch.
    // The next window (LFU still hitting none of the loop) judges against LRU.
    s.judgeAgainst(true);
    expect(s.shadowHitRatio).toBeGreaterThan(0.9);
    const windows = s.windows;
    loop(5);
    expect(s.windows).toBe(windows + 1);
    expect([s.trailing, s.lastVerdict, s.lastLiveHitRatio]).toEqual([1, -1, 0]);
    expect(s.lastShadowHitRatio).toBeGreaterThan(0.9);
  });

  it('judges against its base only without createOther', () => {
    const s = shadow(100, 1024);
    s.start(100);
    s.judgeAgainst(true);
    for (let r = 0; r < 20; r++) for (let k = 0; k < 60; k++) s.observe(k, 1, true);
    expect(s.lastShadowHitRatio).toBeGreaterThan(0.9);
    expect(s.trailing).toBe(0);
  });

  it('reports what the plain base would hit in the same memory, without judging against it', () => {
    // Entries charged 10 live, of which 5 are the learned state: the plain shadow holds twice
    // as many of the 150 keys (100 against 50 in a capacity of 500), so on uniform requests it
    // hits about two thirds of them, the base a third.
    const s = withPlain(500);
    s.start(50);
    expect(s.percent).toBe(100);
    // The live cache does as well as its base: no verdict against it, whatever the plain one hits.
    const random = createRandom(3);
    for (let i = 0; i < 20_000; i++) {
      const key = random.int(150);
      s.observe(key, 10, key < 50);
    }
    expect(s.shadowHitRatio).toBeGreaterThan(0.3);
    expect(s.shadowHitRatio).toBeLessThan(0.37);
    expect(s.plainHitRatio).toBeGreaterThan(0.63);
    expect(s.plainHitRatio).toBeLessThan(0.7);
    expect(s.trailing).toBe(0);
    expect(shadow(100).plainHitRatio).toBeNaN();
  });

  it('gives a verdict against the plain base per window: trailing it by more than the margin and noise', () => {
    // As above: the plain shadow hits about two thirds of the 150 keys. A live cache that hits
    // the 50 keys below 50 trails it in every window; one that hits the keys below 110 (0.73)
    // does not trail, and one that hits all of them leads.
    const verdicts = (hitBelow: number): number[] => {
      const s = withPlain(500);
      s.start(50);
      const random = createRandom(3);
      const out: number[] = [];
      for (let i = 0; i < 20_000; i++) {
        const key = random.int(150);
        const before = s.windows;
        s.observe(key, 10, key < hitBelow);
        if (s.windows > before) out.push(s.lastPlainVerdict);
      }
      return out;
    };
    const trailing = verdicts(50);
    expect(trailing.length).toBeGreaterThan(5);
    expect(trailing.every((v) => v === -1)).toBe(true);
    expect(verdicts(110).every((v) => v >= 0)).toBe(true);
    expect(verdicts(150).every((v) => v === 1)).toBe(true);
    // Without a plain replay there is no verdict.
    const none = shadow(100);
    none.start(100);
    for (let i = 0; i < 5_000; i++) none.observe(i % 300, 1, false);
    expect(none.windows).toBeGreaterThan(0);
    expect(none.lastPlainVerdict).toBe(0);
  });

  it('replays the base in the room the live entries have, and the plain policy in the whole budget', () => {
    // The live entries have 300 of a budget of 500 (the rest reserved by the learned policy):
    // the base holds 30 of the 150 keys, a fifth; the plain policy, charged 5 of 10, holds 100.
    const s = withPlain(300);
    s.start(30);
    const random = createRandom(4);
    const run = (): void => {
      for (let i = 0; i < 20_000; i++) s.observe(random.int(150), 10, false);
    };
    run();
    expect(s.shadowHitRatio).toBeGreaterThan(0.17);
    expect(s.shadowHitRatio).toBeLessThan(0.23);
    expect(s.plainHitRatio).toBeGreaterThan(0.63);
    expect(s.plainHitRatio).toBeLessThan(0.7);
    // The reserved memory grew: 200 left for the entries, 20 keys. The verdict's count goes on.
    const windows = s.windows;
    s.setRoom(200, 500);
    run();
    // Over both runs: a fifth, then a little over an eighth (20 of 150).
    expect(s.shadowHitRatio).toBeGreaterThan(0.15);
    expect(s.shadowHitRatio).toBeLessThan(0.19);
    expect(s.plainHitRatio).toBeGreaterThan(0.63);
    expect(s.windows).toBeGreaterThan(windows);
  });
});
