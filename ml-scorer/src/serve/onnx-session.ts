/**
 * The onnxruntime adapter: loads an eviction model, refuses it unless it was built for this
 * build's features, and scores batches of feature rows.
 *
 * A model that cannot be used is an expected outcome (a truncated upload, a model trained by an
 * older build), so every refusal is a ModelError with a stable `code` that callers can count and
 * act on (keep the previous model, fall back to the plain policy); nothing here crashes on bad
 * bytes.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { OnnxModelInfo } from '../export/onnx-inspect.ts';
import { inspectOnnx } from '../export/onnx-inspect.ts';
import { checkModelInfo, ModelError } from '../export/model-error.ts';
import { INPUT_NAME, META, OUTPUT_NAME } from '../export/onnx-schema.ts';

export { ModelError } from '../export/model-error.ts';
export type { ModelErrorCode } from '../export/model-error.ts';

export interface OnnxScorerOptions {
  /** The feature schema the caller will feed. @default FEATURE_SCHEMA_VERSION */
  readonly featureSchemaVersion?: number;
  /** Values per row the caller will feed. @default FEATURE_COUNT */
  readonly nFeatures?: number;
}

/** A loaded, validated model. One instance per model; `close()` frees the native session. */
export class OnnxScorer {
  /** What the model says about itself (metadata_props, operators, signature). */
  readonly info: OnnxModelInfo;
  readonly nFeatures: number;
  readonly #session: ort.InferenceSession;

  private constructor(info: OnnxModelInfo, session: ort.InferenceSession, nFeatures: number) {
    this.info = info;
    this.#session = session;
    this.nFeatures = nFeatures;
  }

  /** The model's id from its metadata ('' if it has none). */
  get modelId(): string {
    return this.info.metadata[META.modelId] ?? '';
  }

  /**
   * Loads a model from a file path or from bytes and validates it; rejects with a ModelError.
   * Validation runs before onnxruntime sees the bytes (metadata and signature), after it builds
   * the session (its view of the signature), and with one scored row.
   */
  static async load(
    source: string | Uint8Array,
    options: OnnxScorerOptions = {},
  ): Promise<OnnxScorer> {
    const version = options.featureSchemaVersion ?? FEATURE_SCHEMA_VERSION;
    const nFeatures = options.nFeatures ?? FEATURE_COUNT;
    let bytes: Uint8Array;
    try {
      bytes = typeof source === 'string' ? await readFile(source) : source;
    } catch (error) {
      throw new ModelError('MODEL_E_IO', `cannot read ${String(source)}`, { cause: error });
    }
    let info: OnnxModelInfo;
    try {
      info = inspectOnnx(bytes);
    } catch (error) {
      throw new ModelError('MODEL_E_CORRUPT', `not a readable ONNX model`, { cause: error });
    }
    checkModelInfo(info, version, nFeatures);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        // The model is tiny and called with small batches: threads only add hand-off latency.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
    } catch (error) {
      throw new ModelError('MODEL_E_CORRUPT', `onnxruntime refused the model`, { cause: error });
    }
    const scorer = new OnnxScorer(info, session, nFeatures);
    try {
      checkSession(session, nFeatures);
      const y = await scorer.score(new Float32Array(nFeatures), 1);
      if (y.length !== 1 || !Number.isFinite(y[0])) {
        throw new ModelError('MODEL_E_CORRUPT', `a probe row scored ${String(y[0])}`);
      }
    } catch (error) {
      await session.release();
      if (error instanceof ModelError && error.code !== 'MODEL_E_RUN') throw error;
      throw new ModelError('MODEL_E_CORRUPT', 'the model failed a probe run', { cause: error });
    }
    return scorer;
  }

  /**
   * Scores `n` rows of `nFeatures` floats (row-major, from `rows[0]`); resolves to one
   * prediction per row (log1p of the expected requests until the next access).
   */
  async score(rows: Float32Array, n: number): Promise<Float32Array> {
    const f = this.nFeatures;
    if (!Number.isInteger(n) || n < 0 || n * f > rows.length) {
      throw new RangeError(`cannot score ${n} rows from ${rows.length} values`);
    }
    if (n === 0) return new Float32Array(0);
    let result: ort.InferenceSession.ReturnType;
    try {
      const x = new ort.Tensor('float32', rows.subarray(0, n * f), [n, f]);
      result = await this.#session.run({ [INPUT_NAME]: x });
    } catch (error) {
      throw new ModelError('MODEL_E_RUN', 'onnxruntime failed to score', { cause: error });
    }
    const y = result[OUTPUT_NAME];
    if (y === undefined || !(y.data instanceof Float32Array) || y.data.length !== n) {
      throw new ModelError('MODEL_E_RUN', `unexpected output for ${n} rows`);
    }
    return y.data;
  }

  /** Frees the native session; the scorer must not be used afterwards. */
  async close(): Promise<void> {
    await this.#session.release();
  }
}

/** The signature as onnxruntime understood it. */
function checkSession(session: ort.InferenceSession, nFeatures: number): void {
  const [x] = session.inputMetadata;
  const [y] = session.outputMetadata;
  const ok =
    session.inputNames.length === 1 &&
    session.outputNames.length === 1 &&
    x?.name === INPUT_NAME &&
    x.isTensor &&
    x.type === 'float32' &&
    x.shape[1] === nFeatures &&
    y?.name === OUTPUT_NAME &&
    y.isTensor &&
    y.type === 'float32';
  if (!ok) {
    throw new ModelError('MODEL_E_SIGNATURE', 'onnxruntime sees another input or output signature');
  }
}
