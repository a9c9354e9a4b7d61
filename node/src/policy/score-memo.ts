/**
 * A scorer that remembers its last answer. Judging a new model scores the same held-out rows
 * with the same model more than once (its disagreement with the model trained before it, then
 * the gate against the current model, which is often that same model), and each pass is a few
 * thousand rows × every tree. The memo answers a repeated call from its copy instead.
 *
 * Valid only while the rows do not change: a memo is made for one verdict and then dropped
 * (online-training.ts makes them per trained model, within one synchronous call). A repeated
 * call gets exactly the doubles the first one got.
 */
import type { Scorer } from './scorer-port.ts';

export class ScoreMemo implements Scorer {
  readonly featureSchemaVersion: number;
  readonly nFeatures: number;
  readonly #inner: Scorer;
  #rows: Float32Array | null = null;
  #n = -1;
  #scores = new Float64Array(0);

  constructor(inner: Scorer) {
    this.#inner = inner;
    this.featureSchemaVersion = inner.featureSchemaVersion;
    this.nFeatures = inner.nFeatures;
  }

  predict(rows: Float32Array, out: Float64Array, n: number): void {
    if (rows === this.#rows && n === this.#n) {
      out.set(this.#scores.subarray(0, n));
      return;
    }
    this.#inner.predict(rows, out, n);
    if (this.#scores.length < n) this.#scores = new Float64Array(n);
    this.#scores.set(out.subarray(0, n));
    this.#rows = rows;
    this.#n = n;
  }
}
