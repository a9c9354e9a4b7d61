/**
 * How well a score orders keys by their next access: the share of random pairs of labelled
 * rows (with different labels) that the score puts in the same order as the labels, ties
 * counting half (a sampled concordance index). Eviction only needs the order of candidates, so
 * this is what a new model must improve, on held-out recent rows, before it replaces the
 * current one; the base policy's own order (age for LRU, frequency then age for LFU) is scored
 * the same way, so a model must also beat its base.
 */
import type { Random } from '../util/random.ts';

/** Pair accuracy of `scores` against `labels` over `pairs` random pairs of the first `n`. */
export function pairAccuracy(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  pairs: number,
  random: Random,
): number {
  if (n < 2) return 0.5;
  let agree = 0;
  let counted = 0;
  for (let k = 0; k < pairs; k++) {
    const i = random.int(n);
    const j = random.int(n);
    const dl = labels[i]! - labels[j]!;
    if (Math.abs(dl) < 1e-6) continue;
    const ds = scores[i]! - scores[j]!;
    counted++;
    if (ds === 0) agree += 0.5;
    else if (ds > 0 === dl > 0) agree++;
  }
  return counted === 0 ? 0.5 : agree / counted;
}
