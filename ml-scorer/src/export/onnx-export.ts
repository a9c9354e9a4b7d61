/**
 * Writes a TreeEnsemble as an ONNX model: one ai.onnx.ml TreeEnsembleRegressor node (research
 * note §5.1), input X float [N, F], output Y float [N, 1], and the training metadata in
 * metadata_props so that a loader can refuse a model built for other features.
 */
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../node/src/policy/features.ts';
import type { TreeEnsemble } from '../train/tree-ensemble.ts';
import {
  AttributeProto,
  AttributeType,
  DataType,
  Dimension,
  GraphProto,
  INPUT_NAME,
  IR_VERSION,
  META,
  ML_DOMAIN,
  ML_OPSET,
  ModelProto,
  NodeProto,
  OUTPUT_NAME,
  OperatorSetIdProto,
  StringStringEntryProto,
  TensorShapeProto,
  TypeProto,
  TypeProtoTensor,
  ValueInfoProto,
} from './onnx-schema.ts';
import { ProtoWriter } from './protobuf-writer.ts';

/** What a model says about how it was made (stored as metadata_props). */
export interface ModelMetadata {
  /** A unique id for this model, e.g. a UUID; logged when the model is loaded or swapped. */
  readonly modelId: string;
  /** ISO-8601 time the training finished. */
  readonly trainedAt: string;
  /** Rows the model was trained on. */
  readonly trainingRows: number;
  /** The trainer's parameters, stored as JSON. */
  readonly trainerParams: Readonly<Record<string, unknown>>;
  /**
   * The name of each feature column. Defaults to FEATURE_NAMES when the model has
   * FEATURE_COUNT features, else f0, f1, …
   */
  readonly featureNames?: readonly string[];
}

/** The serialised ONNX ModelProto. */
export function exportOnnx(model: TreeEnsemble, metadata: ModelMetadata): Uint8Array {
  const names =
    metadata.featureNames ??
    (model.nFeatures === FEATURE_COUNT
      ? FEATURE_NAMES
      : Array.from({ length: model.nFeatures }, (_, i) => `f${i}`));
  if (names.length !== model.nFeatures) {
    throw new RangeError(`${names.length} feature names for ${model.nFeatures} features`);
  }
  const props: [string, string][] = [
    [META.featureSchemaVersion, String(model.featureSchemaVersion)],
    [META.nFeatures, String(model.nFeatures)],
    [META.featureNames, JSON.stringify(names)],
    [META.trainingRows, String(metadata.trainingRows)],
    [META.trainedAt, metadata.trainedAt],
    [META.trainerParams, JSON.stringify(metadata.trainerParams)],
    [META.modelId, metadata.modelId],
  ];
  const w = new ProtoWriter()
    .int(ModelProto.irVersion, IR_VERSION)
    .string(ModelProto.producerName, 'mlcache')
    .string(ModelProto.producerVersion, '1')
    .string(ModelProto.docString, 'mlcache eviction model: log1p(requests to next access)')
    .message(ModelProto.graph, (g) => writeGraph(g, model))
    .message(ModelProto.opsetImport, (o) =>
      o.string(OperatorSetIdProto.domain, ML_DOMAIN).int(OperatorSetIdProto.version, ML_OPSET),
    );
  for (const [key, value] of props) {
    w.message(ModelProto.metadataProps, (e) =>
      e.string(StringStringEntryProto.key, key).string(StringStringEntryProto.value, value),
    );
  }
  return w.finish();
}

function writeGraph(g: ProtoWriter, model: TreeEnsemble): void {
  g.message(GraphProto.node, (n) => writeNode(n, model))
    .string(GraphProto.name, 'mlcache_eviction_gbdt')
    .message(GraphProto.input, (v) => writeTensorInfo(v, INPUT_NAME, model.nFeatures))
    .message(GraphProto.output, (v) => writeTensorInfo(v, OUTPUT_NAME, 1));
}

