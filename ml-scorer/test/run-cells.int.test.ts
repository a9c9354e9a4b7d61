import { describe, expect, it } from 'vitest';
import type { CellSpec } from '../src/sim/cells.ts';
import { runCells } from '../src/sim/run-cells.ts';
import type { SourceSpec } from '../src/sim/trace-source.ts';

describe('runCells', () => {
  it('gives the same results, in the same order, in worker threads as in this thread', async () => {
    const source: SourceSpec = {
      kind: 'workload',
      spec: 'loop:keys=300,loop=500,requests=20000,seed=4',
    };
    const cells: CellSpec[] = ['lru', 'belady', 'fifo', 'sieve', 'lru'].map((policy, i) => ({
      policy,
      capacity: 50 + 10 * i,
      sizeFraction: null,
      ignoreSize: true,
    }));
    const progress: number[] = [];
    const here = await runCells(source, cells, { jobs: 1 });
    const there = await runCells(source, cells, { jobs: 2, onProgress: (n) => progress.push(n) });
    const strip = (rows: typeof here) => rows.map(({ seconds: _, ...rest }) => rest);
    expect(strip(there)).toEqual(strip(here));
    expect(there.map((r) => [r.policy, r.capacity])).toEqual(
      cells.map((c) => [c.policy, c.capacity]),
    );
    expect(progress.at(-1)).toBe(20000);
  });

  it('passes a worker error on with its code', async () => {
    const source: SourceSpec = { kind: 'trace', path: '/nonexistent/trace.csv', format: 'csv' };
    const cells: CellSpec[] = ['lru', 'fifo'].map((policy) => ({
      policy,
      capacity: 5,
      sizeFraction: null,
      ignoreSize: true,
    }));
    await expect(runCells(source, cells, { jobs: 2 })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
