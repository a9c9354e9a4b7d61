/**
 * Exponential decay by powers of two, without Math.pow on the hot path.
 *
 * The decayed counters multiply by 2^(−Δ/τ) on every access, with Δ an integer number of requests
 * and τ = 2^shift a power of two. Splitting the exponent Δ/τ into its integer part q and a 16-bit
 * fraction h/2^8 + l/2^16 turns the power into three table lookups:
 *
 *   2^(−Δ/τ) = 2^(−q) · 2^(−h/256) · 2^(−l/65536)
 *
 * Each table entry is correctly rounded, so the product is within a few ulps of Math.pow while
 * costing three loads and two multiplies (see the measurement in ml-scorer/README.md). The tables
 * are immutable constants, computed once at import (4 KiB + 8.4 KiB).
 */

/** Largest supported half-life exponent: the fraction of Δ/τ is kept to 16 bits. */
export const MAX_DECAY_SHIFT = 16;

/** 2^(−q) is a subnormal at q = 1074 and 0 beyond. */
const MAX_WHOLE = 1075;

const WHOLE = new Float64Array(MAX_WHOLE);
const HIGH = new Float64Array(256);
const LOW = new Float64Array(256);
for (let q = 0; q < MAX_WHOLE; q++) WHOLE[q] = 2 ** -q;
for (let i = 0; i < 256; i++) {
  HIGH[i] = 2 ** (-i / 256);
  LOW[i] = 2 ** (-i / 65536);
}

/**
 * 2^(−delta / 2^shift) for an integer `delta` (≤ 0 counts as 0) and an integer `shift` in [0, 16].
 * Returns exactly 0 once the factor underflows double precision.
 */
export function decayFactor(delta: number, shift: number): number {
  // A clock that did not move (or moved back) does not decay; this also keeps the shifts in range.
  if (!(delta > 0)) return 1;
  // Past MAX_WHOLE half-lives the factor is 0; below it, delta < 2^27, so int32 maths is exact.
  if (delta >= MAX_WHOLE << shift) return 0;
  const fraction = (delta & ((1 << shift) - 1)) << (MAX_DECAY_SHIFT - shift);
  return WHOLE[delta >>> shift]! * HIGH[fraction >>> 8]! * LOW[fraction & 255]!;
}
