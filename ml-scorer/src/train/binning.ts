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
  const sorter = new Float32Sorter(take);
  const edges: Float32Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 0; i < take; i++) values[i] = rows[picks[i]! * nFeatures + f]!;
    sorter.sort(values);
    edges.push(edgesOfSorted(values, maxBins));
  }
  return edges;
}

/**
 * Sorts float32 arrays in the order of `Float32Array.prototype.sort` (−0 before +0, NaN last),
 * by an LSD radix sort of their order-preserving 32-bit keys: three passes of 11 bits, each
 * skipped when every key has the same digit. Several times faster than the comparison sort on
 * the bin-edge samples (16Ki values), with the same result; NaNs come out as the canonical NaN.
 */
class Float32Sorter {
  #keys: Uint32Array;
  #spare: Uint32Array;
  readonly #counts = new Int32Array(RADIX);

  constructor(capacity: number) {
    this.#keys = new Uint32Array(capacity);
    this.#spare = new Uint32Array(capacity);
  }

  sort(values: Float32Array): void {
    const n = values.length;
    if (n > this.#keys.length) {
      this.#keys = new Uint32Array(n);
      this.#spare = new Uint32Array(n);
    }
    const bits = new Uint32Array(values.buffer, values.byteOffset, n);
    let keys = this.#keys;
    let spare = this.#spare;
    for (let i = 0; i < n; i++) keys[i] = sortKey(bits[i]!);
    const counts = this.#counts;
    for (let shift = 0; shift < 32; shift += RADIX_BITS) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & RADIX_MASK]!++;
      if (counts[(keys[0]! >>> shift) & RADIX_MASK] === n) continue;
      let sum = 0;
      for (let d = 0; d < RADIX; d++) {
        const c = counts[d]!;
        counts[d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const k = keys[i]!;
        spare[counts[(k >>> shift) & RADIX_MASK]!++] = k;
      }
      const swap = keys;
      keys = spare;
      spare = swap;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      bits[i] = k >= 0x80000000 ? k ^ 0x80000000 : ~k;
    }
  }
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/**
 * The float32 with these bits as an unsigned key that sorts like the float: negative floats have
 * every bit flipped, the others only the sign bit. Every NaN maps to the largest key, so that NaN
 * sorts last as `Float32Array.prototype.sort` has it.
 */
function sortKey(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return 0xffffffff;
  return (bits & 0x80000000) !== 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/**
 * Equal-frequency edges over sorted values. A value holding at least 1/maxBins of the rows gets a
 * bin of its own (sentinels such as MISSING are often a large share of a feature), and the other
 * rows are spread evenly over the bins left, so a heavy value does not coarsen the rest.
 */
export function edgesOfSorted(sorted: Float32Array, maxBins: number): Float32Array {
  // Distinct values and their counts.
  const distinct = new Float64Array(sorted.length);
  const counts = new Int32Array(sorted.length);
  let nDistinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (Number.isNaN(v)) break; // NaN sorts last and always goes right
    if (nDistinct > 0 && distinct[nDistinct - 1] === v) counts[nDistinct - 1]!++;
    else {
      distinct[nDistinct] = v;
      counts[nDistinct++] = 1;
    }
  }
  if (nDistinct <= maxBins)
    return Float32Array.from(distinct.subarray(0, Math.max(0, nDistinct - 1)));
  let total = 0;
  for (let k = 0; k < nDistinct; k++) total += counts[k]!;
  const heavy = total / maxBins;
  let lightRows = total;
  let lightBins = maxBins;
  for (let k = 0; k < nDistinct; k++) {
    const c = counts[k]!;
    if (c >= heavy) {
      lightRows -= c;
      lightBins--;
    }
  }
  const edges = new Float32Array(maxBins - 1);
  let nEdges = 0;
  const cut = (k: number): void => {
    if (nEdges < maxBins - 1 && k < nDistinct - 1) edges[nEdges++] = distinct[k]!;
  };
  let inBin = 0;
  for (let k = 0; k < nDistinct; k++) {
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
  return edges.slice(0, nEdges);
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

/**
 * The bin matrix, column-major: `bins[f * nRows + r]` is row r's bin of feature f, as `binOf`
 * gives it. A binary search per value is slow (its branches are unpredictable), so values are
 * compared as order-preserving 32-bit keys (see `sortKey`) instead, and a table indexed by a key's
 * top 16 bits gives the first edge whose key is not below that prefix: a value only scans the
 * edges that share its prefix, usually none.
 */
export function binRows(
  rows: Float32Array,
  nRows: number,
  nFeatures: number,
  edges: readonly Float32Array[],
): Uint8Array {
  const bins = new Uint8Array(nRows * nFeatures);
  const bits = new Uint32Array(rows.buffer, rows.byteOffset, nRows * nFeatures);
  let table = new Uint16Array(0);
  for (let f = 0; f < nFeatures; f++) {
    const e = edges[f]!;
    const m = e.length;
    const column = f * nRows;
    if (m === 0) continue; // one bin: every value's bin is 0
    const edgeBits = new Uint32Array(e.buffer, e.byteOffset, m);
    const edgeKeys = new Uint32Array(m);
    for (let b = 0; b < m; b++) edgeKeys[b] = compareKey(edgeBits[b]!);
    // table[p - low] = the number of edges whose key is below p << 16, for the prefixes p of
    // the edges; below them every value is in bin 0, above them in bin m.
    const low = edgeKeys[0]! >>> 16;
    const high = edgeKeys[m - 1]! >>> 16;
    if (table.length < high - low + 1) table = new Uint16Array(high - low + 1);
    for (let p = low, b = 0; p <= high; p++) {
      while (b < m && edgeKeys[b]! >>> 16 < p) b++;
      table[p - low] = b;
    }
    for (let r = 0; r < nRows; r++) {
      const x = bits[r * nFeatures + f]!;
      if ((x & 0x7fffffff) > 0x7f800000) {
        bins[column + r] = m; // NaN: x <= edge is false for every edge
        continue;
      }
      const key = compareKey(x);
      const p = key >>> 16;
      let b: number;
      if (p < low) b = 0;
      else if (p > high) b = m;
      else {
        b = table[p - low]!;
        while (b < m && edgeKeys[b]! < key) b++;
      }
      bins[column + r] = b;
    }
  }
  return bins;
}

/**
 * `sortKey` with −0 and +0 made equal, so that key(x) <= key(e) exactly when x <= e for any two
 * float32 values that are not NaN.
 */
function compareKey(bits: number): number {
  return sortKey(bits === 0x80000000 ? 0 : bits);
}
