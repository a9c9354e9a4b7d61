/**
 * The parts of onnx.proto3 (onnx/onnx) that a tree-ensemble model uses: field numbers and enum
 * values, as in research note §5.4, plus the metadata keys mlcache puts in every model.
 */

export const ModelProto = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const;

export const OperatorSetIdProto = { domain: 1, version: 2 } as const;
export const StringStringEntryProto = { key: 1, value: 2 } as const;
export const GraphProto = { node: 1, name: 2, docString: 10, input: 11, output: 12 } as const;
export const NodeProto = {
  input: 1,
  output: 2,
  name: 3,
  opType: 4,
  attribute: 5,
  docString: 6,
  domain: 7,
} as const;
export const AttributeProto = {
  name: 1,
  f: 2,
  i: 3,
  s: 4,
  floats: 7,
  ints: 8,
  strings: 9,
  type: 20,
} as const;
/** AttributeProto.AttributeType. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;
export const ValueInfoProto = { name: 1, type: 2 } as const;
export const TypeProto = { tensorType: 1 } as const;
export const TypeProtoTensor = { elemType: 1, shape: 2 } as const;
export const TensorShapeProto = { dim: 1 } as const;
export const Dimension = { dimValue: 1, dimParam: 2 } as const;
/** TensorProto.DataType. */
export const DataType = { FLOAT: 1 } as const;

/** IR version 8 (2021-07-30): old enough for any onnxruntime since 1.10, new enough for ml 3. */
export const IR_VERSION = 8;
export const ML_DOMAIN = 'ai.onnx.ml';
/** TreeEnsembleRegressor at ml-opset 3 (deprecated at 5, but run by every onnxruntime). */
export const ML_OPSET = 3;

/** Names of the graph's input and output. */
export const INPUT_NAME = 'X';
export const OUTPUT_NAME = 'Y';

/** Keys of the model's metadata_props. */
export const META = {
  featureSchemaVersion: 'feature_schema_version',
  featureNames: 'feature_names',
  nFeatures: 'n_features',
  trainingRows: 'training_rows',
  trainedAt: 'trained_at',
  trainerParams: 'trainer_params',
  modelId: 'model_id',
} as const;
