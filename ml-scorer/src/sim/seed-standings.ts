import { gapClosed } from './gap.ts';

/** One cell's result for one policy, as `ml-eval.ts` writes it (the fields used here). */
export interface EvalRow {
  readonly trace: string;
  readonly mode: string;
  readonly fraction: number;
  readonly policy: string;
  readonly missRatio: number;
}

/** How a learned policy stands over several runs (one per seed) against the reference rows. */
export interface PolicyStanding {
  readonly policy: string;
  /** Policy-cells: one per cell per run. */
  readonly runs: number;
  /** Runs with a lower miss ratio than both LRU and LFU. */
  readonly beatsBoth: number;
  /** Runs with a lower miss ratio than every plain online policy; and counting exact ties too. */
  readonly bestOnline: number;
  readonly bestOnlineWithTies: number;
  /** Mean share of the LRU-to-Belady gap closed (0 where there is no gap), over all its runs. */
  readonly meanGap: number;
  /** Sum of the miss ratios of all its runs. */
  readonly summedMissRatio: number;
}

export interface SeedStandings {
  readonly policies: readonly PolicyStanding[];
  /** Per run: cells where one of the learned policies of the run beats every plain one. */
  readonly learnedLowest: readonly number[];
}

/** The plain online policies a learned one is measured against (docs/learned-eviction.md). */
export const PLAIN_ONLINE: readonly string[] = ['lru', 'lfu', 's3fifo', 'wtinylfu'];

const cellOf = (row: EvalRow): string => `${row.trace}|${row.mode}|${row.fraction}`;

/**
 * The multi-seed figures of the tuning rounds: `reference` holds the plain policies' and
 * Belady's rows (they do not depend on the seed), each of `runs` the learned policies' rows of
 * one seed. Learned rows whose cell has no complete reference are left out.
 */
export function seedStandings(
  reference: readonly EvalRow[],
  runs: readonly (readonly EvalRow[])[],
): SeedStandings {
  const byCell = new Map<string, Map<string, number>>();
  for (const row of reference) {
    if (!byCell.has(cellOf(row))) byCell.set(cellOf(row), new Map());
    byCell.get(cellOf(row))!.set(row.policy, row.missRatio);
  }
  /** The complete reference cells: LRU's, LFU's, the best plain policy's and Belady's ratios. */
  const cells = new Map<string, { lru: number; lfu: number; best: number; belady: number }>();
  for (const [cell, c] of byCell) {
    if (!c.has('belady') || !PLAIN_ONLINE.every((p) => c.has(p))) continue;
    const best = Math.min(...PLAIN_ONLINE.map((p) => c.get(p)!));
    cells.set(cell, { lru: c.get('lru')!, lfu: c.get('lfu')!, best, belady: c.get('belady')! });
  }
  const known = new Set([...PLAIN_ONLINE, 'belady']);
  const totals = new Map<string, { -readonly [K in keyof PolicyStanding]: PolicyStanding[K] }>();
  const learnedLowest: number[] = [];
  for (const run of runs) {
    const lowestByCell = new Map<string, number>();
    for (const row of run) {
      const c = cells.get(cellOf(row));
      if (known.has(row.policy) || c === undefined) continue;
      const t = totals.get(row.policy) ?? {
        policy: row.policy,
        runs: 0,
        beatsBoth: 0,
        bestOnline: 0,
        bestOnlineWithTies: 0,
        meanGap: 0,
        summedMissRatio: 0,
      };
      totals.set(row.policy, t);
      const m = row.missRatio;
      t.runs++;
      if (m < Math.min(c.lru, c.lfu)) t.beatsBoth++;
      if (m < c.best) t.bestOnline++;
      if (m <= c.best) t.bestOnlineWithTies++;
      t.meanGap += gapClosed(c.lru, m, c.belady) ?? 0;
      t.summedMissRatio += m;
      lowestByCell.set(cellOf(row), Math.min(lowestByCell.get(cellOf(row)) ?? Infinity, m));
    }
    let lowest = 0;
    for (const [cell, m] of lowestByCell) if (m < cells.get(cell)!.best) lowest++;
    learnedLowest.push(lowest);
  }
  const policies = [...totals.values()].map((t) => ({ ...t, meanGap: t.meanGap / t.runs }));
  return { policies, learnedLowest };
}