/** A float tensor [N, width] with a symbolic batch dimension. */
function writeTensorInfo(v: ProtoWriter, name: string, width: number): void {
  v.string(ValueInfoProto.name, name).message(ValueInfoProto.type, (t) =>
    t.message(TypeProto.tensorType, (tt) =>
      tt
        .int(TypeProtoTensor.elemType, DataType.FLOAT)
        .message(TypeProtoTensor.shape, (s) =>
          s
            .message(TensorShapeProto.dim, (d) => d.string(Dimension.dimParam, 'N'))
            .message(TensorShapeProto.dim, (d) => d.int(Dimension.dimValue, width)),
        ),
    ),
  );
}

function writeNode(n: ProtoWriter, model: TreeEnsemble): void {
  const nodes = flattenNodes(model);
  n.string(NodeProto.input, INPUT_NAME)
    .string(NodeProto.output, OUTPUT_NAME)
    .string(NodeProto.name, 'trees')
    .string(NodeProto.opType, 'TreeEnsembleRegressor')
    .string(NodeProto.domain, ML_DOMAIN);
  const ints = (name: string, values: ArrayLike<number>): void => {
    n.message(NodeProto.attribute, (a) =>
      a
        .string(AttributeProto.name, name)
        .int(AttributeProto.type, AttributeType.INTS)
        .packedInts(AttributeProto.ints, values),
    );
  };
  const floats = (name: string, values: ArrayLike<number>): void => {
    n.message(NodeProto.attribute, (a) =>
      a
        .string(AttributeProto.name, name)
        .int(AttributeProto.type, AttributeType.FLOATS)
        .packedFloats(AttributeProto.floats, values),
    );
  };
  const text = (name: string, value: string): void => {
    n.message(NodeProto.attribute, (a) =>
      a
        .string(AttributeProto.name, name)
        .int(AttributeProto.type, AttributeType.STRING)
        .string(AttributeProto.s, value),
    );
  };
  ints('nodes_treeids', nodes.treeIds);
  ints('nodes_nodeids', nodes.nodeIds);
  ints('nodes_featureids', nodes.featureIds);
  floats('nodes_values', nodes.values);
  n.message(NodeProto.attribute, (a) => {
    a.string(AttributeProto.name, 'nodes_modes').int(AttributeProto.type, AttributeType.STRINGS);
    for (const m of nodes.modes) a.string(AttributeProto.strings, m);
  });
  ints('nodes_truenodeids', nodes.trueIds);
  ints('nodes_falsenodeids', nodes.falseIds);
  ints('target_treeids', nodes.targetTreeIds);
  ints('target_nodeids', nodes.targetNodeIds);
  ints('target_ids', new Int32Array(nodes.targetNodeIds.length));
  floats('target_weights', nodes.targetWeights);
  floats('base_values', [model.baseScore]);
  n.message(NodeProto.attribute, (a) =>
    a
      .string(AttributeProto.name, 'n_targets')
      .int(AttributeProto.type, AttributeType.INT)
      .int(AttributeProto.i, 1),
  );
  text('aggregate_function', 'SUM');
  text('post_transform', 'NONE');
}

/** The operator's parallel per-node lists, over every tree. */
function flattenNodes(model: TreeEnsemble) {
  // An ensemble without trees still needs a node: one leaf worth 0, so Y = baseScore.
  const trees =
    model.trees.length > 0
      ? model.trees
      : [
          {
            feature: Int32Array.of(-1),
            threshold: Float32Array.of(0),
            left: Int32Array.of(-1),
            right: Int32Array.of(-1),
            value: Float32Array.of(0),
          },
        ];
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetWeights: number[] = [];
  trees.forEach((t, k) => {
    for (let i = 0; i < t.feature.length; i++) {
      const leaf = t.feature[i]! < 0;
      treeIds.push(k);
      nodeIds.push(i);
      featureIds.push(leaf ? 0 : t.feature[i]!);
      values.push(leaf ? 0 : t.threshold[i]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      trueIds.push(leaf ? 0 : t.left[i]!);
      falseIds.push(leaf ? 0 : t.right[i]!);
      if (leaf) {
        targetTreeIds.push(k);
        targetNodeIds.push(i);
        targetWeights.push(t.value[i]!);
      }
    }
  });
  return {
    treeIds,
    nodeIds,
    featureIds,
    values,
    modes,
    trueIds,
    falseIds,
    targetTreeIds,
    targetNodeIds,
    targetWeights,
  };
}
