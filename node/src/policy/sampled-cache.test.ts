import { describe, expect, it } from 'vitest';
import { createLruPolicy } from './lru.ts';
import { SampledCache, samplingPercent, scaledCapacity } from './sampled-cache.ts';

const lru = (capacity: number): SampledCache =>
  new SampledCache(createLruPolicy({ capacity }), capacity);

describe('SampledCache', () => {
  it('hits what it holds and evicts as its policy says', () => {
    const cache = lru(3);
    expect([1, 2, 3].map((k) => cache.request(k, 1))).toEqual([false, false, false]);
    expect(cache.request(1, 1)).toBe(true);
    expect(cache.request(4, 1)).toBe(false); // evicts 2, the least recently used
    expect(cache.request(2, 1)).toBe(false);
    expect(cache.request(1, 1)).toBe(true);
  });

  it('never holds more than its capacity in size units, and skips what cannot fit', () => {
    const cache = lru(10);
    expect(cache.request(1, 11)).toBe(false);
    expect(cache.request(1, 11)).toBe(false); // not kept
    cache.request(2, 6);
    cache.request(3, 6); // 2 goes
    expect(cache.request(3, 6)).toBe(true);
    expect(cache.request(2, 6)).toBe(false);
  });

  it('replaces a key seen with another size (counted as a hit, as an update is)', () => {
    const cache = lru(10);
    cache.request(1, 2);
    expect(cache.request(1, 5)).toBe(true);
    cache.request(2, 5); // 1 (now 5 units) and 2 fill 10
    expect(cache.request(1, 5)).toBe(true);
  });

  it('evicts down to a smaller capacity on resize, and grows again', () => {
    const cache = lru(4);
    for (const k of [1, 2, 3, 4]) cache.request(k, 1);
    cache.resize(2); // 1 and 2, the least recent, go
    expect(cache.request(4, 1)).toBe(true);
    expect(cache.request(3, 1)).toBe(true);
    expect(cache.request(1, 1)).toBe(false);
    cache.resize(8);
    for (const k of [5, 6, 7, 8]) cache.request(k, 1);
    expect([1, 3, 5, 6, 7, 8].every((k) => cache.request(k, 1))).toBe(true);
  });
});

describe('sampling arithmetic', () => {
  it('samples small caches whole and large ones at the floor rate', () => {
    expect(samplingPercent(500, 1024, 5)).toBe(100);
    expect(samplingPercent(10_000, 1024, 5)).toBe(11);
    expect(samplingPercent(1_000_000, 1024, 5)).toBe(5);
    expect(scaledCapacity(1000, 11)).toBe(110);
    expect(scaledCapacity(5, 5)).toBe(1);
  });
});
