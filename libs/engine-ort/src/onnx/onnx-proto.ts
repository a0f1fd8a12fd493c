/**
 * A minimal encoder for the ONNX protobuf format (onnx.proto, IR version 8), written on
 * @bufbuild/protobuf's BinaryWriter. It covers what the exporter emits: ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto (raw or external data), ValueInfoProto, TypeProto
 * (tensors only) and OperatorSetIdProto. Field numbers are those of the ONNX format.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** ONNX TensorProto.DataType values the exporter uses. */
export const OnnxDataType = { float: 1, uint8: 2, int32: 6, int64: 7, bool: 9 } as const;
/** One of the element types above. */
export type OnnxElemType = keyof typeof OnnxDataType;

/** A tensor dimension: a fixed size or a symbolic name (dynamic). */
export type OnnxDim = number | string;

/** Data of an initializer: inline bytes, or a slice of an external file beside the model. */
export type OnnxTensorData =
  | { readonly kind: 'raw'; readonly bytes: Uint8Array }
  | { readonly kind: 'external'; readonly location: string; readonly offset: number; readonly length: number };

/** A TensorProto (initializers and tensor attributes). */
export interface OnnxTensor {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly dims: readonly number[];
  readonly data: OnnxTensorData;
}

/** An AttributeProto value, tagged with its ONNX attribute type. */
export type OnnxAttribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: OnnxTensor }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] };

/** A NodeProto. */
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A ValueInfoProto of a tensor (graph inputs and outputs). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly dims: readonly OnnxDim[];
}

/** A GraphProto. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** A ModelProto with one default-domain opset. */
export interface OnnxModel {
  readonly graph: OnnxGraph;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** Free-form key/value metadata (metadata_props). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** IR version 8 goes with opsets up to 17. */
export const ONNX_IR_VERSION = 8;

// AttributeProto.AttributeType
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;
const EXTERNAL_DATA_LOCATION = 1; // TensorProto.DataLocation.EXTERNAL

/** Serialises a model to ONNX protobuf bytes. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(ONNX_IR_VERSION); // ir_version
  w.tag(2, WireType.LengthDelimited).string(model.producerName); // producer_name
  w.tag(3, WireType.LengthDelimited).string(model.producerVersion); // producer_version
  w.tag(7, WireType.LengthDelimited).fork(); // graph
  writeGraph(w, model.graph);
  w.join();
  w.tag(8, WireType.LengthDelimited).fork(); // opset_import
  w.tag(1, WireType.LengthDelimited).string(''); // domain: default (ai.onnx)
  w.tag(2, WireType.Varint).int64(model.opsetVersion);
  w.join();
  for (const [key, value] of Object.entries(model.metadata)) {
    w.tag(14, WireType.LengthDelimited).fork(); // metadata_props
    writeStringEntry(w, key, value);
    w.join();
  }
  return w.finish();
}

function writeGraph(w: BinaryWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) {
    w.tag(1, WireType.LengthDelimited).fork(); // node
    writeNode(w, node);
    w.join();
  }
  w.tag(2, WireType.LengthDelimited).string(graph.name);
  for (const tensor of graph.initializers) {
    w.tag(5, WireType.LengthDelimited).fork(); // initializer
    writeTensor(w, tensor);
    w.join();
  }
  for (const [field, infos] of [
    [11, graph.inputs],
    [12, graph.outputs],
  ] as const) {
    for (const info of infos) {
      w.tag(field, WireType.LengthDelimited).fork();
      writeValueInfo(w, info);
      w.join();
    }
  }
}

function writeNode(w: BinaryWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.tag(1, WireType.LengthDelimited).string(input);
  for (const output of node.outputs) w.tag(2, WireType.LengthDelimited).string(output);
  w.tag(3, WireType.LengthDelimited).string(node.name);
  w.tag(4, WireType.LengthDelimited).string(node.opType);
  for (const [name, attribute] of Object.entries(node.attributes)) {
    w.tag(5, WireType.LengthDelimited).fork();
    writeAttribute(w, name, attribute);
    w.join();
  }
}

function writeAttribute(w: BinaryWriter, name: string, attribute: OnnxAttribute): void {
  w.tag(1, WireType.LengthDelimited).string(name);
  w.tag(20, WireType.Varint).int32(ATTRIBUTE_TYPE[attribute.type]);
  switch (attribute.type) {
    case 'float':
      w.tag(2, WireType.Bit32).float(attribute.value);
      break;
    case 'int':
      w.tag(3, WireType.Varint).int64(attribute.value);
      break;
    case 'string':
      w.tag(4, WireType.LengthDelimited).bytes(new TextEncoder().encode(attribute.value));
      break;
    case 'tensor':
      w.tag(5, WireType.LengthDelimited).fork();
      writeTensor(w, attribute.value);
      w.join();
      break;
    case 'floats':
      w.tag(7, WireType.LengthDelimited).fork();
      for (const value of attribute.value) w.float(value);
      w.join();
      break;
    case 'ints':
      w.tag(8, WireType.LengthDelimited).fork();
      for (const value of attribute.value) w.int64(value);
      w.join();
      break;
  }
}

function writeTensor(w: BinaryWriter, tensor: OnnxTensor): void {
  if (tensor.dims.length > 0) {
    w.tag(1, WireType.LengthDelimited).fork(); // dims, packed
    for (const dim of tensor.dims) w.int64(dim);
    w.join();
  }
  w.tag(2, WireType.Varint).int32(OnnxDataType[tensor.elemType]);
  w.tag(8, WireType.LengthDelimited).string(tensor.name);
  if (tensor.data.kind === 'raw') {
    w.tag(9, WireType.LengthDelimited).bytes(tensor.data.bytes); // raw_data, little-endian
    return;
  }
  const entries: [string, string][] = [
    ['location', tensor.data.location],
    ['offset', String(tensor.data.offset)],
    ['length', String(tensor.data.length)],
  ];
  for (const [key, value] of entries) {
    w.tag(13, WireType.LengthDelimited).fork(); // external_data
    writeStringEntry(w, key, value);
    w.join();
  }
  w.tag(14, WireType.Varint).int32(EXTERNAL_DATA_LOCATION); // data_location
}

function writeValueInfo(w: BinaryWriter, info: OnnxValueInfo): void {
  w.tag(1, WireType.LengthDelimited).string(info.name);
  w.tag(2, WireType.LengthDelimited).fork(); // type: TypeProto
  w.tag(1, WireType.LengthDelimited).fork(); // tensor_type: TypeProto.Tensor
  w.tag(1, WireType.Varint).int32(OnnxDataType[info.elemType]); // elem_type
  w.tag(2, WireType.LengthDelimited).fork(); // shape: TensorShapeProto
  for (const dim of info.dims) {
    w.tag(1, WireType.LengthDelimited).fork(); // dim
    if (typeof dim === 'number')
      w.tag(1, WireType.Varint).int64(dim); // dim_value
    else w.tag(2, WireType.LengthDelimited).string(dim); // dim_param
    w.join();
  }
  w.join();
  w.join();
  w.join();
}

function writeStringEntry(w: BinaryWriter, key: string, value: string): void {
  w.tag(1, WireType.LengthDelimited).string(key);
  w.tag(2, WireType.LengthDelimited).string(value);
}
