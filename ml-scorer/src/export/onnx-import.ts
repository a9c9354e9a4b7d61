/**
 * Reads a model written by onnx-export.ts back into the TreeEnsemble format, so that a node can
 * score it in process (FlatEnsemble) without onnxruntime. Only what the exporter writes is
 * accepted: one ai.onnx.ml TreeEnsembleRegressor with BRANCH_LEQ splits, one target, SUM and no
 * post-transform. Everything is checked before a tree is built (ids in range, every node reached
 * exactly once from its root, so no cycle can make scoring loop), and every refusal is a
 * ModelImportError whose `code` is one of model-error.ts's codes.
 */
import { readFile } from 'node:fs/promises';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { Tree, TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import { checkModelInfo, ModelError } from './model-error.ts';
import type { OnnxModelInfo } from './onnx-inspect.ts';
import { inspectOnnx } from './onnx-inspect.ts';
import {
  AttributeProto,
  GraphProto,
  META,
  ML_DOMAIN,
  ModelProto,
  NodeProto,
} from './onnx-schema.ts';
import type { ProtoField } from './protobuf-reader.ts';
import { fieldMessage, fieldText, readFields } from './protobuf-reader.ts';

/** A model that cannot be used, refused here (without onnxruntime); a ModelError. */
export class ModelImportError extends ModelError {
  override readonly name = 'ModelImportError';
}

export interface OnnxImportOptions {
  /** The feature schema the caller computes. @default FEATURE_SCHEMA_VERSION */
  readonly featureSchemaVersion?: number;
  /** Values per row the caller feeds. @default FEATURE_COUNT */
  readonly nFeatures?: number;
}

export interface ImportedModel {
  readonly model: TreeEnsemble;
  /** The metadata_props, signature and operators as written in the file. */
  readonly info: OnnxModelInfo;
  /** The model's id from its metadata ('' if none). */
  readonly modelId: string;
}

/** Most nodes a model may have (a few MB of typed arrays): a guard against absurd files. */
const MAX_NODES = 1 << 22;

/** Decodes ONNX bytes; throws ModelImportError. */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): ImportedModel {
  const version = options.featureSchemaVersion ?? FEATURE_SCHEMA_VERSION;
  const nFeatures = options.nFeatures ?? FEATURE_COUNT;
  let info: OnnxModelInfo;
  try {
    info = inspectOnnx(bytes);
  } catch (error) {
    throw new ModelImportError('MODEL_E_CORRUPT', 'not a readable ONNX model', { cause: error });
  }
  checkModelInfo(info, version, nFeatures, ModelImportError);
  const operators = info.operators.join(', ');
  if (operators !== `${ML_DOMAIN}:TreeEnsembleRegressor`) {
    corrupt(`expected one ${ML_DOMAIN} TreeEnsembleRegressor, found ${operators || 'no operator'}`);
  }
  let attributes: Map<string, ProtoField[]>;
  try {
    attributes = readAttributes(bytes);
  } catch (error) {
    if (error instanceof ModelImportError) throw error;
    throw new ModelImportError('MODEL_E_CORRUPT', 'unreadable operator attributes', {
      cause: error,
    });
  }
  const model = buildEnsemble(attributes, nFeatures, version);
  return { model, info, modelId: info.metadata[META.modelId] ?? '' };
}

/** Reads and decodes a model file; a read failure is MODEL_E_IO, naming the file. */
export async function readOnnxModel(
  path: string,
  options: OnnxImportOptions = {},
): Promise<ImportedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ModelImportError(
      'MODEL_E_IO',
      `cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`,
      { cause: error },
    );
  }
  return importOnnx(bytes, options);
}

function corrupt(message: string): never {
  throw new ModelImportError('MODEL_E_CORRUPT', message);
}

