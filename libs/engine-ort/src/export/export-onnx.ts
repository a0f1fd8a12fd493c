/**
 * Exporting a model to ONNX: the three graphs as protobuf bytes (weights inline, for sessions
 * built in memory) or as files in a checkpoint's `onnx/` directory whose large weights live once
 * in `onnx/weights.bin` (ONNX external data), shared by the prefill and decode graphs.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkWeights, type ModelConfig, type ModelWeights } from '@vrft/model';
import { type GraphBuilder, type PendingInitializer } from '../onnx/graph-builder.js';
import { encodeOnnxModel, type OnnxTensorData } from '../onnx/onnx-proto.js';
import { buildDecodeGraph, buildPrefillGraph } from './lm-graphs.js';
import { buildVisionGraph } from './vision-graph.js';

/** The opset the graphs are written for (ReduceMean and Split with the opset-13+ forms). */
export const ONNX_OPSET = 17;
/** Version of the graph interface (inputs, outputs, splice rule); bump on any change. */
export const GRAPH_FORMAT_VERSION = '2';
/** Metadata keys stored in every exported model. */
export const ONNX_METADATA_KEYS = { config: 'vrft.config', graph: 'vrft.graph', format: 'vrft.format' } as const;

/** The three graphs of a model. */
export type GraphName = 'vision' | 'prefill' | 'decode';
/** All graph names, in export order. */
export const GRAPH_NAMES: readonly GraphName[] = ['vision', 'prefill', 'decode'];
/** Name of the shared external-data file in `onnx/`. */
export const EXTERNAL_WEIGHTS_FILE = 'weights.bin';

// Offsets aligned to the page size let onnxruntime map the file instead of copying it.
const EXTERNAL_ALIGNMENT = 4096;
// Small tensors (norm weights, shape constants) stay inline: external data is for the big ones.
const EXTERNAL_MIN_BYTES = 1024;

function buildGraph(name: GraphName, config: ModelConfig, weights: ModelWeights): GraphBuilder {
  if (name === 'vision') return buildVisionGraph(config, weights);
  return name === 'prefill' ? buildPrefillGraph(config, weights) : buildDecodeGraph(config, weights);
}

function encodeGraph(name: GraphName, config: ModelConfig, g: GraphBuilder, place?: PlaceFn): Uint8Array {
  return encodeOnnxModel({
    graph: g.toGraph(place),
    opsetVersion: ONNX_OPSET,
    producerName: 'vrft-engine-ort',
    producerVersion: GRAPH_FORMAT_VERSION,
    metadata: {
      [ONNX_METADATA_KEYS.config]: JSON.stringify(config),
      [ONNX_METADATA_KEYS.graph]: name,
      [ONNX_METADATA_KEYS.format]: GRAPH_FORMAT_VERSION,
    },
  });
}

type PlaceFn = (initializer: PendingInitializer, bytes: Uint8Array) => OnnxTensorData;

/**
 * The three graphs as self-contained ONNX bytes (weights inline). Checks the weights against the
 * config first (WeightsMismatchError naming the tensor).
 */
export function buildOnnxModels(config: ModelConfig, weights: ModelWeights): Record<GraphName, Uint8Array> {
  checkWeights(config, weights);
  const out = {} as Record<GraphName, Uint8Array>;
  for (const name of GRAPH_NAMES) out[name] = encodeGraph(name, config, buildGraph(name, config, weights));
  return out;
}

/** What exportOnnx wrote. */
export interface ExportedOnnx {
  /** Directory holding the files (`<checkpoint>/onnx`). */
  readonly dir: string;
  /** Path of each graph file. */
  readonly paths: Readonly<Record<GraphName, string>>;
  /** Total bytes written (graphs and external weights). */
  readonly bytes: number;
}

/**
 * Writes `onnx/{vision,prefill,decode}.onnx` and `onnx/weights.bin` under `checkpointDir`.
 * The files are written to a fresh directory and renamed into place, so a reader never sees a
 * half-written export.
 */
export async function exportOnnx(
  config: ModelConfig,
  weights: ModelWeights,
  checkpointDir: string,
): Promise<ExportedOnnx> {
  checkWeights(config, weights);
  const finalDir = join(checkpointDir, 'onnx');
  const workDir = join(checkpointDir, `onnx.partial-${process.pid}-${Date.now()}`);
  await mkdir(workDir, { recursive: true });
  const handle = await open(join(workDir, EXTERNAL_WEIGHTS_FILE), 'w');
  let bytes = 0;
  try {
    let offset = 0;
    const placed = new Map<string, OnnxTensorData>();
    const pending: Uint8Array[] = [];
    const place: PlaceFn = (init, data) => {
      if (init.elemType !== 'float' || data.byteLength < EXTERNAL_MIN_BYTES) return { kind: 'raw', bytes: data };
      const known = placed.get(init.name);
      if (known) return known; // same name, same values: prefill and decode share LM weights
      const start = Math.ceil(offset / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
      if (start > offset) pending.push(new Uint8Array(start - offset));
      pending.push(data);
      offset = start + data.byteLength;
      const where: OnnxTensorData = {
        kind: 'external',
        location: EXTERNAL_WEIGHTS_FILE,
        offset: start,
        length: data.byteLength,
      };
      placed.set(init.name, where);
      return where;
    };
    const paths = {} as Record<GraphName, string>;
    for (const name of GRAPH_NAMES) {
      const model = encodeGraph(name, config, buildGraph(name, config, weights), place);
      for (const chunk of pending.splice(0)) await handle.write(chunk);
      const graphFile = await open(join(workDir, `${name}.onnx`), 'w');
      try {
        await graphFile.write(model);
      } finally {
        await graphFile.close();
      }
      bytes += model.byteLength;
      paths[name] = join(finalDir, `${name}.onnx`);
    }
    bytes += offset;
    await handle.close();
    await rm(finalDir, { recursive: true, force: true });
    await rename(workDir, finalDir);
    return { dir: finalDir, paths, bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
