/**
 * The two ports of the learned policy (ml-hybrid.ts). The policy layer may not import the
 * trainer (ml-scorer), so both are injected:
 *
 * - a `Scorer` evaluates the model on a batch of feature rows, synchronously: eviction cannot
 *   wait. `FlatEnsemble` (tree-model.ts) is one; a node may load one from an ONNX file.
 * - a `TrainerPort` turns labelled rows into a new model. The simulator binds a synchronous
 *   trainer, so that runs are reproducible; a node binds one that trains in a worker thread and
 *   returns a Promise, while the policy keeps serving with the model it has.
 */
import type { TreeEnsemble } from './tree-model.ts';

/** A model, ready to score rows of FEATURE_COUNT floats (features.ts). */
export interface Scorer {
  /** The FEATURE_SCHEMA_VERSION the model was trained on; another version is refused. */
  readonly featureSchemaVersion: number;
  /** Values per row the model expects. */
  readonly nFeatures: number;
  /**
   * Trees (or any unit of work) per row: the simulator's logical deadline charges
   * `rows × treeCount` per batch, so that budget checks are deterministic. @default 1
   */
  readonly treeCount?: number;
  /** Scores `n` rows (row-major from `rows[0]`) into `out[0 … n)`: predicted log1p(gap). */
  predict(rows: Float32Array, out: Float64Array, n: number): void;
}

/** What the policy hands its trainer: copies it may keep (or transfer to a worker). */
export interface TrainingJob {
  /** `labels.length` rows of `nFeatures` floats, row-major. */
  readonly rows: Float32Array;
  readonly labels: Float32Array;
  readonly nFeatures: number;
  /** Seed for the trainer's randomness, derived from the policy's seed and the job number. */
  readonly seed: number;
}

/** Trains a model; a value is installed at once, a Promise when it settles. */
export interface TrainerPort {
  train(job: TrainingJob): TreeEnsemble | Promise<TreeEnsemble>;
}
