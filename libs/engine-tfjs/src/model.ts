/**
 * The video-language model of docs/model.md in TensorFlow.js, for training: vision encoder →
 * pooling → projector → splice at `<video>` → decoder-only LM with RoPE and a causal mask → tied
 * head. Weights live in tf.Variables named as in @vrft/model, so gradients, checkpoints and the
 * ONNX exporter all speak the same names. Symbols: B batch, T padded length, D/Dv widths,
 * H heads, Hkv key/value heads (grouped-query attention: each serves G = H/Hkv query heads),
 * Dh head size, V vocabulary, F frames, Np patches per frame, Nt tokens per frame,
 * Nv = F·Nt visual tokens.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  checkWeights,
  kvDim,
  patchesPerFrame,
  visualTokensPerFrame,
  weightSpecs,
  type ModelConfig,
  type ModelWeights,
} from '@vrft/model';
import { type ModelBatch } from './batch.js';
import { EngineOptionsError } from './errors.js';
import { createMatMulOps, MATMUL_MODES, type MatMulMode, type MatMulOps } from './matmul.js';

/**
 * How attention's products over the batch and head axes run:
 * - `per-matrix`: one plain 2-D product per (row, head). The wasm backend runs a BatchMatMul
 *   whose second operand has leading axes in a generic loop at 1.8–2 GFLOP/s, while 2-D products
 *   take XNNPACK at 18–30 GFLOP/s (measured on [48, 300, 32]·[48, 32, 300] and the other
 *   attention shapes of an SFT batch): attention was ≈ 70 % of a `tiny` training step.
 * - `batched`: one [B, H, ·, ·] product each, for backends whose batched products are fast.
 */
export type AttentionProducts = 'per-matrix' | 'batched';

/** The attention modes, for option validation. */
export const ATTENTION_PRODUCTS: readonly AttentionProducts[] = ['per-matrix', 'batched'];

/** Options of TfjsModel. */
export interface TfjsModelOptions {
  /** How transposed products and gradients are computed (see matmul.ts). Default `explicit-transpose`. */
  readonly matmul: MatMulMode;
  /** How attention's batched products run. Default `per-matrix` on wasm, `batched` elsewhere. */
  readonly attention: AttentionProducts;
}

/** Defaults of TfjsModelOptions (attention: for the wasm backend). */
export const DEFAULT_TFJS_MODEL_OPTIONS: TfjsModelOptions = { matmul: 'explicit-transpose', attention: 'per-matrix' };

