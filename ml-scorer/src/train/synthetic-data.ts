/**
 * Seeded synthetic regression data for tests and benchmarks of the trainer: the label is a sum of
 * steps in features 0 and 1 plus a gentle slope in feature 2 and Gaussian-ish noise; the other
 * features are noise. Some values are the MISSING sentinel, as real feature rows have.
 */
import { MISSING } from '../../../node/src/policy/features.ts';
import { createRandom } from '../../../node/src/util/random.ts';

export interface SyntheticData {
  readonly rows: Float32Array;
  readonly labels: Float32Array;
  readonly nFeatures: number;
}

/** The noise-free target of one row (what a perfect model would predict). */
export function syntheticTarget(row: ArrayLike<number>): number {
  const x0 = row[0]!;
  const x1 = row[1]!;
  const x2 = row[2] ?? 0;
  let y = x0 > 0.3 ? 2 : 0;
  y += x1 > 0.6 ? 1.5 : x1 === MISSING ? -1 : 0;
  y += 0.5 * (x2 === MISSING ? 0 : x2);
  return y;
}

export function syntheticData(
  nRows: number,
  nFeatures: number,
  seed: number,
  noise = 0.3,
): SyntheticData {
  if (nFeatures < 3) throw new RangeError('synthetic data needs at least 3 features');
  const random = createRandom(seed);
  const rows = new Float32Array(nRows * nFeatures);
  const labels = new Float32Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const row = rows.subarray(r * nFeatures, (r + 1) * nFeatures);
    for (let f = 0; f < nFeatures; f++) {
      // Every feature but 0 is sometimes missing; feature 3 and up are spread over decades.
      if (f > 0 && random.next() < 0.1) row[f] = MISSING;
      else if (f >= 3) row[f] = Math.floor(random.next() ** 4 * 1e6);
      else row[f] = random.next();
    }
    // Irwin–Hall(3) − 1.5 has standard deviation 1/2, so the noise has standard deviation `noise`.
    const n = (random.next() + random.next() + random.next() - 1.5) * 2 * noise;
    labels[r] = syntheticTarget(row) + n;
  }
  return { rows, labels, nFeatures };
}
