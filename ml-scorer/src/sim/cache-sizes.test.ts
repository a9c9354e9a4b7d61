import { describe, expect, it } from 'vitest';
import { capacityFor, needsWorkingSet, parseSizes } from './cache-sizes.ts';

describe('parseSizes and capacityFor', () => {
  const summary = { requests: 914145, uniqueObjects: 186880, uniqueBytes: 2029769728 };

  it('takes numbers below 1 and percentages as fractions of the working set', () => {
    const sizes = parseSizes('0.01,5%,0.1');
    expect(sizes.map((s) => s.kind)).toEqual(['fraction', 'fraction', 'fraction']);
    expect(needsWorkingSet(sizes)).toBe(true);
    // floor(fraction x working set), as libCacheSim (and its reference CSV) computes it.
    expect(sizes.map((s) => capacityFor(s, true, summary))).toEqual([1868, 9344, 18688]);
    expect(capacityFor(sizes[0]!, false, summary)).toBe(20297697);
  });

  it('takes other values as absolute sizes with optional units', () => {
    const sizes = parseSizes('5000, 64MiB,1');
    expect(needsWorkingSet(sizes)).toBe(false);
    expect(sizes.map((s) => capacityFor(s, false))).toEqual([5000, 64 * 1024 * 1024, 1]);
  });

  it.each(['', '0.1,,0.2', 'big', '0', '-5', '200%'])('rejects %j', (text) => {
    expect(() => parseSizes(text)).toThrow(RangeError);
  });
});
