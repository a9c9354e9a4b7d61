/**
 * The gate a freshly trained model must pass before it replaces the current one (research note
 * §4.7): on held-out recent rows (labels the trainer never saw), it must order pairs of rows
 * better than the current model and better than the base policy's own order. All three are
 * scored on the same random pairs, so the comparison is paired.
 *
 * What "better" means follows what eviction does with the scores. With an object budget, or
 * when every held-out row has the same size, eviction ranks by the predicted gap alone, and so
 * does the gate: pairs are ordered by the label, log1p(gap). Under a byte budget with
 * `sizeAware` ranking, eviction ranks by score + ln(size), the expected cost gap × size of
 * keeping an entry (the byte-time it holds per hit it may bring, BeladySize's order), so the
 * gate judges the models' scores + ln(size) against label + ln(size). The models' gap order
 * alone says nothing about their scale, yet the scale decides how far a predicted gap outweighs
 * a size difference. The base policy evicts blind to size, so its order is judged as it is
 * (age, or frequency then age) against the same size-aware target.
 */
import { createRandom } from '../util/random.ts';
import { FEATURE_COUNT, FEATURE_NAMES } from './features.ts';
import type { MlBase } from './ml-hybrid-params.ts';
import type { RowWindow } from './online-labeler.ts';
import { pairAccuracy } from './ranking-quality.ts';
import type { Scorer } from './scorer-port.ts';

export interface GateVerdict {
  readonly accept: boolean;
  /** Pair accuracy of the new model, the current one (0 without one), and the base's order. */
  readonly challenger: number;
  readonly current: number;
  readonly base: number;
}

export interface GateOptions {
  readonly kind: MlBase;
  readonly pairs: number;
  readonly seed: number;
  /** The new model must win by more than this. */
  readonly minGain: number;
  /** Fewer held-out rows than this: refuse (nothing to judge by). */
  readonly minRows: number;
  /**
   * Eviction ranks by score + ln(size) (`sizeAware`): judge that order when the held-out rows'
   * sizes vary. Absent or false: the predicted gap alone.
   */
  readonly sizeAware?: boolean;
}

/** The feature holding log2 of the entry's size (0 with an object budget). */
const LOG2_SIZE = FEATURE_NAMES.indexOf('log2_size');

export function judgeModel(
  challenger: Scorer,
  current: Scorer | null,
  validation: RowWindow,
  options: GateOptions,
): GateVerdict {
  const n = validation.size;
  if (n < options.minRows) return { accept: false, challenger: 0, current: 0, base: 0 };
  const lnSize = options.sizeAware === true ? sizeTerms(validation.rows, n) : null;
  const target = lnSize === null ? validation.labels : shifted(validation.labels, lnSize, n);
  const quality = (scores: Float64Array): number =>
    pairAccuracy(scores, target, n, options.pairs, createRandom(options.seed));
  /** A model's scores as eviction ranks them. */
  const modelQuality = (scores: Float64Array): number =>
    quality(lnSize === null ? scores : shifted(scores, lnSize, n));
  const scores = new Float64Array(n);
  challenger.predict(validation.rows, scores, n);
  const mine = modelQuality(scores);
  baseScores(options.kind, validation.rows, scores, n);
  const base = quality(scores);
  let theirs = 0;
  if (current !== null) {
    current.predict(validation.rows, scores, n);
    theirs = modelQuality(scores);
  }
  const gain = options.minGain;
  const accept = mine > base + gain && (current === null || mine > theirs + gain);
  return { accept, challenger: mine, current: theirs, base };
}

/**
 * ln(size) of each of the first `n` rows, from their log2-size feature (as eviction adds it:
 * 0 for size ≤ 1); null when every row has the same size, where it changes no order.
 */
export function sizeTerms(rows: Float32Array, n: number): Float64Array | null {
  const out = new Float64Array(n);
  let varies = false;
  for (let i = 0; i < n; i++) {
    out[i] = rows[i * FEATURE_COUNT + LOG2_SIZE]! * Math.LN2;
    if (out[i] !== out[0]) varies = true;
  }
  return varies ? out : null;
}

function shifted(xs: ArrayLike<number>, by: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = xs[i]! + by[i]!;
  return out;
}

/**
 * How much two models trained on successive windows disagree on held-out rows, beyond a common
 * shift: the robust spread of their score differences. Both estimate the same thing from
 * different samples, so this is about √2 × the noise of one model's score, in log units (the
 * policy's challenge margin can follow it). 0 with fewer than 2 rows.
 */
export function disagreement(a: Scorer, b: Scorer, validation: RowWindow): number {
  const n = validation.size;
  if (n < 2) return 0;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  a.predict(validation.rows, x, n);
  b.predict(validation.rows, y, n);
  for (let i = 0; i < n; i++) x[i] = x[i]! - y[i]!;
  return robustSpread(x);
}

/** 1.4826 × the median absolute deviation from the median (σ for normal data); sorts `xs`. */
export function robustSpread(xs: Float64Array): number {
  if (xs.length === 0) return 0;
  xs.sort();
  const median = xs[xs.length >> 1]!;
  for (let i = 0; i < xs.length; i++) xs[i] = Math.abs(xs[i]! - median);
  xs.sort();
  return 1.4826 * xs[xs.length >> 1]!;
}

/**
 * The base policy's own preference as a score (higher = evict first): age for LRU; for LFU
 * fewer accesses first, then age (feature 0 = age, 1 = accesses).
 */
export function baseScores(kind: MlBase, rows: Float32Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const age = rows[i * FEATURE_COUNT]!;
    out[i] = kind === 'lru' ? age : -rows[i * FEATURE_COUNT + 1]! + age / (age + 1);
  }
}
