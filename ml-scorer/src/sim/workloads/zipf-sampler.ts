import type { Random } from '../../../../node/src/util/random.ts';

/**
 * Draws ranks 1..n with P(k) proportional to 1 / k^alpha in O(1) expected time and O(1) memory,
 * by rejection-inversion (Hörmann and Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", 1996; the method of Apache Commons' Zipf sampler). An alias
 * table would also be O(1) but needs 12 bytes per key, 120 MB for 10 M keys. Any alpha >= 0
 * works, including 1 and 0 (uniform).
 */
export class ZipfSampler {
  readonly #n: number;
  readonly #alpha: number;
  readonly #random: Random;
  readonly #hIntegralX1: number;
  readonly #hIntegralN: number;
  readonly #s: number;

  constructor(n: number, alpha: number, random: Random) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`zipf needs n >= 1, got ${n}`);
    if (!(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new RangeError(`zipf needs alpha >= 0, got ${alpha}`);
    }
    this.#n = n;
    this.#alpha = alpha;
    this.#random = random;
    this.#hIntegralX1 = this.#hIntegral(1.5) - 1;
    this.#hIntegralN = this.#hIntegral(n + 0.5);
    this.#s = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2));
  }

  /** A rank in 1..n. */
  next(): number {
    for (;;) {
      const u = this.#hIntegralN + this.#random.next() * (this.#hIntegralX1 - this.#hIntegralN);
      const x = this.#hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.#n) k = this.#n;
      if (k - x <= this.#s || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k;
    }
  }

  /** H(x) = integral of h; (x^(1-alpha) - 1) / (1 - alpha), or log x at alpha = 1. */
  #hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.#alpha) * logX) * logX;
  }

  #h(x: number): number {
    return Math.exp(-this.#alpha * Math.log(x));
  }

  #hIntegralInverse(x: number): number {
    let t = x * (1 - this.#alpha);
    if (t < -1) t = -1; // numerical safety: the true value is never below -1
    return Math.exp(helper1(t) * x);
  }
}

/** log(1 + x) / x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (exp(x) - 1) / x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + 0.25 * x));
}
