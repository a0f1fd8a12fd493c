/**
 * A tiny builder for ONNX graphs: named inputs, initializers from typed arrays, and one method per
 * standard operator the exporter needs (`g.matMul(a, b)`, `g.add(a, b)`, …). Values are referred
 * to by their tensor names; every method returns the name of its output.
 */
import { endianness } from 'node:os';
import {
  type OnnxAttribute,
  type OnnxDim,
  type OnnxElemType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxTensorData,
  type OnnxValueInfo,
} from './onnx-proto.js';

/** Values of an initializer. */
export type InitializerValues = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** An initializer before it is placed (inline or external). */
export interface PendingInitializer {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly dims: readonly number[];
  readonly values: InitializerValues;
}

/** Decides where an initializer's bytes go; the default keeps them inline (raw_data). */
export type PlaceInitializer = (initializer: PendingInitializer, bytes: Uint8Array) => OnnxTensorData;

/** Attribute values of a node, by name. */
export type Attributes = Record<string, OnnxAttribute>;

/** Attribute helpers, so call sites read `{ axis: int(1) }`. */
export const int = (value: number): OnnxAttribute => ({ type: 'int', value });
/** A list-of-ints attribute. */
export const ints = (value: readonly number[]): OnnxAttribute => ({ type: 'ints', value });
/** A float attribute. */
export const float = (value: number): OnnxAttribute => ({ type: 'float', value });

