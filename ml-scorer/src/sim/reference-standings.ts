/**
 * How each algorithm of libCacheSim's reference run stands against the bar: on how many
 * cells its miss ratio is below both LRU's and LFU's, and the mean share of the LRU-to-Belady gap
 * it closes. Our learned policies are held to that bar (≥ 90% of the cells, and a mean gap at
 * least S3-FIFO's and W-TinyLFU's), so the same figures for libCacheSim's learned policies, LRB
 * and GL-Cache, say whether their designs would meet it on these traces.
 */
import { gapClosed } from './gap.ts';
import type { ReferenceRow } from './reference-results.ts';

export interface ReferenceStanding {
  readonly algo: string;
  /** Cells with a row for this algorithm and for LRU, LFU and Belady. */
  readonly cells: number;
  /** Of those, the cells where its miss ratio is below both LRU's and LFU's. */
  readonly beatsLruAndLfu: number;
  /** Mean of (LRU − X) / (LRU − Belady) over the cells where Belady beats LRU. */
  readonly meanGapClosed: number;
}

/**
 * The standings of every algorithm in `rows`, the most cells won first. Belady is libCacheSim's
 * `Belady` for object cells and `BeladySize` for byte cells (as in ml-report.ts); the Belady
 * rows themselves are left out.
 */
export function referenceStandings(rows: readonly ReferenceRow[]): ReferenceStanding[] {
  const byCell = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const cell = `${row.trace}\0${row.mode}\0${row.sizeFraction}`;
    let algos = byCell.get(cell);
    if (algos === undefined) byCell.set(cell, (algos = new Map<string, number>()));
    algos.set(row.algo, row.missRatio);
  }
  const totals = new Map<string, { cells: number; wins: number; gaps: number[] }>();
  for (const [cell, algos] of byCell) {
    const lru = algos.get('LRU');
    const lfu = algos.get('LFU');
    const belady = algos.get(cell.split('\0')[1] === 'byte' ? 'BeladySize' : 'Belady');
    if (lru === undefined || lfu === undefined || belady === undefined) continue;
    for (const [algo, miss] of algos) {
      if (algo === 'Belady' || algo === 'BeladySize') continue;
      let total = totals.get(algo);
      if (total === undefined) totals.set(algo, (total = { cells: 0, wins: 0, gaps: [] }));
      total.cells++;
      if (miss < lru && miss < lfu) total.wins++;
      const gap = gapClosed(lru, miss, belady);
      if (gap !== undefined) total.gaps.push(gap);
    }
  }
  return [...totals]
    .map(([algo, t]) => ({
      algo,
      cells: t.cells,
      beatsLruAndLfu: t.wins,
      meanGapClosed: t.gaps.length === 0 ? 0 : t.gaps.reduce((a, b) => a + b, 0) / t.gaps.length,
    }))
    .sort((a, b) => b.beatsLruAndLfu - a.beatsLruAndLfu || b.meanGapClosed - a.meanGapClosed);
}
