/**
 * The scorer's training data: the newest labelled rows from every node, in one sliding window,
 * with every `validationEvery`-th row held out in a smaller window that the gate judges models
 * on (the trainer never sees those rows). Pure; the same RowWindow rings as a node's own
 * OnlineLabeler, so a model trained here sees data shaped exactly as one trained in a node.
 *
 * One window serves every base kind: a row's features and label mean the same whatever base
 * policy the node runs. The kinds seen are remembered so that the gate can make a new model beat
 * the order of every base a node uses (see scorer-training.ts).
 */
import type { MlBase } from '../../../node/src/policy/ml-hybrid-params.ts';
import { RowWindow } from '../../../node/src/policy/online-labeler.ts';

export interface SampleWindowOptions {
  readonly nFeatures: number;
  /** Newest rows kept for training. */
  readonly windowRows: number;
  /** Newest held-out rows kept for validation. */
  readonly validationRows: number;
  /** Every n-th row received is held out (0: none). */
  readonly validationEvery: number;
}

export class SampleWindow {
  readonly training: RowWindow;
  readonly validation: RowWindow;
  readonly nFeatures: number;
  readonly #validationEvery: number;
  readonly #bases = new Set<MlBase>();
  #received = 0;

  constructor(options: SampleWindowOptions) {
    this.nFeatures = options.nFeatures;
    this.training = new RowWindow(options.windowRows, options.nFeatures);
    this.validation = new RowWindow(options.validationRows, options.nFeatures);
    this.#validationEvery = Math.max(0, Math.floor(options.validationEvery));
  }

  /** Rows received since the start (training and held out). */
  get received(): number {
    return this.#received;
  }

  /** The base kinds that submitted rows, in the order first seen. */
  get bases(): readonly MlBase[] {
    return [...this.#bases];
  }

  /** Adds `n` rows (row-major) and their labels, from a node whose base policy is `base`. */
  add(rows: Float32Array, labels: Float32Array, n: number, base: MlBase): void {
    const f = this.nFeatures;
    if (n * f > rows.length || n > labels.length) {
      throw new RangeError(`${n} rows do not fit the given buffers`);
    }
    this.#bases.add(base);
    const every = this.#validationEvery;
    for (let i = 0; i < n; i++) {
      const heldOut = every > 0 && this.#received % every === every - 1;
      (heldOut ? this.validation : this.training).push(rows, i * f, labels[i]!);
      this.#received++;
    }
  }

  /** A copy of the held-out rows that later submissions cannot change (the gate awaits). */
  validationSnapshot(): RowWindow {
    const { rows, labels } = this.validation.snapshot();
    const copy = new RowWindow(labels.length, this.nFeatures);
    for (let i = 0; i < labels.length; i++) copy.push(rows, i * this.nFeatures, labels[i]!);
    return copy;
  }
}