/** The operator node's attributes by name (inspectOnnx has checked there is exactly one node). */
function readAttributes(bytes: Uint8Array): Map<string, ProtoField[]> {
  const graph = readFields(bytes).find((f) => f.field === ModelProto.graph)!;
  const node = fieldMessage(graph).find((f) => f.field === GraphProto.node)!;
  const attributes = new Map<string, ProtoField[]>();
  for (const f of fieldMessage(node)) {
    if (f.field !== NodeProto.attribute) continue;
    const fields = fieldMessage(f);
    const name = fields.find((a) => a.field === AttributeProto.name);
    if (name === undefined) corrupt('an attribute without a name');
    attributes.set(fieldText(name), fields);
  }
  return attributes;
}

/** A repeated int attribute (packed or not); ids and counts must be small non-negative ints. */
function ints(attributes: Map<string, ProtoField[]>, name: string, required = true): number[] {
  const fields = attributes.get(name);
  if (fields === undefined) {
    if (required) corrupt(`the operator has no ${name}`);
    return [];
  }
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== AttributeProto.ints) continue;
    if (f.wire === 0) out.push(f.int);
    else if (f.wire === 2) readPackedVarints(f.bytes!, out);
    else corrupt(`${name} has wire type ${f.wire}`);
  }
  for (const v of out) {
    if (!(Number.isSafeInteger(v) && v >= 0 && v < 2 ** 31)) corrupt(`${name} holds ${v}`);
  }
  return out;
}

function readPackedVarints(bytes: Uint8Array, out: number[]): void {
  let at = 0;
  while (at < bytes.length) {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 10 || at >= bytes.length) corrupt('a truncated packed varint');
      const b = bytes[at++]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    out.push(value);
  }
}

/** A repeated float attribute (packed or not), as float32 values. */
function floats(attributes: Map<string, ProtoField[]>, name: string): Float32Array {
  const fields = attributes.get(name);
  if (fields === undefined) corrupt(`the operator has no ${name}`);
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    if (f.field !== AttributeProto.floats) continue;
    if ((f.wire !== 2 && f.wire !== 5) || f.bytes!.length % 4 !== 0) {
      corrupt(`${name} is not a list of floats`);
    }
    parts.push(f.bytes!);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float32Array(total / 4);
  let k = 0;
  for (const p of parts) {
    const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
    for (let i = 0; i < p.length; i += 4) out[k++] = view.getFloat32(i, true);
  }
  return out;
}

function strings(attributes: Map<string, ProtoField[]>, name: string): string[] {
  const fields = attributes.get(name);
  if (fields === undefined) corrupt(`the operator has no ${name}`);
  return fields.filter((f) => f.field === AttributeProto.strings).map(fieldText);
}

/** A single string attribute, or `fallback` when absent (ONNX defaults). */
function text(attributes: Map<string, ProtoField[]>, name: string, fallback: string): string {
  const s = attributes.get(name)?.find((f) => f.field === AttributeProto.s);
  return s === undefined ? fallback : fieldText(s);
}

function int(attributes: Map<string, ProtoField[]>, name: string, fallback: number): number {
  const i = attributes.get(name)?.find((f) => f.field === AttributeProto.i && f.wire === 0);
  return i === undefined ? fallback : i.int;
}

