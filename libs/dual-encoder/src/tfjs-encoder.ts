/**
 * The dual encoder in TensorFlow.js (training side), one readable file. The ONNX export
 * (onnx-export.ts) writes the same equations as graphs; the parity test holds them together.
 *
 * Image tower (a small ViT): patches [B, Np, P·P·3] of normalised pixels → linear patch embedding
 * + learned positions → L pre-norm blocks (bidirectional attention, GELU MLP) → RMSNorm → the
 * Np tokens flattened → linear projection to E. Flattening (not a mean over patches) keeps where
 * things are, which the descriptions name ("at the top left"); a mean let small objects vanish
 * into the background and training collapsed to one point for every frame (measured; again at
 * the tuned learning rate: 6 % held-out top-1 against 54 % flattened, docs/benchmarks.md).
 * Text tower: token embedding + learned positions → L pre-norm blocks with padded positions
 * masked → RMSNorm → mean over real tokens → projection.
 *
 * Why a ViT and not a conv net: the towers are matmuls, softmax and elementwise ops only, whose
 * gradients the engine registers and whose products run on the transpose-free matmul
 * (@vrft/engine-tfjs); tfjs's conv gradients are missing or slow on the wasm backend, and the
 * synthetic world's 64×64 frames are only 64 patches of 8×8, so attention is cheap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMulExplicit, swapLastAxes } from '@vrft/engine-tfjs';
import { type DualEncoderConfig, patchCount } from './encoder-config.js';
import { type Tower } from './encoder-weights.js';

/** Weights as tensors (variables while training), by the names of encoderWeightSpecs. */
export type TensorWeights = ReadonlyMap<string, tf.Tensor>;

/** A finite "minus infinity" for masked attention scores (the ONNX graphs use the same value). */
export const MASKED_SCORE = -1e9;

function weight(w: TensorWeights, name: string): tf.Tensor {
  const t = w.get(name);
  if (t === undefined) throw new Error(`the encoder has no weight ${name}`);
  return t;
}

/** x [..., D] · W [D, K] → [..., K], as one 2-D product. */
function linear(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const d = x.shape[x.rank - 1] as number;
  const k = w.shape[1] as number;
  const flat = tf.reshape(x, [-1, d]); // [B·N, D]
  return tf.reshape(matMulExplicit(flat, w), [...x.shape.slice(0, -1), k]);
}

/** RMSNorm: x / √(mean(x²) + ε) · g over the last axis. */
function rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
  const meanSquare = tf.mean(tf.square(x), -1, true); // [..., 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gain);
}

/** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluTanh(x: tf.Tensor): tf.Tensor {
  const cube = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * Multi-head self-attention on x [B, N, D]: softmax(q·kᵀ/√Dh + bias)·v per head, heads
 * concatenated, then · Wo. `bias` [B, 1, 1, N] masks padded keys (0 or MASKED_SCORE).
 */
function attention(x: tf.Tensor, w: TensorWeights, prefix: string, heads: number, bias?: tf.Tensor): tf.Tensor {
  const [b, n, d] = x.shape as [number, number, number];
  const dh = d / heads;
  const toHeads = (t: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(t, [b, n, heads, dh]), [0, 2, 1, 3]); // [B, H, N, Dh]
  const q = tf.mul(toHeads(linear(x, weight(w, `${prefix}.attn.wq`))), 1 / Math.sqrt(dh));
  const k = toHeads(linear(x, weight(w, `${prefix}.attn.wk`)));
  const v = toHeads(linear(x, weight(w, `${prefix}.attn.wv`)));
  let scores = matMulExplicit(q, swapLastAxes(k)); // [B, H, N, N]
  if (bias) scores = tf.add(scores, bias);
  const context = matMulExplicit(tf.softmax(scores, -1), v); // [B, H, N, Dh]
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, n, d]); // [B, N, D]
  return linear(merged, weight(w, `${prefix}.attn.wo`));
}

/** A pre-norm block: h += Attn(RMSNorm(h)); h += MLP(RMSNorm(h)), MLP = GELU(h·W1 + b1)·W2 + b2. */
function block(
  h: tf.Tensor,
  w: TensorWeights,
  prefix: string,
  heads: number,
  eps: number,
  bias?: tf.Tensor,
): tf.Tensor {
  const h1 = tf.add(h, attention(rmsNorm(h, weight(w, `${prefix}.norm1.weight`), eps), w, prefix, heads, bias));
  const normed = rmsNorm(h1, weight(w, `${prefix}.norm2.weight`), eps);
  const hidden = geluTanh(tf.add(linear(normed, weight(w, `${prefix}.mlp.w1`)), weight(w, `${prefix}.mlp.b1`)));
  return tf.add(h1, tf.add(linear(hidden, weight(w, `${prefix}.mlp.w2`)), weight(w, `${prefix}.mlp.b2`)));
}

