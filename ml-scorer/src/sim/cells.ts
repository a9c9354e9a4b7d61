import type { SimResult } from './sim-result.ts';

/** One cell of a run: a policy at a cache size in one mode. Plain data (crosses to workers). */
export interface CellSpec {
  readonly policy: string;
  /** Objects with ignoreSize, else bytes. */
  readonly capacity: number;
  /** The fraction of the working set the capacity came from; null for absolute sizes. */
  readonly sizeFraction: number | null;
  readonly ignoreSize: boolean;
}

/** A cell with its result. */
export type CellResult = CellSpec & SimResult;