function buildEnsemble(
  attributes: Map<string, ProtoField[]>,
  nFeatures: number,
  featureSchemaVersion: number,
): TreeEnsemble {
  if (int(attributes, 'n_targets', 1) !== 1) corrupt('n_targets is not 1');
  if (text(attributes, 'aggregate_function', 'SUM') !== 'SUM') corrupt('aggregate is not SUM');
  if (text(attributes, 'post_transform', 'NONE') !== 'NONE') corrupt('post_transform is not NONE');
  if (ints(attributes, 'nodes_missing_value_tracks_true', false).some((v) => v !== 0)) {
    corrupt('missing values tracking the true branch are not supported');
  }
  const treeIds = ints(attributes, 'nodes_treeids');
  const nodeIds = ints(attributes, 'nodes_nodeids');
  const featureIds = ints(attributes, 'nodes_featureids');
  const values = floats(attributes, 'nodes_values');
  const modes = strings(attributes, 'nodes_modes');
  const trueIds = ints(attributes, 'nodes_truenodeids');
  const falseIds = ints(attributes, 'nodes_falsenodeids');
  const n = treeIds.length;
  if (n === 0 || n > MAX_NODES) corrupt(`${n} nodes`);
  for (const [name, length] of [
    ['nodes_nodeids', nodeIds.length],
    ['nodes_featureids', featureIds.length],
    ['nodes_values', values.length],
    ['nodes_modes', modes.length],
    ['nodes_truenodeids', trueIds.length],
    ['nodes_falsenodeids', falseIds.length],
  ] as const) {
    if (length !== n) corrupt(`${name} has ${length} entries for ${n} nodes`);
  }
  const targetTrees = ints(attributes, 'target_treeids');
  const targetNodes = ints(attributes, 'target_nodeids');
  const targetIds = ints(attributes, 'target_ids');
  const weights = floats(attributes, 'target_weights');
  const t = targetTrees.length;
  if (targetNodes.length !== t || targetIds.length !== t || weights.length !== t) {
    corrupt('the target lists differ in length');
  }
  if (targetIds.some((id) => id !== 0)) corrupt('a target other than 0');
  const base = floats(attributes, 'base_values');
  if (base.length > 1) corrupt(`${base.length} base values for one target`);

  // Nodes per tree; tree ids must be 0 … T-1 and node ids 0 … size-1 within each tree.
  let treeCount = 0;
  for (const id of treeIds) treeCount = Math.max(treeCount, id + 1);
  const sizes = new Int32Array(treeCount);
  for (let i = 0; i < n; i++) {
    const size = Math.max(sizes[treeIds[i]!]!, nodeIds[i]! + 1);
    if (size > n) corrupt(`node id ${nodeIds[i]} out of range`);
    sizes[treeIds[i]!] = size;
  }
  const trees = Array.from(sizes, (size) => ({
    feature: new Int32Array(size).fill(-2),
    threshold: new Float32Array(size),
    left: new Int32Array(size).fill(-1),
    right: new Int32Array(size).fill(-1),
    value: new Float32Array(size),
  }));
  for (let i = 0; i < n; i++) {
    const tree = trees[treeIds[i]!]!;
    const id = nodeIds[i]!;
    if (tree.feature[id] !== -2) corrupt(`node ${treeIds[i]}/${id} is listed twice`);
    const mode = modes[i]!;
    if (mode === 'LEAF') {
      tree.feature[id] = -1;
    } else if (mode === 'BRANCH_LEQ') {
      const size = tree.feature.length;
      if (featureIds[i]! >= nFeatures) corrupt(`a split on feature ${featureIds[i]}`);
      if (trueIds[i]! >= size || falseIds[i]! >= size) corrupt(`node ${id}'s child is missing`);
      tree.feature[id] = featureIds[i]!;
      tree.threshold[id] = values[i]!;
      tree.left[id] = trueIds[i]!;
      tree.right[id] = falseIds[i]!;
    } else {
      corrupt(`unsupported node mode ${mode}`);
    }
  }
  for (let k = 0; k < t; k++) {
    const tree = trees[targetTrees[k]!];
    const id = targetNodes[k]!;
    if (tree === undefined || id >= tree.feature.length || tree.feature[id] !== -1) {
      corrupt(`target ${k} is not a leaf`);
    }
    tree.value[id] = tree.value[id]! + weights[k]!;
  }
  trees.forEach((tree, k) => checkTree(tree, k));
  return { featureSchemaVersion, nFeatures, baseScore: base[0] ?? 0, trees };
}

/** Every node listed, and reached exactly once from the root: a tree, so scoring terminates. */
function checkTree(tree: Tree, k: number): void {
  const size = tree.feature.length;
  const seen = new Uint8Array(size);
  const stack = [0];
  let reached = 0;
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (tree.feature[i] === -2) corrupt(`tree ${k} has no node ${i}`);
    if (seen[i] === 1) corrupt(`tree ${k} is not a tree (node ${i} is reached twice)`);
    seen[i] = 1;
    reached++;
    if (tree.feature[i]! >= 0) stack.push(tree.left[i]!, tree.right[i]!);
  }
  if (reached !== size) corrupt(`tree ${k} has ${size - reached} unreachable nodes`);
}
