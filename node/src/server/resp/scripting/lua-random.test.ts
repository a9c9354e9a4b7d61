import { describe, expect, it } from 'vitest';
import { LRAND48_MAX, RedisRandom } from './lua-random.ts';

describe('RedisRandom (redisLrand48)', () => {
  it("draws what Redis 7.0's math.random draws, from its first call and after a seed", () => {
    // From redis-server 7.0.15: EVAL 'return {math.random(1000000), math.random(1000000)}' 0 on
    // a fresh server, then math.randomseed(0) and math.random(1000000).
    const random = new RedisRandom();
    const draw = (n: number): number => Math.floor(random.fraction() * n) + 1;
    expect([draw(1_000_000), draw(1_000_000)]).toEqual([396465, 840486]);
    random.seed(0);
    expect(draw(1_000_000)).toBe(170829);
  });

  it('stays within 31 bits and below its maximum as a fraction', () => {
    const random = new RedisRandom();
    for (let i = 0; i < 10_000; i++) {
      const value = random.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(LRAND48_MAX);
    }
    random.seed(-1);
    expect(random.fraction()).toBeLessThan(1);
  });
});
