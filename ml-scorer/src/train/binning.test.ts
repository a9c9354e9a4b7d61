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
});
