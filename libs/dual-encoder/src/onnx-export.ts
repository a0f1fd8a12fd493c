/**
 * The dual encoder as two ONNX graphs, written with @vrft/engine-ort's GraphBuilder, in the
 * layout of public SigLIP ONNX exports so that one adapter serves ours and theirs:
 *   vision_model.onnx: pixel_values [B, 3, S, S] float → image_embeds [B, E]
 *   text_model.onnx:   input_ids [B, M] int64         → text_embeds [B, E]
 * The equations are those of tfjs-encoder.ts, op for op (the parity test compares them).
 */
import { encodeOnnxModel, GraphBuilder, ONNX_OPSET } from '@vrft/engine-ort';
import { type DualEncoderConfig, patchCount } from './encoder-config.js';
import { type EncoderWeights, encoderWeightSpecs, type Tower } from './encoder-weights.js';
import { MASKED_SCORE } from './tfjs-encoder.js';

/** Input and output names of the exported graphs (the public SigLIP export's names). */
export const ENCODER_IO = {
  pixelValues: 'pixel_values',
  imageEmbeds: 'image_embeds',
  inputIds: 'input_ids',
  textEmbeds: 'text_embeds',
} as const;

/** ONNX metadata key holding the encoder config as JSON. */
export const ENCODER_METADATA_KEY = 'vrft.dual_encoder.config';

/** Graph names of an export; the attention-mask input is optional (public text exports differ). */
export interface ExportIoNames {
  readonly pixelValues: string;
  readonly imageEmbeds: string;
  readonly inputIds: string;
  readonly textEmbeds: string;
  /** When set, the text graph also takes this [B, M] int64 input and multiplies it into the pad mask. */
  readonly attentionMask?: string;
}

/** Both graphs as ONNX bytes. */
export interface EncoderOnnx {
  readonly vision: Uint8Array;
  readonly text: Uint8Array;
}

type Lookup = (name: string) => string;

function createLookup(g: GraphBuilder, config: DualEncoderConfig, weights: EncoderWeights): Lookup {
  const shapes = new Map(encoderWeightSpecs(config).map((spec) => [spec.name, spec.shape]));
  const added = new Set<string>();
  return (name) => {
    const shape = shapes.get(name);
    const data = weights.get(name);
    if (shape === undefined || data === undefined) throw new Error(`the exporter asked for unknown weight ${name}`);
    if (!added.has(name)) g.weight(name, data, shape);
    added.add(name);
    return name;
  };
}

/** RMSNorm: x · 1/√(mean(x²) + ε) · g. */
function rmsNorm(g: GraphBuilder, x: string, gain: string, eps: number): string {
  const meanSquare = g.reduceMean(g.mul(x, x), [-1], true);
  return g.mul(g.mul(x, g.div(g.scalar(1), g.sqrt(g.add(meanSquare, g.scalar(eps))))), gain);
}

/** GELU, tanh approximation, as in tfjs-encoder.ts. */
function geluTanh(g: GraphBuilder, x: string): string {
  const cube = g.mul(g.mul(x, x), x);
  const inner = g.mul(g.add(x, g.mul(cube, g.scalar(0.044715))), g.scalar(Math.sqrt(2 / Math.PI)));
  return g.mul(g.mul(x, g.scalar(0.5)), g.add(g.tanh(inner), g.scalar(1)));
}

/** Self-attention on x [B, N, D] with an optional additive key mask [B, 1, 1, N]. */
function attention(
  g: GraphBuilder,
  x: string,
  w: Lookup,
  prefix: string,
  d: number,
  heads: number,
  bias?: string,
): string {
  const dh = d / heads;
  const toHeads = (t: string): string => g.transpose(g.reshape(t, [0, 0, heads, dh]), [0, 2, 1, 3]); // [B, H, N, Dh]
  const q = g.mul(toHeads(g.matMul(x, w(`${prefix}.attn.wq`))), g.scalar(1 / Math.sqrt(dh)));
  const k = toHeads(g.matMul(x, w(`${prefix}.attn.wk`)));
  const v = toHeads(g.matMul(x, w(`${prefix}.attn.wv`)));
  let scores = g.matMul(q, g.transpose(k, [0, 1, 3, 2])); // [B, H, N, N]
  if (bias) scores = g.add(scores, bias);
  const context = g.matMul(g.softmax(scores, -1), v); // [B, H, N, Dh]
  const merged = g.reshape(g.transpose(context, [0, 2, 1, 3]), [0, 0, d]); // [B, N, D]
  return g.matMul(merged, w(`${prefix}.attn.wo`));
}

