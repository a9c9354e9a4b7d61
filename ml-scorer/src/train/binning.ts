/**
 * Quantile binning: each feature's values are mapped to at most 256 ordered bins, so that the
 * trainer works on bytes and finds splits by scanning histograms instead of sorting.
 *
 * Bin b of a feature holds the values x with edges[b-1] < x <= edges[b]; the last bin is open
 * above. Edges are actual sample values (float32), so the split rule "x <= edge" gives the same
 * answer in training, in TS prediction and in onnxruntime.
 */
import type { Random } from '../../../node/src/util/random.ts';

/**
 * Upper bin edges per feature, computed on up to `sampleRows` rows drawn with `random`. A
 * feature with at most `maxBins` distinct sampled values gets one bin per value.
 */
export function computeBinEdges(
  rows: Float32Array,
  nRows: number,
  nFeatures: number,
  maxBins: number,
  sampleRows: number,
  random: Random,
): Float32Array[] {
  const take = Math.min(nRows, sampleRows);
  const picks = new Int32Array(take);
  if (take === nRows) for (let i = 0; i < take; i++) picks[i] = i;
  else for (let i = 0; i < take; i++) picks[i] = random.int(nRows);
  const values = new Float32Array(take);
  const edges: Float32Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 0; i < take; i++) values[i] = rows[picks[i]! * nFeatures + f]!;
    values.sort();
    edges.push(edgesOfSorted(values, maxBins));
  }
  return edges;
}

/**
 * Equal-frequency edges over sorted values. A value holding at least 1/maxBins of the rows gets a
 * bin of its own (sentinels such as MISSING are often a large share of a feature), and the other
 * rows are spread evenly over the bins left, so a heavy value does not coarsen the rest.
 */
export function edgesOfSorted(sorted: Float32Array, maxBins: number): Float32Array {
  // Distinct values and their counts.
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (Number.isNaN(v)) break; // NaN sorts last and always goes right
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]!++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  if (distinct.length <= maxBins) return Float32Array.from(distinct.slice(0, -1));
  let total = 0;
  for (const c of counts) total += c;
  const heavy = total / maxBins;
  let lightRows = total;
  let lightBins = maxBins;
  for (const c of counts) {
    if (c >= heavy) {
      lightRows -= c;
      lightBins--;
    }
  }
  const edges: number[] = [];
  const cut = (k: number): void => {
    if (edges.length < maxBins - 1 && k < distinct.length - 1) edges.push(distinct[k]!);
  };
  let inBin = 0;
  for (let k = 0; k < distinct.length; k++) {
    const c = counts[k]!;
    if (c >= heavy) {
      if (inBin > 0) cut(k - 1);
      cut(k);
      inBin = 0;
      continue;
    }
    inBin += c;
    if (inBin >= lightRows / Math.max(1, lightBins)) {
      cut(k);
      lightRows -= inBin;
      lightBins--;
      inBin = 0;
    }
  }
  return Float32Array.from(edges);
}

/** The bin of `x`: the first b with x <= edges[b], or edges.length. */
export function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The bin matrix, column-major: `bins[f * nRows + r]` is row r's bin of feature f. */
export function binRows(
  rows: Float32Array,
  nRows: number,
  nFeatures: number,
  edges: readonly Float32Array[],
): Uint8Array {
  const bins = new Uint8Array(nRows * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const e = edges[f]!;
    const column = f * nRows;
    for (let r = 0; r < nRows; r++) bins[column + r] = binOf(e, rows[r * nFeatures + f]!);
  }
  return bins;
}
