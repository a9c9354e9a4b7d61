import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { ShardLoad } from './shard-load.ts';

describe('ShardLoad', () => {
  it('counts requests per shard and turns them into rates over the time covered', () => {
    const clock = new ManualClock();
    const load = new ShardLoad({ shardCount: 8, clock, buckets: 3, bucketMs: 1000 });
    load.record(2);
    load.record(2, 4);
    load.record(7);
    clock.advance(500);
    expect(Array.from(load.counts())).toEqual([0, 0, 5, 0, 0, 0, 0, 1]);
    expect(load.windowMs()).toBe(500);
    expect(load.rates()[2]).toBe(10);
  });

  it('forgets buckets that leave the window', () => {
    const clock = new ManualClock(0);
    const load = new ShardLoad({ shardCount: 4, clock, buckets: 3, bucketMs: 1000 });
    load.record(0, 10); // bucket 0
    clock.advance(1000);
    load.record(0, 20); // bucket 1
    clock.advance(1000);
    load.record(0, 40); // bucket 2
    expect(load.counts()[0]).toBe(70);
    clock.advance(1000); // bucket 3 replaces bucket 0
    expect(load.counts()[0]).toBe(60);
    expect(load.windowMs()).toBe(2000);
    clock.advance(10_000); // everything is old
    expect(load.counts()[0]).toBe(0);
    expect(load.rates()[0]).toBe(0);
  });

  it('matches a naive model that keeps every request with its time', () => {
    const step = fc.record({
      shard: fc.nat(7),
      count: fc.integer({ min: 1, max: 5 }),
      wait: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2500 })),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const bucketMs = 1000;
        const buckets = 4;
        const clock = new ManualClock(0);
        const load = new ShardLoad({ shardCount: 8, clock, buckets, bucketMs });
        const log: { shard: number; count: number; bucket: number }[] = [];
        for (const { shard, count, wait } of steps) {
          clock.advance(wait);
          load.record(shard, count);
          log.push({ shard, count, bucket: Math.floor(clock.monotonic() / bucketMs) });
        }
        const current = Math.floor(clock.monotonic() / bucketMs);
        const expected = new Array<number>(8).fill(0);
        for (const { shard, count, bucket } of log) {
          if (bucket > current - buckets) expected[shard]! += count;
        }
        expect(Array.from(load.counts())).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses nonsense options', () => {
    const clock = new ManualClock();
    expect(() => new ShardLoad({ shardCount: 0, clock })).toThrow(RangeError);
    expect(() => new ShardLoad({ shardCount: 8, clock, buckets: 1 })).toThrow(RangeError);
    expect(() => new ShardLoad({ shardCount: 8, clock, bucketMs: 0 })).toThrow(RangeError);
  });
});