/** The bytes of a typed array as stored in ONNX raw_data (little-endian). */
export function toLittleEndianBytes(values: InitializerValues): Uint8Array {
  // ONNX raw_data is little-endian; every platform onnxruntime-node ships for is too.
  if (endianness() !== 'LE') throw new Error('ONNX export needs a little-endian machine');
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Builds one ONNX graph. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers = new Map<string, PendingInitializer>();
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly constants = new Map<string, string>();
  private readonly scopes: string[] = [];
  private readonly produced = new Set<string>();
  private readonly aliases = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** Declares a graph input and returns its name. */
  input(name: string, elemType: OnnxElemType, dims: readonly OnnxDim[]): string {
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /**
   * Declares `value` as the graph output `name`. A node's output is renamed in place (an
   * Identity node would copy the tensor on every run); anything else goes through Identity.
   */
  output(value: string, name: string, elemType: OnnxElemType, dims: readonly OnnxDim[]): void {
    if (value !== name) {
      if (this.produced.has(value) && !this.aliases.has(value)) this.aliases.set(value, name);
      else this.nodes.push(this.makeNode('Identity', [value], {}, [name]));
    }
    this.outputs.push({ name, elemType, dims });
  }

  /** Adds a named initializer (a weight) and returns its name. */
  initializer(name: string, elemType: OnnxElemType, dims: readonly number[], values: InitializerValues): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) {
      throw new Error(`initializer ${name}: ${values.length} values for shape [${dims.join(', ')}]`);
    }
    if (this.initializers.has(name)) throw new Error(`initializer ${name} is defined twice`);
    this.initializers.set(name, { name, elemType, dims, values });
    return name;
  }

  /** A float32 weight. */
  weight(name: string, values: Float32Array, dims: readonly number[]): string {
    return this.initializer(name, 'float', dims, values);
  }

  /** A constant int64 tensor (1-D unless dims say otherwise), shared between identical uses. */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('int64', values, dims, () => BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** A constant float32 tensor (1-D unless dims say otherwise), shared between identical uses. */
  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('float', values, dims, () => Float32Array.from(values));
  }

  /** A constant float32 scalar (rank 0), shared between identical uses. */
  scalar(value: number): string {
    return this.constant('float', [value], [], () => Float32Array.of(value));
  }

  /** Runs `build` with `prefix` prepended to the names of the nodes it creates. */
  scoped<T>(prefix: string, build: () => T): T {
    this.scopes.push(prefix);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /** Adds a node with `outputCount` fresh outputs and returns their names. */
  node(opType: string, inputs: readonly string[], attributes: Attributes = {}, outputCount = 1): string[] {
    const base = this.freshName(opType);
    const outputs = Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? base : `${base}:${i}`));
    this.nodes.push(this.makeNode(opType, inputs, attributes, outputs, base));
    for (const output of outputs) this.produced.add(output);
    return outputs;
  }

  /** Adds a single-output node and returns its output. */
  op(opType: string, inputs: readonly string[], attributes: Attributes = {}): string {
    return this.node(opType, inputs, attributes)[0] as string;
  }

  // One method per standard operator (ONNX semantics, opset 17); each returns its output's name.

  /** MatMul with numpy broadcasting. */
  matMul(a: string, b: string): string {
    return this.op('MatMul', [a, b]);
  }
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  max(a: string, b: string): string {
    return this.op('Max', [a, b]);
  }
  sqrt(x: string): string {
    return this.op('Sqrt', [x]);
  }
  tanh(x: string): string {
    return this.op('Tanh', [x]);
  }
  sigmoid(x: string): string {
    return this.op('Sigmoid', [x]);
  }
  softmax(x: string, axis: number): string {
    return this.op('Softmax', [x], { axis: int(axis) });
  }
  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    return this.op('ReduceMean', [x], { axes: ints(axes), keepdims: int(keepdims ? 1 : 0) });
  }
  /** Reshape to a constant shape (0 copies the input's dimension, -1 is inferred). */
  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.int64s(shape)]);
  }
  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], { perm: ints(perm) });
  }
  gather(data: string, indices: string, axis: number): string {
    return this.op('Gather', [data, indices], { axis: int(axis) });
  }
  gatherNd(data: string, indices: string, batchDims: number): string {
    return this.op('GatherND', [data, indices], { batch_dims: int(batchDims) });
  }
  concat(inputs: readonly string[], axis: number): string {
    return this.op('Concat', inputs, { axis: int(axis) });
  }
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.int64s(axes)]);
  }
  /** Slice with tensor-valued starts and ends (1-D int64) along constant axes. */
  slice(x: string, starts: string, ends: string, axes: readonly number[]): string {
    return this.op('Slice', [x, starts, ends, this.int64s(axes)]);
  }
  split(x: string, axis: number, sizes: readonly number[]): string[] {
    return this.node('Split', [x, this.int64s(sizes)], { axis: int(axis) }, sizes.length);
  }
  /** The shape of x, or its dimensions [start, end). */
  shape(x: string, start?: number, end?: number): string {
    const attributes: Attributes = {};
    if (start !== undefined) attributes['start'] = int(start);
    if (end !== undefined) attributes['end'] = int(end);
    return this.op('Shape', [x], attributes);
  }
  cast(x: string, to: OnnxElemType): string {
    const codes: Record<OnnxElemType, number> = { float: 1, uint8: 2, int32: 6, int64: 7, bool: 9 };
    return this.op('Cast', [x], { to: int(codes[to]) });
  }
  where(condition: string, whenTrue: string, whenFalse: string): string {
    return this.op('Where', [condition, whenTrue, whenFalse]);
  }
  equal(a: string, b: string): string {
    return this.op('Equal', [a, b]);
  }
  lessOrEqual(a: string, b: string): string {
    return this.op('LessOrEqual', [a, b]);
  }
  and(a: string, b: string): string {
    return this.op('And', [a, b]);
  }
  cumSum(x: string, axis: number): string {
    return this.op('CumSum', [x, this.int64s([axis], [])]);
  }
  range(start: string, limit: string, delta: string): string {
    return this.op('Range', [start, limit, delta]);
  }

  /** The finished graph; `place` decides where each initializer's bytes go (default inline). */
  toGraph(place?: PlaceInitializer): OnnxGraph {
    const initializers: OnnxTensor[] = [];
    for (const init of this.initializers.values()) {
      const bytes = toLittleEndianBytes(init.values);
      const data: OnnxTensorData = place ? place(init, bytes) : { kind: 'raw', bytes };
      initializers.push({ name: init.name, elemType: init.elemType, dims: init.dims, data });
    }
    const rename = (value: string): string => this.aliases.get(value) ?? value;
    const nodes = this.nodes.map((node) => ({
      ...node,
      inputs: node.inputs.map(rename),
      outputs: node.outputs.map(rename),
    }));
    return { name: this.name, nodes, initializers, inputs: this.inputs, outputs: this.outputs };
  }

  /** Number of parameters held as float initializers (weights and tables). */
  countFloatParameters(): number {
    let count = 0;
    for (const init of this.initializers.values()) if (init.elemType === 'float') count += init.values.length;
    return count;
  }

  private constant(
    elemType: OnnxElemType,
    values: readonly number[],
    dims: readonly number[],
    make: () => InitializerValues,
  ): string {
    const key = `${elemType}|${dims.join(',')}|${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = this.initializer(`const_${this.constants.size}`, elemType, dims, make());
    this.constants.set(key, name);
    return name;
  }

  private freshName(opType: string): string {
    this.counter += 1;
    const scope = this.scopes.length > 0 ? `${this.scopes.join('/')}/` : '';
    return `${scope}${opType}_${this.counter}`;
  }

  private makeNode(
    opType: string,
    inputs: readonly string[],
    attributes: Attributes,
    outputs: readonly string[],
    name = this.freshName(opType),
  ): OnnxNode {
    return { opType, name, inputs, outputs, attributes };
  }
}
