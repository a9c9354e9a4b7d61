/**
 * Redis's own generator behind Lua's math.random (redisLrand48, a copy of the 48-bit linear
 * congruential lrand48): one per server, never reseeded between scripts, starting from lrand48's
 * default state, so that a script draws the numbers it draws in Redis. BigInt keeps the 48-bit
 * product exact; scripts draw few numbers.
 */
const MULTIPLIER = 0x5deece66dn;
const INCREMENT = 0xbn;
const MASK = (1n << 48n) - 1n;
/** lrand48's state before any seeding: X2 X1 X0 = 0x1234 0xABCD 0x330E. */
const INITIAL_STATE = 0x1234abcd330en;
/** REDIS_LRAND48_MAX: draws are reduced modulo it and divided by it. */
export const LRAND48_MAX = 2147483647;

export class RedisRandom {
  #state = INITIAL_STATE;

  /** redisSrand48: the seed's low 32 bits above lrand48's fixed low word. */
  seed(value: number): void {
    const seed = BigInt.asUintN(32, BigInt(Math.trunc(value)));
    this.#state = (seed << 16n) | 0x330en;
  }

  /** The next 31-bit draw. */
  next(): number {
    this.#state = (MULTIPLIER * this.#state + INCREMENT) & MASK;
    return Number(this.#state >> 17n);
  }

  /** math.random()'s fraction in [0, 1). */
  fraction(): number {
    return (this.next() % LRAND48_MAX) / LRAND48_MAX;
  }
}
