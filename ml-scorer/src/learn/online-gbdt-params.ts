import type { GbdtParams } from '../train/params.ts';

/**
 * GBDT size for online retraining, smaller than the offline default (32 × 32): the simulator
 * trains synchronously, many times per trace, and every eviction scores a few rows. 8 trees at
 * learning rate 0.3 ranked held-out rows as well as 16–32 trees at 0.1 on the tuning traces
 * (with 8 trees at 0.1 the boosting stops at 57% of the way from the mean and compresses the
 * predictions); bin edges come from a 16Ki-row sample of the 32Ki-row window.
 */
export const ONLINE_GBDT_PARAMS: Readonly<Partial<GbdtParams>> = Object.freeze({
  trees: 8,
  maxLeaves: 32,
  minRowsPerLeaf: 20,
  learningRate: 0.3,
  binSampleRows: 16_384,
});
