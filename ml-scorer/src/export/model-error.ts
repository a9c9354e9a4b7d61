/**
 * Why a model cannot be used, shared by the ONNX importer (onnx-import.ts, in process) and the
 * onnxruntime loader (serve/onnx-session.ts): the stable error codes, the error that carries one,
 * and the checks of what a model says about itself (feature schema and signature) that both run
 * before building anything from the bytes.
 */
import type { OnnxModelInfo } from './onnx-inspect.ts';
import { DataType, INPUT_NAME, META, OUTPUT_NAME } from './onnx-schema.ts';

export type ModelErrorCode =
  /** The model file could not be read. */
  | 'MODEL_E_IO'
  /** The bytes are not a model onnxruntime can run (truncated, garbage, bad graph). */
  | 'MODEL_E_CORRUPT'
  /** The model was trained on another feature schema (or does not say which). */
  | 'MODEL_E_FEATURE_VERSION'
  /** The model's inputs or outputs are not X float [N, F] → Y float [N, 1]. */
  | 'MODEL_E_SIGNATURE'
  /** onnxruntime failed while scoring. */
  | 'MODEL_E_RUN';

/** A model that cannot be used; `code` says why, and the message starts with it. */
export class ModelError extends Error {
  override readonly name: string = 'ModelError';
  readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

/** The error class a check throws (ModelError or a subclass). */
export type ModelErrorClass = new (code: ModelErrorCode, message: string) => ModelError;

/**
 * Checks the feature schema and the signature a model states (metadata_props, inputs and
 * outputs as written in the file) against what the caller computes and feeds; throws `ErrorClass`.
 */
export function checkModelInfo(
  info: OnnxModelInfo,
  featureSchemaVersion: number,
  nFeatures: number,
  ErrorClass: ModelErrorClass = ModelError,
): void {
  checkFeatureVersion(info, featureSchemaVersion, ErrorClass);
  checkSignature(info, nFeatures, ErrorClass);
}

function checkFeatureVersion(
  info: OnnxModelInfo,
  expected: number,
  ErrorClass: ModelErrorClass,
): void {
  const stated = info.metadata[META.featureSchemaVersion];
  if (stated === undefined) {
    throw new ErrorClass(
      'MODEL_E_FEATURE_VERSION',
      `the model has no ${META.featureSchemaVersion}`,
    );
  }
  if (stated !== String(expected)) {
    throw new ErrorClass(
      'MODEL_E_FEATURE_VERSION',
      `the model was trained on feature schema ${stated}, this build computes ${expected}`,
    );
  }
}

function checkSignature(info: OnnxModelInfo, nFeatures: number, ErrorClass: ModelErrorClass): void {
  const [x, ...moreInputs] = info.inputs;
  const [y, ...moreOutputs] = info.outputs;
  const fail = (what: string): never => {
    throw new ErrorClass('MODEL_E_SIGNATURE', what);
  };
  if (x === undefined || moreInputs.length > 0 || x.name !== INPUT_NAME) {
    fail(`expected one input ${INPUT_NAME}, found ${info.inputs.map((i) => i.name).join(', ')}`);
  }
  if (y === undefined || moreOutputs.length > 0 || y.name !== OUTPUT_NAME) {
    fail(`expected one output ${OUTPUT_NAME}, found ${info.outputs.map((o) => o.name).join(', ')}`);
  }
  if (x!.elemType !== DataType.FLOAT || x!.dims.length !== 2 || x!.dims[1] !== nFeatures) {
    fail(`input ${INPUT_NAME} is not float [N, ${nFeatures}]: [${x!.dims.join(', ')}]`);
  }
  if (y!.elemType !== DataType.FLOAT || y!.dims.length !== 2 || y!.dims[1] !== 1) {
    fail(`output ${OUTPUT_NAME} is not float [N, 1]: [${y!.dims.join(', ')}]`);
  }
  const stated = info.metadata[META.nFeatures];
  if (stated !== undefined && stated !== String(nFeatures)) {
    fail(`the model's metadata says ${stated} features, the input has ${nFeatures}`);
  }
}
