import { FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';

/** Hyper-parameters of the histogram GBDT (research note §4.4; defaults follow LRB/3L-Cache). */
export interface GbdtParams {
  /** Boosting rounds. */
  readonly trees: number;
  /** Leaves per tree; trees grow leaf-wise (best gain first) up to this. */
  readonly maxLeaves: number;
  /** A split is allowed only if both sides keep at least this many (sampled) rows. */
  readonly minRowsPerLeaf: number;
  /** L2 regularisation of leaf values. */
  readonly lambda: number;
  /** Shrinkage applied to every leaf value. */
  readonly learningRate: number;
  /** Quantile bins per feature, at most 256 (bins are stored as bytes). */
  readonly maxBins: number;
  /** Rows sampled to compute the bin edges (64Ki leaves ≥ 256 sampled rows per bin). */
  readonly binSampleRows: number;
  /** Fraction of rows each tree is grown on (Bernoulli per row). 1 uses every row. */
  readonly rowSubsample: number;
  /** Fraction of features each tree may split on. 1 uses every feature. */
  readonly featureSubsample: number;
  /** Seed of every random choice; the same seed and data give the same model, bit for bit. */
  readonly seed: number;
  /** Stamped into the model; the scorer refuses a model whose version is not its own. */
  readonly featureSchemaVersion: number;
}

export const DEFAULT_GBDT_PARAMS: Readonly<GbdtParams> = Object.freeze({
  trees: 32,
  maxLeaves: 32,
  minRowsPerLeaf: 50,
  lambda: 1,
  learningRate: 0.1,
  maxBins: 255,
  binSampleRows: 65_536,
  rowSubsample: 0.8,
  featureSubsample: 0.8,
  seed: 1,
  featureSchemaVersion: FEATURE_SCHEMA_VERSION,
});

/** Fills in defaults and rejects values that cannot train (RangeError naming the parameter). */
export function resolveParams(overrides: Partial<GbdtParams> = {}): GbdtParams {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...overrides };
  const check = (name: keyof GbdtParams, ok: boolean): void => {
    if (!ok) throw new RangeError(`invalid GBDT parameter ${name}: ${String(p[name])}`);
  };
  check('trees', Number.isInteger(p.trees) && p.trees >= 0);
  check('maxLeaves', Number.isInteger(p.maxLeaves) && p.maxLeaves >= 1);
  check('minRowsPerLeaf', Number.isInteger(p.minRowsPerLeaf) && p.minRowsPerLeaf >= 1);
  check('lambda', Number.isFinite(p.lambda) && p.lambda >= 0);
  check('learningRate', Number.isFinite(p.learningRate) && p.learningRate > 0);
  check('maxBins', Number.isInteger(p.maxBins) && p.maxBins >= 2 && p.maxBins <= 256);
  check('binSampleRows', Number.isInteger(p.binSampleRows) && p.binSampleRows >= 1);
  check('rowSubsample', p.rowSubsample > 0 && p.rowSubsample <= 1);
  check('featureSubsample', p.featureSubsample > 0 && p.featureSubsample <= 1);
  check('seed', Number.isInteger(p.seed));
  check('featureSchemaVersion', Number.isInteger(p.featureSchemaVersion));
  return p;
}
