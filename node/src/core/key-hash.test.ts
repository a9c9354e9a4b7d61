import { describe, expect, it } from 'vitest';

import { hashKey } from './key-hash.ts';

describe('hashKey', () => {
  it('is a stable 53-bit integer that tells similar keys apart', () => {
    const ids = new Set<number>();
    let wellFormed = true;
    for (let i = 0; i < 100_000; i++) {
      const id = hashKey(`key:${i}`);
      wellFormed &&= Number.isSafeInteger(id) && id >= 0;
      ids.add(id);
    }
    expect(wellFormed).toBe(true);
    expect(ids.size).toBe(100_000);
    expect(hashKey('abc')).toBe(hashKey('abc'));
    expect(hashKey('')).not.toBe(hashKey('\u0000'));
    // Uses the high bits too (a 32-bit hash would stay below 2^32).
    expect(Math.max(...Array.from({ length: 100 }, (_, i) => hashKey(`k${i}`)))).toBeGreaterThan(
      2 ** 40,
    );
  });
});
