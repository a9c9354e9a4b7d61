/**
 * The gate a freshly trained model must pass before it replaces the current one (research note
 * §4.7): on held-out recent rows (labels the trainer never saw), it must order pairs of rows by
 * their time to the next access better than the current model and better than the base policy's
 * own order. All three are scored on the same random pairs, so the comparison is paired.
 */
import { createRandom } from '../util/random.ts';
import { FEATURE_COUNT } from './features.ts';
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
}

export function judgeModel(
  challenger: Scorer,
  current: Scorer | null,
  validation: RowWindow,
  options: GateOptions,
): GateVerdict {
  const n = validation.size;
  if (n < options.minRows) return { accept: false, challenger: 0, current: 0, base: 0 };
  const quality = (scores: Float64Array): number =>
    pairAccuracy(scores, validation.labels, n, options.pairs, createRandom(options.seed));
  const scores = new Float64Array(n);
  challenger.predict(validation.rows, scores, n);
  const mine = quality(scores);
  baseScores(options.kind, validation.rows, scores, n);
  const base = quality(scores);
  let theirs = 0;
  if (current !== null) {
    current.predict(validation.rows, scores, n);
    theirs = quality(scores);
  }
  const gain = options.minGain;
  const accept = mine > base + gain && (current === null || mine > theirs + gain);
  return { accept, challenger: mine, current: theirs, base };
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
