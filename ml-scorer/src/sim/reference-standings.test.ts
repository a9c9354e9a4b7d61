import { describe, expect, it } from 'vitest';
import type { ReferenceRow } from './reference-results.ts';
import { referenceStandings } from './reference-standings.ts';

function row(trace: string, mode: 'obj' | 'byte', algo: string, missRatio: number): ReferenceRow {
  return { trace, mode, sizeFraction: 0.01, algo, label: algo, missRatio, byteMissRatio: 0 };
}

describe('referenceStandings', () => {
  it('counts the cells below both LRU and LFU and averages the gap closed', () => {
    const rows = [
      row('a', 'obj', 'LRU', 0.5),
      row('a', 'obj', 'LFU', 0.6),
      row('a', 'obj', 'Belady', 0.3),
      row('a', 'obj', 'GLCache', 0.4), // below both: gap (0.5 − 0.4) / 0.2 = 0.5
      row('a', 'obj', 'S3FIFO', 0.55), // below LFU only: gap −0.25
      row('a', 'byte', 'LRU', 0.8),
      row('a', 'byte', 'LFU', 0.7),
      row('a', 'byte', 'Belady', 0.1), // not the byte cell's optimum: ignored
      row('a', 'byte', 'BeladySize', 0.6),
      row('a', 'byte', 'GLCache', 0.75), // below LRU only: gap 0.25
      row('a', 'byte', 'S3FIFO', 0.65), // below both: gap 0.75
      row('b', 'obj', 'LRU', 0.5), // no LFU or Belady row: not a cell
      row('b', 'obj', 'GLCache', 0.1),
    ];
    const standings = referenceStandings(rows);
    const of = (algo: string) => standings.find((s) => s.algo === algo)!;
    expect(of('GLCache')).toMatchObject({ cells: 2, beatsLruAndLfu: 1 });
    expect(of('GLCache').meanGapClosed).toBeCloseTo(0.375);
    expect(of('S3FIFO')).toMatchObject({ cells: 2, beatsLruAndLfu: 1 });
    expect(of('S3FIFO').meanGapClosed).toBeCloseTo(0.25);
    expect(of('LRU')).toMatchObject({ beatsLruAndLfu: 0, meanGapClosed: 0 });
    expect(standings.map((s) => s.algo)).not.toContain('Belady');
    expect(standings.map((s) => s.algo)).not.toContain('BeladySize');
    // The most cells won first; ties by the larger mean gap (GLCache 0.375 before S3FIFO 0.25).
    expect(standings.slice(0, 2).map((s) => s.algo)).toEqual(['GLCache', 'S3FIFO']);
  });
});
