/**
 * Reads what a loader must check before trusting an ONNX model: the metadata_props (onnxruntime's
 * Node binding does not expose them), the graph's inputs and outputs, its operators and opsets.
 * Throws ProtoFormatError for bytes that are not a well-formed ModelProto with a graph.
 */
import type { ProtoField } from './protobuf-reader.ts';
import { ProtoFormatError, fieldMessage, fieldText, readFields } from './protobuf-reader.ts';
import {
  Dimension,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  StringStringEntryProto,
  TensorShapeProto,
  TypeProto,
  TypeProtoTensor,
  ValueInfoProto,
} from './onnx-schema.ts';

export interface OnnxValueInfo {
  readonly name: string;
  /** TensorProto.DataType (1 = float); 0 if absent. */
  readonly elemType: number;
  /** Each dimension's size, or its symbolic name. */
  readonly dims: readonly (number | string)[];
}

export interface OnnxModelInfo {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** `domain:op_type` of every node, in order. */
  readonly operators: readonly string[];
}

export function inspectOnnx(bytes: Uint8Array): OnnxModelInfo {
  let irVersion = 0;
  let graph: ProtoField[] | undefined;
  const opsets: { domain: string; version: number }[] = [];
  const metadata: Record<string, string> = {};
  for (const f of readFields(bytes)) {
    if (f.field === ModelProto.irVersion && f.wire === 0) irVersion = f.int;
    else if (f.field === ModelProto.graph) graph = fieldMessage(f);
    else if (f.field === ModelProto.opsetImport) {
      let domain = '';
      let version = 0;
      for (const o of fieldMessage(f)) {
        if (o.field === OperatorSetIdProto.domain) domain = fieldText(o);
        else if (o.field === OperatorSetIdProto.version && o.wire === 0) version = o.int;
      }
      opsets.push({ domain, version });
    } else if (f.field === ModelProto.metadataProps) {
      let key = '';
      let value = '';
      for (const e of fieldMessage(f)) {
        if (e.field === StringStringEntryProto.key) key = fieldText(e);
        else if (e.field === StringStringEntryProto.value) value = fieldText(e);
      }
      metadata[key] = value;
    }
  }
  if (irVersion === 0 || graph === undefined) {
    throw new ProtoFormatError('not an ONNX model: no ir_version or no graph');
  }
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const operators: string[] = [];
  for (const f of graph) {
    if (f.field === GraphProto.input) inputs.push(valueInfo(fieldMessage(f)));
    else if (f.field === GraphProto.output) outputs.push(valueInfo(fieldMessage(f)));
    else if (f.field === GraphProto.node) {
      let op = '';
      let domain = '';
      for (const n of fieldMessage(f)) {
        if (n.field === NodeProto.opType) op = fieldText(n);
        else if (n.field === NodeProto.domain) domain = fieldText(n);
      }
      operators.push(`${domain}:${op}`);
    }
  }
  return { irVersion, opsets, metadata, inputs, outputs, operators };
}

function valueInfo(fields: ProtoField[]): OnnxValueInfo {
  let name = '';
  let elemType = 0;
  const dims: (number | string)[] = [];
  for (const f of fields) {
    if (f.field === ValueInfoProto.name) name = fieldText(f);
    else if (f.field === ValueInfoProto.type) {
      for (const t of fieldMessage(f)) {
        if (t.field !== TypeProto.tensorType) continue;
        for (const tt of fieldMessage(t)) {
          if (tt.field === TypeProtoTensor.elemType && tt.wire === 0) elemType = tt.int;
          else if (tt.field === TypeProtoTensor.shape) {
            for (const d of fieldMessage(tt)) {
              if (d.field !== TensorShapeProto.dim) continue;
              let dim: number | string = '?';
              for (const x of fieldMessage(d)) {
                if (x.field === Dimension.dimValue && x.wire === 0) dim = x.int;
                else if (x.field === Dimension.dimParam) dim = fieldText(x);
              }
              dims.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, elemType, dims };
}