/** The pre-norm blocks of a tower and its final RMSNorm. */
function tower(g: GraphBuilder, h: string, w: Lookup, name: Tower, config: DualEncoderConfig, bias?: string): string {
  const d = name === 'vision' ? config.visionDim : config.textDim;
  const layers = name === 'vision' ? config.visionLayers : config.textLayers;
  const heads = name === 'vision' ? config.visionHeads : config.textHeads;
  for (let i = 0; i < layers; i++) {
    const prefix = `${name}.blocks.${i}`;
    h = g.scoped(prefix, () => {
      const h1 = g.add(
        h,
        attention(g, rmsNorm(g, h, w(`${prefix}.norm1.weight`), config.normEps), w, prefix, d, heads, bias),
      );
      const normed = rmsNorm(g, h1, w(`${prefix}.norm2.weight`), config.normEps);
      const hidden = geluTanh(g, g.add(g.matMul(normed, w(`${prefix}.mlp.w1`)), w(`${prefix}.mlp.b1`)));
      return g.add(h1, g.add(g.matMul(hidden, w(`${prefix}.mlp.w2`)), w(`${prefix}.mlp.b2`)));
    });
  }
  return rmsNorm(g, h, w(`${name}.norm.weight`), config.normEps);
}

/** The image tower: pixel_values [B, 3, S, S] → image_embeds [B, E]. */
export function buildVisionGraph(
  config: DualEncoderConfig,
  weights: EncoderWeights,
  io: ExportIoNames = ENCODER_IO,
): GraphBuilder {
  const g = new GraphBuilder('vision_model');
  const w = createLookup(g, config, weights);
  const { imageSize: s, patchSize: p } = config;
  const side = s / p;
  const pixels = g.input(io.pixelValues, 'float', ['batch', 3, s, s]);
  const patches = g.scoped('patchify', () => {
    const grid = g.reshape(pixels, [0, 3, side, p, side, p]); // [B, C, Hp, P, Wp, P]
    const ordered = g.transpose(grid, [0, 2, 4, 3, 5, 1]); // [B, Hp, Wp, P, P, C]
    return g.reshape(ordered, [0, patchCount(config), p * p * 3]); // [B, Np, P·P·3]
  });
  const embedded = g.add(g.add(g.matMul(patches, w('vision.patch.weight')), w('vision.patch.bias')), w('vision.pos')); // [B, Np, Dv]
  const normed = tower(g, embedded, w, 'vision', config); // [B, Np, Dv]
  const pooled = g.reshape(normed, [0, patchCount(config) * config.visionDim]); // [B, Np·Dv]
  g.output(g.matMul(pooled, w('vision.proj.weight')), io.imageEmbeds, 'float', ['batch', config.embedDim]);
  return g;
}

/** The text tower: input_ids [B, M] → text_embeds [B, E]; ids equal to padId are masked out. */
export function buildTextGraph(
  config: DualEncoderConfig,
  weights: EncoderWeights,
  io: ExportIoNames = ENCODER_IO,
): GraphBuilder {
  const g = new GraphBuilder('text_model');
  const w = createLookup(g, config, weights);
  const m = config.maxTextTokens;
  const ids = g.input(io.inputIds, 'int64', ['batch', m]);
  const padId = g.int64s([config.padId], []);
  let mask = g.sub(g.scalar(1), g.cast(g.equal(ids, padId), 'float')); // [B, M], 1 = real token
  if (io.attentionMask !== undefined) {
    mask = g.mul(mask, g.cast(g.input(io.attentionMask, 'int64', ['batch', m]), 'float'));
  }
  const bias = g.unsqueeze(g.mul(g.sub(g.scalar(1), mask), g.scalar(MASKED_SCORE)), [1, 2]); // [B, 1, 1, M]
  const tokens = g.add(g.gather(w('text.embed.weight'), ids, 0), w('text.pos')); // [B, M, Dt]
  const normed = tower(g, tokens, w, 'text', config, bias); // [B, M, Dt]
  const keepDims = (value: boolean) => ({ keepdims: { type: 'int' as const, value: value ? 1 : 0 } });
  const summed = g.op('ReduceSum', [g.mul(normed, g.unsqueeze(mask, [2])), g.int64s([1])], keepDims(false)); // [B, Dt]
  const counts = g.max(g.op('ReduceSum', [mask, g.int64s([1])], keepDims(true)), g.scalar(1)); // [B, 1]
  g.output(g.matMul(g.div(summed, counts), w('text.proj.weight')), io.textEmbeds, 'float', ['batch', config.embedDim]);
  return g;
}

/** Both graphs as ONNX bytes, the config in each graph's metadata. */
export function exportEncoderOnnx(
  config: DualEncoderConfig,
  weights: EncoderWeights,
  io: ExportIoNames = ENCODER_IO,
): EncoderOnnx {
  const encode = (g: GraphBuilder): Uint8Array =>
    encodeOnnxModel({
      graph: g.toGraph(),
      opsetVersion: ONNX_OPSET,
      producerName: 'vrft-dual-encoder',
      producerVersion: '1',
      metadata: { [ENCODER_METADATA_KEY]: JSON.stringify(config) },
    });
  return { vision: encode(buildVisionGraph(config, weights, io)), text: encode(buildTextGraph(config, weights, io)) };
}