/** Validates model options and fills in defaults (attention from the active tfjs backend). */
export function parseTfjsModelOptions(input: Partial<TfjsModelOptions> = {}): TfjsModelOptions {
  const matmul = input.matmul ?? DEFAULT_TFJS_MODEL_OPTIONS.matmul;
  if (!MATMUL_MODES.includes(matmul))
    throw new EngineOptionsError('matmul', `expected one of ${MATMUL_MODES.join(', ')}, got ${String(matmul)}`);
  const attention = input.attention ?? (tf.getBackend() === 'wasm' ? 'per-matrix' : 'batched');
  if (!ATTENTION_PRODUCTS.includes(attention))
    throw new EngineOptionsError(
      'attention',
      `expected one of ${ATTENTION_PRODUCTS.join(', ')}, got ${String(attention)}`,
    );
  return { matmul, attention };
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
let nextModelId = 0;

/** RoPE tables for the queries [B·T, D] and for the keys [B·T, Hkv·Dh] (the same tables without GQA). */
interface Rope {
  readonly query: RopeTables;
  readonly key: RopeTables;
}

interface RopeTables {
  readonly cos: tf.Tensor;
  readonly sin: tf.Tensor;
}

/**
 * The additive causal + padding mask: [B, 1, T, T] for batched attention, or one [T, T] per row
 * for per-matrix attention (uploaded per row, since slicing a large tensor on wasm copies all of it).
 */
interface AttentionBias {
  readonly whole?: tf.Tensor;
  readonly rows?: readonly tf.Tensor[];
}

/** Head counts of one attention layer: query heads and key/value heads (equal without GQA). */
interface Heads {
  readonly query: number;
  readonly kv: number;
}

/** The model: variables plus the forward. Call dispose() when done. */
export class TfjsModel {
  /** The weights as trainable variables, by @vrft/model name. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  private readonly mm: MatMulOps;
  /** [Dh, Dh] pair rotation R: (x·R)[2i] = −x[2i+1], (x·R)[2i+1] = x[2i]. */
  private readonly ropeRotation: tf.Tensor2D;
  /** [Np, Nt] averaging matrix of the spatial pooling (absent when pool = 1). */
  private readonly poolMatrix: tf.Tensor2D | undefined;

  private constructor(
    readonly config: ModelConfig,
    weights: ModelWeights,
    readonly options: TfjsModelOptions,
  ) {
    checkWeights(config, weights);
    const prefix = `vrft-model-${nextModelId++}`;
    const variables = new Map<string, tf.Variable>();
    for (const spec of weightSpecs(config)) {
      const values = tf.tensor(weights.get(spec.name) as Float32Array, [...spec.shape], 'float32');
      variables.set(spec.name, tf.variable(values, true, `${prefix}/${spec.name}`));
      values.dispose();
    }
    this.variables = variables;
    this.mm = createMatMulOps(options.matmul);
    this.ropeRotation = tf.keep(buildRopeRotation(config.dModel / config.numHeads));
    this.poolMatrix = config.pool > 1 ? tf.keep(buildPoolMatrix(config)) : undefined;
  }

  /** A model holding copies of `weights` (checked against the config). */
  static create(config: ModelConfig, weights: ModelWeights, options: Partial<TfjsModelOptions> = {}): TfjsModel {
    return new TfjsModel(config, weights, parseTfjsModelOptions(options));
  }

  /** Logits [B, T, V] of a batch. Call inside tf.tidy (or a gradient function). */
  forward(batch: ModelBatch): tf.Tensor3D {
    const { batchSize: b, seqLen: t } = batch;
    const { dModel: d, vocabSize: v } = this.config;
    let x: tf.Tensor = tf.gather(this.w('lm.embed.weight'), tf.tensor1d(batch.tokenIds, 'int32')); // [B·T, D]
    if (batch.video !== undefined) {
      const visual = this.encodeVideo(batch.video.patches, b, batch.video.numFrames); // [B·Nv, D]
      // Splice: position t takes its own embedding or its visual token (BatchVideo.spliceIndex).
      x = tf.gather(tf.concat([x, visual], 0), tf.tensor1d(batch.video.spliceIndex, 'int32')); // [B·T, D]
    }
    const query: RopeTables = {
      cos: tf.tensor2d(batch.ropeCos, [b * t, d]),
      sin: tf.tensor2d(batch.ropeSin, [b * t, d]),
    };
    // The tables repeat each head's angles across D, so keys of width Hkv·Dh < D take a prefix of
    // the columns: sliced once per forward, not in every layer (a wasm slice copies its input).
    const kvWidth = kvDim(this.config);
    const prefix = (table: tf.Tensor): tf.Tensor => tf.slice(table, [0, 0], [b * t, kvWidth]);
    const key: RopeTables = kvWidth === d ? query : { cos: prefix(query.cos), sin: prefix(query.sin) };
    const rope: Rope = { query, key };
    const bias: AttentionBias =
      this.options.attention === 'batched'
        ? { whole: tf.tensor4d(batch.attentionBias, [b, 1, t, t]) } // causal + padding
        : {
            rows: Array.from({ length: b }, (_, row) =>
              tf.tensor2d(batch.attentionBias.subarray(row * t * t, (row + 1) * t * t), [t, t]),
            ),
          };
    const lmHeads: Heads = { query: this.config.numHeads, kv: this.config.numKvHeads };
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      x = this.block(`lm.blocks.${layer}`, x, b, t, lmHeads, bias, rope);
    }
    x = this.rmsNorm(x, 'lm.norm.weight');
    const logits = this.mm.productTransposed(x, this.w('lm.embed.weight')); // tied head: [B·T, V]
    return tf.reshape(logits, [b, t, v]);
  }

  /**
   * Visual tokens [B·Nv, D] of B clips of F frames, from normalised patches [B·F·Np, P·P·3]
   * (docs/model.md steps 3–8).
   */
  encodeVideo(patches: Float32Array, clips: number, frames: number): tf.Tensor2D {
    const c = this.config;
    const np = patchesPerFrame(c);
    const dv = c.visionDim;
    const features = c.patchSize * c.patchSize * 3;
    const rows = clips * frames * np;
    let h = this.linear(tf.tensor2d(patches, [rows, features]), 'vision.patch_embed.weight', 'vision.patch_embed.bias'); // [B·F·Np, Dv]
    const spatial = this.w('vision.pos_spatial'); // [Np, Dv]
    const temporal = tf.reshape(tf.slice(this.w('vision.pos_temporal'), [0, 0], [frames, dv]), [frames, 1, dv]); // [F, 1, Dv]
    h = tf.reshape(tf.add(tf.add(tf.reshape(h, [clips, frames, np, dv]), spatial), temporal), [rows, dv]);
    for (let layer = 0; layer < c.visionLayers; layer++) {
      // Bidirectional attention over the clip's F·Np tokens: no mask, no RoPE.
      const heads: Heads = { query: c.visionHeads, kv: c.visionHeads };
      h = this.block(`vision.blocks.${layer}`, h, clips, frames * np, heads, undefined, undefined);
    }
    h = this.rmsNorm(h, 'vision.norm.weight');
    if (this.poolMatrix !== undefined) {
      // Average each pool×pool group: per frame, pooled = Qᵀ·h with Q [Np, Nt], as a plain product
      // over [B·F·Dv, Np]·[Np, Nt].
      const nt = visualTokensPerFrame(c);
      const perFrame = tf.transpose(tf.reshape(h, [clips * frames, np, dv]), [0, 2, 1]); // [B·F, Dv, Np]
      const pooled = this.mm.product(tf.reshape(perFrame, [clips * frames * dv, np]), this.poolMatrix); // [B·F·Dv, Nt]
      h = tf.reshape(tf.transpose(tf.reshape(pooled, [clips * frames, dv, nt]), [0, 2, 1]), [clips * frames * nt, dv]);
    }
    // Projector: GELU(h·W1 + b1)·W2 + b2 → [B·Nv, D]
    const hidden = gelu(this.linear(h, 'projector.fc1.weight', 'projector.fc1.bias'));
    return this.linear(hidden, 'projector.fc2.weight', 'projector.fc2.bias') as tf.Tensor2D;
  }

  /** The weights as plain arrays, in @vrft/model's layout (the ONNX side reads this). */
  exportWeights(): ModelWeights {
    const weights: ModelWeights = new Map();
    for (const [name, variable] of this.variables) weights.set(name, variable.dataSync() as Float32Array);
    return weights;
  }

  /** Replaces every weight (checked against the config first). */
  loadWeights(weights: ModelWeights): void {
    checkWeights(this.config, weights);
    for (const spec of weightSpecs(this.config)) {
      const variable = this.variables.get(spec.name) as tf.Variable;
      tf.tidy(() => variable.assign(tf.tensor(weights.get(spec.name) as Float32Array, [...spec.shape], 'float32')));
    }
  }

  /** Frees the variables and constants. */
  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.ropeRotation.dispose();
    this.poolMatrix?.dispose();
  }

  private w(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new EngineOptionsError(name, 'no such weight');
    return variable;
  }

  /** x·W (+ b) for x [N, in]. */
  private linear(x: tf.Tensor, weight: string, bias?: string): tf.Tensor {
    const y = this.mm.product(x, this.w(weight));
    return bias === undefined ? y : tf.add(y, this.w(bias));
  }

  /** RMSNorm: x / sqrt(mean(x²) + eps) · weight, over the last axis. */
  private rmsNorm(x: tf.Tensor, weight: string): tf.Tensor {
    const inverse = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), this.config.normEps));
    return tf.mul(tf.mul(x, inverse), this.w(weight));
  }

  /** A pre-norm block: x += Attn(RMSNorm(x)); x += MLP(RMSNorm(x)). x is [B·T, W]. */
  private block(
    prefix: string,
    x: tf.Tensor,
    b: number,
    t: number,
    heads: Heads,
    bias: AttentionBias | undefined,
    rope: Rope | undefined,
  ): tf.Tensor {
    const h = this.rmsNorm(x, `${prefix}.norm1.weight`);
    let q = this.linear(h, `${prefix}.attn.wq`); // [B·T, W]
    let k = this.linear(h, `${prefix}.attn.wk`); // [B·T, Hkv·Dh]
    const v = this.linear(h, `${prefix}.attn.wv`);
    if (rope !== undefined) {
      q = this.applyRope(q, rope.query, heads.query);
      k = this.applyRope(k, rope.key, heads.kv);
    }
    const attended = this.attention(q, k, v, b, t, heads, bias); // [B·T, W]
    const x1 = tf.add(x, this.linear(attended, `${prefix}.attn.wo`));
    const h2 = this.rmsNorm(x1, `${prefix}.norm2.weight`);
    // SwiGLU: (SiLU(x·W1) ⊙ (x·W3))·W2, SiLU(z) = z·σ(z)
    const gate = this.linear(h2, `${prefix}.mlp.w1`);
    const up = this.linear(h2, `${prefix}.mlp.w3`);
    const mlp = this.linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), `${prefix}.mlp.w2`);
    return tf.add(x1, mlp);
  }

  /**
   * Multi-head attention of q [B·T, W] and k, v [B·T, Hkv·Dh]: softmax(q·kᵀ/√Dh + bias)·v,
   * heads concatenated. With grouped-query attention, query head h reads K/V head ⌊h/G⌋.
   */
  private attention(
    q: tf.Tensor,
    k: tf.Tensor,
    v: tf.Tensor,
    b: number,
    t: number,
    heads: Heads,
    bias: AttentionBias | undefined,
  ): tf.Tensor {
    const width = q.shape[1] as number;
    const dh = width / heads.query;
    const group = heads.query / heads.kv;
    const split = (x: tf.Tensor, count: number): tf.Tensor =>
      tf.transpose(tf.reshape(x, [b, t, count, dh]), [0, 2, 1, 3]); // [B, count, T, Dh]
    let out: tf.Tensor; // [B, H, T, Dh]
    if (this.options.attention === 'per-matrix') {
      out = this.attendPerMatrix(split(q, heads.query), split(k, heads.kv), split(v, heads.kv), group, bias?.rows);
    } else {
      const keys = repeatKvHeads(split(k, heads.kv), group); // [B, H, T, Dh]
      const values = repeatKvHeads(split(v, heads.kv), group);
      let scores = tf.mul(this.mm.productTransposed(split(q, heads.query), keys), 1 / Math.sqrt(dh)); // [B, H, T, T]
      if (bias?.whole !== undefined) scores = tf.add(scores, bias.whole);
      out = this.mm.product(tf.softmax(scores), values);
    }
    return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b * t, width]);
  }

  /**
   * softmax(q·kᵀ/√Dh + bias)·v one (row, head) at a time, with 2-D products only (see
   * AttentionProducts): q [B, H, T, Dh], k and v [B, Hkv, T, Dh], bias one [T, T] per row.
   * Query head h reads K/V head ⌊h/G⌋ itself (no copies): the tape sums its G gradients.
   * Unstacking row by row, then head by head, keeps each slice's read small (a wasm slice copies
   * its whole input); Unpack's gradient is a Stack, which is cheap.
   */
  private attendPerMatrix(
    q: tf.Tensor,
    k: tf.Tensor,
    v: tf.Tensor,
    group: number,
    bias: readonly tf.Tensor[] | undefined,
  ): tf.Tensor {
    const scale = 1 / Math.sqrt(q.shape[3] as number);
    const byRowAndHead = (x: tf.Tensor): tf.Tensor[][] => tf.unstack(x).map((row) => tf.unstack(row)); // [B][n] of [T, Dh]
    const [qs, ks, vs] = [byRowAndHead(q), byRowAndHead(k), byRowAndHead(v)];
    const rows = qs.map((heads, r) => {
      const rowKeys = ks[r] as tf.Tensor[];
      const rowValues = vs[r] as tf.Tensor[];
      const outputs = heads.map((query, h) => {
        const kvHead = Math.floor(h / group);
        let scores = tf.mul(this.mm.productTransposed(query, rowKeys[kvHead] as tf.Tensor), scale); // [T, T]
        if (bias !== undefined) scores = tf.add(scores, bias[r] as tf.Tensor);
        return this.mm.product(tf.softmax(scores), rowValues[kvHead] as tf.Tensor); // [T, Dh]
      });
      return tf.stack(outputs); // [H, T, Dh]
    });
    return tf.stack(rows); // [B, H, T, Dh]
  }

  /**
   * RoPE on x [B·T, heads·Dh]: each head's pair (x[2i], x[2i+1]) turns by pos·θ_i:
   * (x[2i]·cos − x[2i+1]·sin, x[2i]·sin + x[2i+1]·cos) = x·cos + (x·R)·sin.
   */
  private applyRope(x: tf.Tensor, tables: RopeTables, heads: number): tf.Tensor {
    const [n, d] = x.shape as [number, number];
    const rotated = tf.reshape(this.mm.product(tf.reshape(x, [n * heads, d / heads]), this.ropeRotation), [n, d]);
    return tf.add(tf.mul(x, tables.cos), tf.mul(rotated, tables.sin));
  }
}

