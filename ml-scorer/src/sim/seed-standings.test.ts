import { describe, expect, it } from 'vitest';
import type { EvalRow } from './seed-standings.ts';
import { seedStandings } from './seed-standings.ts';

const row = (trace: string, policy: string, missRatio: number): EvalRow => ({
  trace,
  mode: 'object',
  fraction: 0.1,
  policy,
  missRatio,
});

/** Two cells: in `a` the plain policies' best is S3-FIFO's 0.5, in `b` W-TinyLFU's 0.3. */
const reference: EvalRow[] = [
  ...[
    ['lru', 0.8],
    ['lfu', 0.7],
    ['s3fifo', 0.5],
    ['wtinylfu', 0.6],
    ['belady', 0.4],
  ].map(([p, m]) => row('a', p as string, m as number)),
  ...[
    ['lru', 0.5],
    ['lfu', 0.4],
    ['s3fifo', 0.35],
    ['wtinylfu', 0.3],
    ['belady', 0.5],
  ].map(([p, m]) => row('b', p as string, m as number)),
];

describe('seedStandings', () => {
  it('counts each run of each learned policy against the plain policies of its cell', () => {
    const seed1 = [row('a', 'ml-x', 0.45), row('b', 'ml-x', 0.3), row('a', 'ml-y', 0.6)];
    const seed2 = [row('a', 'ml-x', 0.75), row('b', 'ml-x', 0.45), row('b', 'ml-y', 0.2)];
    const { policies, learnedLowest } = seedStandings(reference, [seed1, seed2]);
    const x = policies.find((p) => p.policy === 'ml-x')!;
    expect(x).toMatchObject({ runs: 4, beatsBoth: 2, bestOnline: 1, bestOnlineWithTies: 2 });
    // Gaps: a 0.875 and 0.125; b has none (Belady no better than LRU), so 0 twice.
    expect(x.meanGap).toBeCloseTo((0.875 + 0.125) / 4, 12);
    expect(x.summedMissRatio).toBeCloseTo(0.45 + 0.3 + 0.75 + 0.45, 12);
    const y = policies.find((p) => p.policy === 'ml-y')!;
    expect(y).toMatchObject({ runs: 2, beatsBoth: 2, bestOnline: 1, bestOnlineWithTies: 1 });
    // Seed 1: ml-x lowest in a; seed 2: ml-y lowest in b.
    expect(learnedLowest).toEqual([1, 1]);
  });

  it('leaves out the reference policies and cells it has no reference for', () => {
    const run = [row('a', 'lru', 0.1), row('c', 'ml-x', 0.1)];
    expect(seedStandings(reference, [run])).toEqual({ policies: [], learnedLowest: [0] });
  });
});
