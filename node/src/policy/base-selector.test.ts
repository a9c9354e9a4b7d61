import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.ts';
import type { BaseKind } from './base-selector.ts';
import { BaseSelector } from './base-selector.ts';
import { createLfuPolicy } from './lfu.ts';
import { createLruPolicy } from './lru.ts';

function selector(initial: BaseKind, capacity = 100) {
  return new BaseSelector({
    createBase: (kind, c) =>
      kind === 'lru' ? createLruPolicy({ capacity: c }) : createLfuPolicy({ capacity: c }),
    capacity,
    seed: 1,
    initial,
    minEntries: 1024,
    minWindow: 500,
  });
}

/** Feeds `n` requests of `next` to the selector (every key is sampled: the cache is small). */
function feed(s: BaseSelector, n: number, next: (i: number) => number): void {
  for (let i = 0; i < n; i++) {
    const key = next(i);
    if (s.sampled(key)) s.observe(key, 1);
  }
}

/** A hot set of 50 keys requested all along, and a stream of keys each requested twice in a row. */
function frequencyWins(random: ReturnType<typeof createRandom>): (i: number) => number {
  return (i) => (random.next() < 0.5 ? random.int(50) : 1000 + Math.floor(i / 2));
}

/**
 * Phases of 150 distinct keys each requested 20 times in shuffled rounds; a small cache keeps the
 * phase's recent keys under LRU, while LFU holds on to the previous phases' counts.
 */
function recencyWins(random: ReturnType<typeof createRandom>): (i: number) => number {
  return (i) => {
    const phase = Math.floor(i / 3000);
    return 10_000 + phase * 1000 + Math.floor(random.next() * 90);
  };
}

describe('BaseSelector', () => {
  it('samples nothing before start and everything for a small cache', () => {
    const s = selector('lru');
    expect(s.sampled(3)).toBe(false);
    s.start(100);
    expect(s.percent).toBe(100);
    expect(s.sampled(3)).toBe(true);
  });

  it('samples a hashed share of the keys for a large cache', () => {
    const s = selector('lru', 100_000);
    s.start(100_000);
    expect(s.percent).toBe(5);
    let n = 0;
    for (let k = 0; k < 100_000; k++) if (s.sampled(k)) n++;
    expect(n / 100_000).toBeGreaterThan(0.04);
    expect(n / 100_000).toBeLessThan(0.06);
  });

  it('starts both shadows from the residents it is seeded with, their counts included', () => {
    const s = selector('lru');
    s.start(100);
    for (let key = 0; key < 100; key++) s.seed(key, 1, key < 50 ? 10 : 1);
    expect(s.lruLead).toBe(0);
    // 60 new keys: LRU drops the 60 seeded first (0..59), LFU the 50 seeded once and 10 new.
    feed(s, 60, (i) => 1000 + i);
    expect(s.lruLead).toBe(0);
    // So the keys seeded with 10 accesses hit in LFU only.
    feed(s, 50, (i) => i);
    expect(s.lruLead).toBe(-50);
  });

  it('stops, keeping the kind it chose, and starts again', () => {
    const s = selector('lru');
    s.start(100);
    feed(s, 20_000, frequencyWins(createRandom(3)));
    expect(s.active).toBe('lfu');
    for (let key = 0; key < 100; key++) s.seed(key, 1, 1);
    s.stop();
    expect([s.started, s.percent, s.sampled(1), s.active]).toEqual([false, 0, false, 'lfu']);
    s.start(100);
    expect([s.started, s.percent]).toEqual([true, 100]);
  });

  it('switches from LRU to LFU when frequency wins, and stays', () => {
    const s = selector('lru');
    s.start(100);
    feed(s, 20_000, frequencyWins(createRandom(7)));
    expect(s.active).toBe('lfu');
    expect(s.switches).toBe(1);
    expect(s.lruLead).toBeLessThan(0);
  });

  it('switches from LFU to LRU when recency wins', () => {
    const s = selector('lfu');
    s.start(100);
    feed(s, 30_000, recencyWins(createRandom(3)));
    expect(s.active).toBe('lru');
    expect(s.switches).toBeGreaterThanOrEqual(1);
  });

  it('keeps its own kind when both do the same (a loop smaller than the cache: all hit)', () => {
    for (const kind of ['lru', 'lfu'] as const) {
      const s = selector(kind);
      s.start(100);
      feed(s, 20_000, (i) => i % 80);
      expect(s.active).toBe(kind);
      expect(s.switches).toBe(0);
      expect(s.windows).toBeGreaterThan(10);
    }
  });

  it('follows the workload when it changes', () => {
    const s = selector('lru');
    s.start(100);
    feed(s, 20_000, frequencyWins(createRandom(5)));
    expect(s.active).toBe('lfu');
    feed(s, 60_000, recencyWins(createRandom(6)));
    expect(s.active).toBe('lru');
  });

  it('follows a resize of the live cache: the shadows shrink with it', () => {
    // A loop of 60 keys fits in 100: both kinds hit everything, a tie that keeps LRU. Through 30,
    // LRU never hits a loop while LFU keeps its most counted keys, so LFU must win after the
    // resize (without it, both shadows would still hold the whole loop).
    const s = selector('lru', 100);
    s.start(100);
    feed(s, 6000, (i) => i % 60);
    expect(s.active).toBe('lru');
    s.resize(30);
    feed(s, 6000, (i) => i % 60);
    expect(s.active).toBe('lfu');
  });
});
