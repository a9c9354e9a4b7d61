import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { G_LAST } from './feature-ghosts.ts';
import { GrowingGhosts } from './growing-ghosts.ts';

const KEYS = 24;
const event = fc.record({ key: fc.integer({ min: 0, max: KEYS - 1 }), take: fc.boolean() });

/** Plays claims (row value = the event's index) and takes; returns key → value remembered. */
function play(
  ghosts: GrowingGhosts,
  events: readonly { key: number; take: boolean }[],
  remembered: Map<number, number>,
  at: number,
): void {
  for (const [i, e] of events.entries()) {
    if (e.take) {
      const offset = ghosts.take(e.key);
      expect(offset >= 0).toBe(remembered.has(e.key));
      if (offset >= 0) expect(ghosts.rows[offset + G_LAST]).toBe(remembered.get(e.key));
      remembered.delete(e.key);
    } else {
      ghosts.rows[ghosts.claim(e.key) + G_LAST] = at + i;
      remembered.set(e.key, at + i);
    }
  }
}

/**
 * `play`, one event at a time, for a FIFO of `capacity` rows: a key stays remembered while its
 * newest claim is among the last `capacity` claims (`claims` collects them).
 */
function playFifo(
  ghosts: GrowingGhosts,
  events: readonly { key: number; take: boolean }[],
  remembered: Map<number, number>,
  claims: number[],
  capacity: number,
  at: number,
): void {
  for (const [i, e] of events.entries()) {
    play(ghosts, [e], remembered, at + i);
    if (e.take) continue;
    claims.push(e.key);
    const window = new Set(capacity === 0 ? [] : claims.slice(-capacity));
    for (const k of remembered.keys()) if (!window.has(k)) remembered.delete(k);
  }
}

function expectRemembers(ghosts: GrowingGhosts, remembered: Map<number, number>): void {
  for (let k = 0; k < KEYS; k++) {
    const at = ghosts.find(k);
    expect(at >= 0).toBe(remembered.has(k));
    if (at >= 0) expect(ghosts.rows[at + G_LAST]).toBe(remembered.get(k));
  }
  expect(ghosts.size).toBe(remembered.size);
}

