import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { xxh64 } from './key-hash.ts';
import { DEFAULT_SHARD_COUNT, hashTagRange, isPowerOfTwo, keyHash, shardOf } from './shard-of.ts';

const latin1 = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
});

describe('shardOf', () => {
  it('takes the low bits of XXH64 of the whole key when there is no hash tag', () => {
    expect(DEFAULT_SHARD_COUNT).toBe(4096);
    expect(shardOf('abc')).toBe(Number(0x44bc2cf5ad770999n & 4095n));
    expect(shardOf('abc', 16)).toBe(Number(0x44bc2cf5ad770999n & 15n));
    expect(shardOf('', 1)).toBe(0);
  });

  it('hashes only a non-empty {tag}, as Redis Cluster does', () => {
    expect(shardOf('user:{42}:a')).toBe(shardOf('42'));
    expect(shardOf('user:{42}:b')).toBe(shardOf('user:{42}:a'));
    expect(hashTagRange('user:{42}:a')).toEqual([6, 8]);
    // First `{`, then the first `}` after it.
    expect(shardOf('{a}{b}')).toBe(shardOf('a'));
    expect(shardOf('x{a{b}c}')).toBe(shardOf('a{b'));
    // No tag: empty braces, no closing brace, a closing brace only before the opening one.
    for (const key of ['{}x', '{}{a}', 'x{y', 'a}b{', 'plain']) {
      expect(hashTagRange(key)).toBeUndefined();
      expect(keyHash(key)).toBe(Number(xxh64(key) & 0xffffffffn));
    }
  });

  it('gives a latin1 string and its Buffer the same shard, tag or not', () => {
    fc.assert(
      fc.property(latin1, latin1, latin1, fc.boolean(), (a, tag, b, tagged) => {
        const key = tagged ? `${a}{${tag}}${b}` : a + tag + b;
        const buffer = Buffer.from(key, 'latin1');
        expect(shardOf(buffer)).toBe(shardOf(key));
        expect(hashTagRange(buffer)).toEqual(hashTagRange(key));
      }),
      { numRuns: 200 },
    );
  });

  it('puts every key with the same non-empty tag on the same shard', () => {
    fc.assert(
      fc.property(
        latin1.filter((t) => t.length > 0 && !t.includes('}')),
        latin1.filter((s) => !s.includes('{')),
        latin1,
        (tag, prefix, suffix) => {
          expect(shardOf(`${prefix}{${tag}}${suffix}`)).toBe(shardOf(tag));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('spreads keys evenly over the shards', () => {
    const counts = new Uint32Array(64);
    for (let i = 0; i < 64_000; i++) counts[shardOf(`key:${i}`, 64)]!++;
    // 1000 expected per shard; 6 standard deviations is ±190.
    expect(Math.max(...counts)).toBeLessThan(1190);
    expect(Math.min(...counts)).toBeGreaterThan(810);
  });

  it('refuses a shard count that is not a power of two', () => {
    expect(isPowerOfTwo(4096)).toBe(true);
    for (const bad of [0, 3, 4095, -4, 1.5, 2 ** 31]) {
      expect(isPowerOfTwo(bad)).toBe(false);
      expect(() => shardOf('k', bad)).toThrow(RangeError);
    }
  });
});
