import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../node/src/util/random.ts';
import { binOf, binRows, computeBinEdges, edgesOfSorted } from './binning.ts';

const sorted = (values: number[]): Float32Array => Float32Array.from(values).sort();

describe('binning', () => {
  it('gives each value its own bin when there are few distinct values', () => {
    expect(Array.from(edgesOfSorted(sorted([3, 1, 2, 2, 1, 3, 3]), 255))).toEqual([1, 2]);
    expect(Array.from(edgesOfSorted(sorted([7, 7, 7]), 255))).toEqual([]);
  });

  it('never makes more than maxBins bins, and keeps them about equally full', () => {
    const values = sorted(Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007));
    const edges = edgesOfSorted(values, 16);
    expect(edges.length).toBe(15);
    const counts = new Array<number>(16).fill(0);
    for (const v of values) counts[binOf(edges, v)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(500);
    for (const c of counts) expect(c).toBeLessThan(800);
  });

  it('isolates a heavy value (a sentinel) without coarsening the others', () => {
    const values = Array.from({ length: 9000 }, (_, i) => i);
    for (let i = 0; i < 1000; i++) values.push(1e9);
    const edges = edgesOfSorted(sorted(values), 10);
    expect(edges.length).toBe(9);
    expect(edges[8]).toBe(8999); // the sentinel is alone in the last bin
    expect(binOf(edges, 1e9)).toBe(9);
    expect(binOf(edges, 8999)).toBe(8);
  });

  it('puts a value equal to an edge in that edge bin, and NaN in the last', () => {
    const edges = Float32Array.of(1, 2.5, 4);
    expect([0.5, 1, 1.5, 2.5, 3, 4, 5, NaN].map((x) => binOf(edges, x))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3,
    ]);
  });

  it('bins rows column-major, consistently with the edges', () => {
    const rows = Float32Array.of(1, 10, 2, 20, 3, 30, 4, 40);
    const edges = computeBinEdges(rows, 4, 2, 255, 1000, createRandom(1));
    expect(edges.map((e) => Array.from(e))).toEqual([
      [1, 2, 3],
      [10, 20, 30],
    ]);
    expect(Array.from(binRows(rows, 4, 2, edges))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('computes edges on a seeded sample when the data are large', () => {
    const rows = Float32Array.from({ length: 50_000 }, (_, i) => i % 977);
    const a = computeBinEdges(rows, 50_000, 1, 32, 4096, createRandom(9));
    const b = computeBinEdges(rows, 50_000, 1, 32, 4096, createRandom(9));
    expect(Array.from(a[0]!)).toEqual(Array.from(b[0]!));
    expect(a[0]!.length).toBeLessThanOrEqual(31);
    expect(a[0]!.length).toBeGreaterThan(25);
  });

  // Values that stress the float order: both zeros, negatives, infinities, NaN, ties, tiny and
  // huge magnitudes, and the MISSING sentinel.
  const awkward = fc.oneof(
    fc.constantFrom(0, -0, 1e9, -1, Infinity, -Infinity, NaN, 1.5, 2 ** -140),
    fc.float({ noNaN: false }),
    fc.integer({ min: -5, max: 300 }),
  );

  it('sorts the edge sample as Float32Array#sort does (the radix sort is exact)', () => {
    fc.assert(
      fc.property(
        fc.array(awkward, { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 2, max: 256 }),
        (values, maxBins) => {
          const rows = Float32Array.from(values);
          const [edges] = computeBinEdges(
            rows,
            rows.length,
            1,
            maxBins,
            rows.length,
            createRandom(1),
          );
          const expected = edgesOfSorted(Float32Array.from(values).sort(), maxBins);
          expect(Array.from(edges!).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
            Array.from(expected).map((v) => (Object.is(v, -0) ? '-0' : v)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bins every row as binOf does (the prefix table is exact)', () => {
    fc.assert(
      fc.property(
        fc.array(awkward, { minLength: 1, maxLength: 2000 }),
        fc.array(awkward, { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 2, max: 256 }),
        (sample, data, maxBins) => {
          // Edges from one set of values, rows from those and others, with values equal to edges.
          const edges = [edgesOfSorted(Float32Array.from(sample).sort(), maxBins)];
          const rows = Float32Array.from([...data, ...edges[0]!, ...sample.slice(0, 50)]);
          const bins = binRows(rows, rows.length, 1, edges);
          expect(Array.from(bins)).toEqual(Array.from(rows, (x) => binOf(edges[0]!, x)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('bins many rows of many features as binOf does, on a seeded sample', () => {
    const random = createRandom(5);
    const nRows = 20_000;
    const nFeatures = 4;
    const rows = new Float32Array(nRows * nFeatures);
    for (let r = 0; r < nRows; r++) {
      rows[r * nFeatures] = random.int(1_000_000); // wide range, many edges per octave
      rows[r * nFeatures + 1] = random.next() < 0.3 ? 1e9 : random.next(); // a heavy sentinel
      rows[r * nFeatures + 2] = random.int(4); // few distinct values
      rows[r * nFeatures + 3] = (random.next() - 0.5) * 1e-3; // both signs, tiny
    }
    const edges = computeBinEdges(rows, nRows, nFeatures, 255, 8192, createRandom(2));
    const bins = binRows(rows, nRows, nFeatures, edges);
    for (let f = 0; f < nFeatures; f++) {
      for (let r = 0; r < nRows; r++) {
        if (bins[f * nRows + r] !== binOf(edges[f]!, rows[r * nFeatures + f]!)) {
          throw new Error(`feature ${f} row ${r}: ${bins[f * nRows + r]}`);
        }
      }
    }
  });

  it('treats a NaN with the sign bit set like any NaN: sorted last, binned last', () => {
    const rows = Float32Array.of(3, 1, 0, 2, 0);
    const bits = new Uint32Array(rows.buffer);
    bits[2] = 0xffc00000; // a negative quiet NaN
    bits[4] = 0x7fc00001; // a positive NaN with a payload
    const edges = computeBinEdges(rows, 5, 1, 255, 5, createRandom(1));
    expect(Array.from(edges[0]!)).toEqual([1, 2]);
    expect(Array.from(binRows(rows, 5, 1, edges))).toEqual([2, 0, 2, 1, 2]);
  });
});
