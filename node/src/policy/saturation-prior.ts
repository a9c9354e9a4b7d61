/**
 * The learned policy's prior where its model cannot rank (docs/learned-eviction.md, "Fourth
 * round"). The model predicts log1p(min(gap, cap)): on a cold cache, where nearly every gap is
 * longer than the label cap (twice the memory window), every prediction sits at the cap, the
 * challenge margin blocks every overrule, and the base's victim goes. The model then says only
 * that the base's victim and the candidates are all dead within its horizon; it says nothing
 * about which returns first beyond it.
 *
 * There the prior decides, as S3-FIFO's quick demotion and W-TinyLFU's admission do: among the
 * batch's candidates that the model also predicts at the cap, one seen fewer times than the base's
 * victim (the access count includes the key's accesses before an earlier eviction, from the
 * feature ghosts) is evicted instead, the fewest-seen first. New one-hit keys then leave before
 * keys that came back. Where the model ranks, it is not consulted; the shadow fallback still
 * hands every eviction to the base when the policy trails it.
 */
import { decayFactor } from './feature-decay.ts';
import { EDC_HALF_LIFE_SHIFTS, FEATURE_COUNT } from './features.ts';

/** The features the prior reads: accesses seen (with the ghosts'), and log2 of the size. */
export const FREQ_FEATURE = 1;
export const LOG2_SIZE_FEATURE = 8;
/** The first decayed access counter (features 5–7, half-lives 2^EDC_HALF_LIFE_SHIFTS). */
const EDC_FEATURE = 5;

/**
 * The feature the prior counts accesses with: with `decayShift` 0 the accesses seen (feature 1),
 * else the decayed counter of half-life 2^decayShift requests (10, 13 or 16: features 5–7), so
 * that keys frequent long ago stop being protected.
 */
export function priorFeature(decayShift: number): number {
  if (decayShift === 0) return FREQ_FEATURE;
  const i = EDC_HALF_LIFE_SHIFTS.indexOf(decayShift);
  if (i < 0) throw new RangeError(`no decayed counter with half-life 2^${decayShift}`);
  return EDC_FEATURE + i;
}

/** A count read `age` requests ago, now: decayed by 2^(−age / 2^decayShift) (0: unchanged). */
export function countNow(count: number, age: number, decayShift: number): number {
  return decayShift === 0 ? count : count * decayFactor(age, decayShift);
}

/** A prediction at or above this is at the cap: log1p(cap) less `tolerance` (log units). */
export function saturationLevel(cap: number, tolerance: number): number {
  return Math.log1p(cap) - tolerance;
}

/** The model's prediction without the ranking's size term (score + ln(size) when size-aware). */
export function rawPrediction(score: number, log2Size: number, sizeAware: boolean): number {
  return sizeAware && log2Size > 0 ? score - log2Size * Math.LN2 : score;
}

/**
 * Among rows `from` … `n − 1` of a scored batch (`rows`: FEATURE_COUNT values per row;
 * `scores`: the ranking scores), the row to evict instead of the base's victim, or -1: a row
 * whose prediction is at least `level`, seen fewer times than the base's victim (`headFreq`,
 * counted by feature `feature`, see `priorFeature`); the fewest-seen first, then the highest
 * score.
 */
export function priorVictimRow(
  rows: Float32Array,
  scores: Float64Array,
  from: number,
  n: number,
  level: number,
  headFreq: number,
  sizeAware: boolean,
  feature = FREQ_FEATURE,
): number {
  let best = -1;
  let bestFreq = headFreq;
  for (let i = from; i < n; i++) {
    const at = i * FEATURE_COUNT;
    const freq = rows[at + feature]!;
    if (freq > bestFreq) continue;
    if (rawPrediction(scores[i]!, rows[at + LOG2_SIZE_FEATURE]!, sizeAware) < level) continue;
    if (freq < bestFreq || (best >= 0 && scores[i]! > scores[best]!)) {
      best = i;
      bestFreq = freq;
    }
  }
  return best;
}