/**
 * Repeats each K/V head of x [B, Hkv, T, Dh] for the G query heads it serves → [B, Hkv·G, T, Dh],
 * head j becoming heads j·G … j·G + G − 1 (the order docs/model.md fixes). A Concat of G copies
 * rather than tf.tile: Concat has a registered gradient (gradients.ts), which hands each copy
 * its slice, and the tape sums the G slices back onto the shared head. G = 1 returns x itself.
 */
function repeatKvHeads(x: tf.Tensor, groupSize: number): tf.Tensor {
  if (groupSize === 1) return x;
  const [b, kv, t, dh] = x.shape as [number, number, number, number];
  const head = tf.reshape(x, [b, kv, 1, t * dh]);
  const copies = tf.concat(new Array<tf.Tensor>(groupSize).fill(head), 2); // [B, Hkv, G, T·Dh]
  return tf.reshape(copies, [b, kv * groupSize, t, dh]);
}

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function gelu(x: tf.Tensor): tf.Tensor {
  const cube = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** R with R[2i+1][2i] = −1 and R[2i][2i+1] = 1, so x·R = (−x1, x0, −x3, x2, …). */
function buildRopeRotation(dh: number): tf.Tensor2D {
  const values = new Float32Array(dh * dh);
  for (let i = 0; i < dh; i += 2) {
    values[(i + 1) * dh + i] = -1;
    values[i * dh + i + 1] = 1;
  }
  return tf.tensor2d(values, [dh, dh]);
}

/** Q [Np, Nt]: patch (r, c) feeds pooled token (r/pool, c/pool), row-major, with weight 1/pool². */
function buildPoolMatrix(config: ModelConfig): tf.Tensor2D {
  const np = patchesPerFrame(config);
  const nt = visualTokensPerFrame(config);
  const gridCols = config.imageWidth / config.patchSize;
  const pooledCols = gridCols / config.pool;
  const values = new Float32Array(np * nt);
  for (let patch = 0; patch < np; patch++) {
    const row = Math.floor(patch / gridCols);
    const col = patch % gridCols;
    const token = Math.floor(row / config.pool) * pooledCols + Math.floor(col / config.pool);
    values[patch * nt + token] = 1 / (config.pool * config.pool);
  }
  return tf.tensor2d(values, [np, nt]);
}