function blocks(h: tf.Tensor, w: TensorWeights, tower: Tower, config: DualEncoderConfig, bias?: tf.Tensor): tf.Tensor {
  const layers = tower === 'vision' ? config.visionLayers : config.textLayers;
  const heads = tower === 'vision' ? config.visionHeads : config.textHeads;
  for (let i = 0; i < layers; i++) h = block(h, w, `${tower}.blocks.${i}`, heads, config.normEps, bias);
  return rmsNorm(h, weight(w, `${tower}.norm.weight`), config.normEps);
}

/** Image embeddings [B, E] of patches [B, Np, P·P·3] (see patchify in preprocess.ts). */
export function encodeImagesTf(config: DualEncoderConfig, w: TensorWeights, patches: tf.Tensor): tf.Tensor {
  if (patches.rank !== 3 || patches.shape[1] !== patchCount(config)) {
    throw new Error(
      `patches must be [B, ${patchCount(config)}, ${config.patchSize ** 2 * 3}], got [${patches.shape.join(', ')}]`,
    );
  }
  const embedded = tf.add(linear(patches, weight(w, 'vision.patch.weight')), weight(w, 'vision.patch.bias')); // [B, Np, Dv]
  const h = blocks(tf.add(embedded, weight(w, 'vision.pos')), w, 'vision', config); // [B, Np, Dv]
  const flat = tf.reshape(h, [h.shape[0] as number, -1]); // [B, Np·Dv]
  return linear(flat, weight(w, 'vision.proj.weight')); // [B, E]
}

/** Text embeddings [B, E] of token ids [B, M] (int32), padded with config.padId. */
export function encodeTextsTf(config: DualEncoderConfig, w: TensorWeights, ids: tf.Tensor): tf.Tensor {
  const [b, m] = ids.shape as [number, number];
  if (ids.rank !== 2 || m !== config.maxTextTokens) {
    throw new Error(`ids must be [B, ${config.maxTextTokens}], got [${ids.shape.join(', ')}]`);
  }
  const mask = tf.cast(tf.notEqual(ids, config.padId), 'float32'); // [B, M], 1 = real token
  const bias = tf.reshape(tf.mul(tf.sub(1, mask), MASKED_SCORE), [b, 1, 1, m]); // [B, 1, 1, M]
  const tokens = tf.reshape(tf.gather(weight(w, 'text.embed.weight'), tf.reshape(ids, [-1])), [b, m, config.textDim]);
  const h = blocks(tf.add(tokens, weight(w, 'text.pos')), w, 'text', config, bias); // [B, M, Dt]
  const summed = tf.sum(tf.mul(h, tf.expandDims(mask, 2)), 1); // [B, Dt]
  const counts = tf.maximum(tf.sum(mask, 1, true), 1); // [B, 1]
  return linear(tf.div(summed, counts), weight(w, 'text.proj.weight')); // [B, E]
}

/** Rows scaled to unit length: x / √(Σx² + 1e-12). */
export function l2NormalizeTf(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12)));
}

/**
 * The sigmoid contrastive loss of a batch of B matching pairs (row i of both is a pair):
 *   logits_ij = t·x̂_i·ŷ_j + b,  t = exp(logit_scale)
 *   L = −(1/B) Σ_ij log σ(z_ij · logits_ij),  z_ij = +1 if i = j else −1
 * with log σ(s) = min(s, 0) − log(1 + exp(−|s|)), which never overflows.
 */
export function sigmoidLossTf(
  imageEmbeds: tf.Tensor,
  textEmbeds: tf.Tensor,
  logitScale: tf.Tensor,
  logitBias: tf.Tensor,
): tf.Tensor {
  const b = imageEmbeds.shape[0] as number;
  const x = l2NormalizeTf(imageEmbeds); // [B, E]
  const y = l2NormalizeTf(textEmbeds); // [B, E]
  const logits = tf.add(tf.mul(matMulExplicit(x, swapLastAxes(y)), tf.exp(logitScale)), logitBias); // [B, B]
  const z = tf.sub(tf.mul(tf.eye(b), 2), 1); // +1 on the diagonal, −1 elsewhere
  const s = tf.mul(z, logits);
  const logSigmoid = tf.sub(tf.minimum(s, 0), tf.log(tf.add(tf.exp(tf.neg(tf.abs(s))), 1)));
  return tf.div(tf.neg(tf.sum(logSigmoid)), b);
}

/** Loss of a batch straight from weights: both towers, then sigmoidLossTf. */
export function batchLossTf(
  config: DualEncoderConfig,
  w: TensorWeights,
  patches: tf.Tensor,
  ids: tf.Tensor,
): tf.Tensor {
  return sigmoidLossTf(
    encodeImagesTf(config, w, patches),
    encodeTextsTf(config, w, ids),
    weight(w, 'logit_scale'),
    weight(w, 'logit_bias'),
  );
}
