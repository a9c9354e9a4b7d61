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

/** What a remote scorer answered for one batch. */
export interface RemoteScores {
  /** One score per row (same meaning as `Scorer.predict`); empty when `modelVersion` is 0. */
  readonly scores: Float64Array;
  /** The scorer's model version; 0 means it has no model yet (the policy uses its base). */
  readonly modelVersion: number;
}

/**
 * A scorer in another process (`--scorer grpc://host:port`, node/proto/scorer.proto). Eviction
 * cannot wait for a network round trip, so the policy asks ahead: it keeps a pool of candidates
 * scored earlier, sends a batch whenever none is in flight and the pool runs low, and applies
 * its own deadline; a late, failed or garbage answer counts towards the circuit breaker and the
 * eviction at hand is the base policy's.
 */
export interface RemoteScorer {
  readonly featureSchemaVersion: number;
  readonly nFeatures: number;
  /** Scores `n` rows (row-major, `n * nFeatures` floats); rejects on any failure. */
  score(rows: Float32Array, n: number): Promise<RemoteScores>;
}

/**
 * Where labelled rows go when the model is trained elsewhere (the scorer service): the policy
 * hands over each training window instead of training; failures are counted, never retried
 * inline.
 */
export interface SampleSink {
  submit(job: TrainingJob): Promise<void>;
}