describe('GrowingGhosts', () => {
  it('loses no remembered key through a growth, while its rows move a few per claim', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(event, { maxLength: 40 }),
        fc.array(event, { maxLength: 40 }),
        (capacity, extra, before, after) => {
          const ghosts = new GrowingGhosts(capacity);
          // Before: a plain FIFO of `capacity` claims (feature-ghosts.test.ts checks it); the
          // model keeps the keys whose newest claim is among the last `capacity` claims.
          const claims: number[] = [];
          const remembered = new Map<number, number>();
          for (const [i, e] of before.entries()) {
            play(ghosts, [e], new Map(remembered), i);
            if (e.take) remembered.delete(e.key);
            else {
              claims.push(e.key);
              remembered.set(e.key, i);
            }
            const window = new Set(claims.slice(-capacity));
            for (const k of remembered.keys()) if (!window.has(k)) remembered.delete(k);
          }
          ghosts.grow(2 * capacity + extra);
          expect(ghosts.capacity).toBe(2 * capacity + extra);
          expectRemembers(ghosts, remembered);
          // After: the new table has room for `capacity + extra` more claims before anything
          // can be displaced, whatever is still moving.
          const room = after.filter((e) => !e.take).length <= capacity + extra;
          if (!room) return;
          play(ghosts, after, remembered, 1000);
          expectRemembers(ghosts, remembered);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finishes moving within as many claims as the old table had rows, then is a FIFO of the new size', () => {
    const ghosts = new GrowingGhosts(4);
    for (let k = 0; k < 10; k++) ghosts.claim(k); // remembers 6..9
    ghosts.grow(8);
    expect(ghosts.growing).toBe(true);
    ghosts.claim(100);
    ghosts.claim(101);
    expect(ghosts.growing).toBe(false);
    for (const k of [102, 103]) ghosts.claim(k);
    expect(ghosts.size).toBe(8);
    // The oldest carried keys go first.
    ghosts.claim(104);
    ghosts.claim(105);
    expect([6, 7, 8, 9].map((k) => ghosts.find(k) >= 0)).toEqual([false, false, true, true]);
    expect(ghosts.size).toBe(8);
  });

  it('shrinks to the newest rows: a key stays if its newest claim is among the last `keep`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.boolean(),
        fc.array(event, { maxLength: 40 }),
        fc.array(event, { maxLength: 20 }),
        (capacity, keep, growFirst, before, after) => {
          const ghosts = new GrowingGhosts(capacity);
          const claims: number[] = [];
          const remembered = new Map<number, number>();
          playFifo(ghosts, before, remembered, claims, capacity, 0);
          // A shrink during a growth finishes the move first (the order is kept: no claim came
          // between; one that does may come before old rows moved after it, see the class).
          const size = growFirst ? 2 * capacity : capacity;
          if (growFirst) ghosts.grow(size);
          const target = Math.min(keep, size);
          ghosts.shrink(keep);
          expect(ghosts.capacity).toBe(target);
          expect(ghosts.growing).toBe(growFirst && target >= size);
          if (target >= size) return; // ignored: the first test covers what follows a growth
          // The remembered keys, oldest claim first. A growth's move copies live rows only, so
          // after one the newest `target` live keys stay; without, those among the newest
          // `target` ring positions (claims).
          const order = [...remembered.entries()].sort((x, y) => x[1] - y[1]).map(([k]) => k);
          const newest = new Set(target === 0 ? [] : claims.slice(-target));
          const kept = growFirst
            ? order.slice(order.length - Math.min(target, order.length))
            : order.filter((k) => newest.has(k));
          for (const k of remembered.keys()) if (!kept.includes(k)) remembered.delete(k);
          expectRemembers(ghosts, remembered);
          // The shrink copies the kept rows in order into free positions.
          claims.splice(0, claims.length, ...kept);
          // Then a FIFO of `target` rows.
          playFifo(ghosts, after, remembered, claims, target, 2000);
          expectRemembers(ghosts, remembered);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('shrinking while claims and moves interleave keeps only rows it had, with their values', () => {
    const ghosts = new GrowingGhosts(8);
    for (let k = 0; k < 8; k++) ghosts.rows[ghosts.claim(k) + G_LAST] = k;
    ghosts.grow(16);
    ghosts.rows[ghosts.claim(100) + G_LAST] = 100;
    ghosts.shrink(5);
    expect(ghosts.capacity).toBe(5);
    expect(ghosts.size).toBe(5);
    // 100 came before the last old rows were moved: the five newest in table order.
    const kept = [0, 1, 2, 3, 4, 5, 6, 7, 100].filter((k) => ghosts.find(k) >= 0);
    expect(kept).toEqual([3, 4, 5, 6, 7]);
    for (const k of kept) expect(ghosts.rows[ghosts.find(k) + G_LAST]).toBe(k);
  });

  it('ignores a shrink that is not smaller', () => {
    const ghosts = new GrowingGhosts(4);
    for (let k = 0; k < 4; k++) ghosts.claim(k);
    ghosts.shrink(4);
    ghosts.shrink(9);
    expect(ghosts.capacity).toBe(4);
    expect(ghosts.size).toBe(4);
    ghosts.shrink(2);
    expect([0, 1, 2, 3].map((k) => ghosts.find(k) >= 0)).toEqual([false, false, true, true]);
  });

  it('ignores a grow that is not larger, and clear forgets both tables', () => {
    const ghosts = new GrowingGhosts(4);
    for (let k = 0; k < 4; k++) ghosts.claim(k);
    ghosts.grow(4);
    expect(ghosts.growing).toBe(false);
    ghosts.grow(16);
    ghosts.clear();
    expect(ghosts.size).toBe(0);
    expect(ghosts.growing).toBe(false);
    expect(ghosts.find(0)).toBe(-1);
  });
});
