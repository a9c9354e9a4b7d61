/**
 * The byte formats of node/proto/scorer.proto, checked and decoded without copies where the
 * bytes allow it: feature rows and labels are little-endian float32, scores little-endian
 * float64. Pure; a refusal is a value naming the reason the service maps to a gRPC status.
 *
 * Typed arrays use the host's byte order; every platform Node runs on here (x64, arm64) is
 * little-endian, so the wire order and the host order agree.
 */
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';

/** Rows one Score call may carry (a node sends 16–64). */
export const MAX_SCORE_ROWS = 4096;
/** Rows one SubmitSamples call may carry (the client sends at most 16Ki per call). */
export const MAX_SAMPLE_ROWS = 65_536;

/** Why a batch was refused: another feature schema, or bytes that do not add up. */
export type BatchRefusal = 'FEATURE_VERSION' | 'BAD_REQUEST';

export type Batch<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: BatchRefusal; readonly message: string };

/** The fields shared by ScoreRequest and SubmitSamplesRequest. */
export interface RowsMessage {
  readonly feature_schema_version: number;
  readonly n_features: number;
  readonly n: number;
  readonly rows: Uint8Array;
}

const refuse = (reason: BatchRefusal, message: string): Batch<never> => ({
  ok: false,
  reason,
  message,
});

/** Checks the schema and the sizes of a batch; the rows as `n * FEATURE_COUNT` floats. */
export function readRows(message: RowsMessage, maxRows: number): Batch<Float32Array> {
  const { feature_schema_version: version, n_features: width, n } = message;
  if (version !== FEATURE_SCHEMA_VERSION || width !== FEATURE_COUNT) {
    return refuse(
      'FEATURE_VERSION',
      `rows of feature schema ${version} with ${width} features; this scorer takes schema ` +
        `${FEATURE_SCHEMA_VERSION} with ${FEATURE_COUNT}`,
    );
  }
  if (n > maxRows) return refuse('BAD_REQUEST', `${n} rows, at most ${maxRows} per call`);
  const expected = n * width * 4;
  if (message.rows.byteLength !== expected) {
    return refuse(
      'BAD_REQUEST',
      `rows has ${message.rows.byteLength} bytes, expected n * n_features * 4 = ${expected}`,
    );
  }
  return { ok: true, value: float32View(message.rows) };
}

/** The `n` labels of a SubmitSamples request. */
export function readLabels(bytes: Uint8Array, n: number): Batch<Float32Array> {
  if (bytes.byteLength !== n * 4) {
    return refuse('BAD_REQUEST', `labels has ${bytes.byteLength} bytes, expected n * 4 = ${n * 4}`);
  }
  const labels = float32View(bytes);
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(labels[i])) return refuse('BAD_REQUEST', `label ${i} is not finite`);
  }
  return { ok: true, value: labels };
}

/** A float32 view of `bytes`: no copy when they are 4-byte aligned (protobuf does not promise it). */
export function float32View(bytes: Uint8Array): Float32Array {
  const count = bytes.byteLength >>> 2;
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  // A copy (Buffer.slice would be a view into the same pool).
  return new Float32Array(new Uint8Array(bytes.subarray(0, count * 4)).buffer);
}

/** Scores as the ScoreResponse's bytes: one float64 per value. */
export function scoresToBytes(scores: ArrayLike<number>): Buffer {
  return Buffer.from(Float64Array.from(scores).buffer);
}
