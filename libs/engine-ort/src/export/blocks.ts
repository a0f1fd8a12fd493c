/**
 * The transformer pieces shared by the vision and language graphs (docs/model.md): RMSNorm,
 * multi-head attention (optionally with rotary positions, an additive mask and a KV cache) and
 * the SwiGLU MLP, written with the graph builder.
 */
import { weightSpecs, type ModelConfig, type ModelWeights } from '@vrft/model';
import { type GraphBuilder } from '../onnx/graph-builder.js';

/** Finite "minus infinity" for masked scores: exp() underflows to exactly 0 and no row turns NaN. */
export const MASKED_SCORE = -1e9;

/** Returns the initializer name of a model weight, adding it to the graph on first use. */
export type WeightLookup = (name: string) => string;

/** A weight lookup over checked weights: shapes come from the config's weight specs. */
export function createWeightLookup(g: GraphBuilder, config: ModelConfig, weights: ModelWeights): WeightLookup {
  const shapes = new Map(weightSpecs(config).map((spec) => [spec.name, spec.shape]));
  const added = new Set<string>();
  return (name) => {
    const shape = shapes.get(name);
    const data = weights.get(name);
    if (shape === undefined || data === undefined) throw new Error(`exporter asked for unknown weight ${name}`);
    if (!added.has(name)) {
      g.weight(name, data, shape);
      added.add(name);
    }
    return name;
  };
}

/** RMSNorm: x / sqrt(mean(x²) + eps) · weight, over the last axis. */
export function rmsNorm(g: GraphBuilder, x: string, weight: string, eps: number): string {
  const meanSquare = g.reduceMean(g.mul(x, x), [-1], true); // [..., 1]
  const inverse = g.div(g.scalar(1), g.sqrt(g.add(meanSquare, g.scalar(eps))));
  return g.mul(g.mul(x, inverse), weight);
}

/** SwiGLU MLP: (SiLU(x·W1) ⊙ (x·W3)) · W2, SiLU(a) = a·σ(a). */
export function swiGluMlp(g: GraphBuilder, x: string, w: WeightLookup, prefix: string): string {
  const gate = g.matMul(x, w(`${prefix}.mlp.w1`));
  const up = g.matMul(x, w(`${prefix}.mlp.w3`));
  const silu = g.mul(gate, g.sigmoid(gate));
  return g.matMul(g.mul(silu, up), w(`${prefix}.mlp.w2`));
}

/** Rotary tables for a head size: cos/sin of pos·θ_i, θ_i = base^(−2i/Dh), [positions, Dh/2]. */
export function ropeTables(
  positions: number,
  headSize: number,
  base: number,
): { cos: Float32Array; sin: Float32Array } {
  const half = headSize / 2;
  const cos = new Float32Array(positions * half);
  const sin = new Float32Array(positions * half);
  for (let pos = 0; pos < positions; pos++) {
    for (let i = 0; i < half; i++) {
      // Angles in float64, rounded once to float32, so long positions stay accurate.
      const angle = pos * Math.pow(base, (-2 * i) / headSize);
      cos[pos * half + i] = Math.cos(angle);
      sin[pos * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** cos/sin gathered at the position ids, shaped to broadcast over [B, S, H, Dh/2, 1]. */
export interface RopeAtPositions {
  readonly cos: string;
  readonly sin: string;
}

/** Gathers the rotary tables at `positionIds` [B, S] → [B, S, 1, Dh/2, 1]. */
export function gatherRope(g: GraphBuilder, cosTable: string, sinTable: string, positionIds: string): RopeAtPositions {
  const expand = (table: string): string => g.unsqueeze(g.gather(table, positionIds, 0), [2, 4]);
  return { cos: expand(cosTable), sin: expand(sinTable) };
}

/**
 * Rotates pairs (2i, 2i+1) of x [B, S, H, Dh] by the gathered angles:
 * y₂ᵢ = x₂ᵢ·cos − x₂ᵢ₊₁·sin, y₂ᵢ₊₁ = x₂ᵢ·sin + x₂ᵢ₊₁·cos.
 */
export function applyRope(g: GraphBuilder, x: string, rope: RopeAtPositions, headSize: number): string {
  const pairs = g.reshape(x, [0, 0, 0, headSize / 2, 2]); // [B, S, H, Dh/2, 2]
  const [even, odd] = g.split(pairs, 4, [1, 1]) as [string, string]; // [B, S, H, Dh/2, 1] each
  const rotatedEven = g.sub(g.mul(even, rope.cos), g.mul(odd, rope.sin));
  const rotatedOdd = g.add(g.mul(even, rope.sin), g.mul(odd, rope.cos));
  return g.reshape(g.concat([rotatedEven, rotatedOdd], 4), [0, 0, 0, headSize]);
}

/** Options of one attention layer. */
export interface AttentionOptions {
  readonly prefix: string; // weight prefix, e.g. `lm.blocks.0`
  readonly heads: number;
  readonly headSize: number;
  readonly rope?: RopeAtPositions;
  /** Additive mask broadcastable to [B, H, S, S] (0 or MASKED_SCORE). */
  readonly bias?: string;
  /**
   * A KV cache of fixed capacity C (decode, S = 1): keys and values [B, H, C, Dh] and an
   * additive mask [B, 1, 1, C] that hides the unwritten and padding slots. The new token attends
   * to the cache and to itself; the cache is read, never copied.
   */
  readonly cache?: { readonly key: string; readonly value: string; readonly bias: string };
}

/** The attention output and this call's keys and values (all S positions, or the new one). */
export interface AttentionResult {
  readonly output: string; // [B, S, D]
  readonly key: string; // [B, H, S, Dh], after RoPE
  readonly value: string; // [B, H, S, Dh]
}

/**
 * Multi-head attention on x [B, S, D]: softmax(q·kᵀ/√Dh + bias)·v per head, heads concatenated,
 * then · Wo. Scaling q by 1/√Dh before the product is the same equation with fewer multiplies.
 */
export function attention(g: GraphBuilder, x: string, w: WeightLookup, options: AttentionOptions): AttentionResult {
  const { prefix, heads, headSize } = options;
  const split = (t: string): string => g.reshape(t, [0, 0, heads, headSize]); // [B, S, H, Dh]
  let q = split(g.matMul(x, w(`${prefix}.attn.wq`)));
  let k = split(g.matMul(x, w(`${prefix}.attn.wk`)));
  const v = split(g.matMul(x, w(`${prefix}.attn.wv`)));
  if (options.rope) {
    q = applyRope(g, q, options.rope, headSize);
    k = applyRope(g, k, options.rope, headSize);
  }
  const toHeads = (t: string): string => g.transpose(t, [0, 2, 1, 3]); // [B, H, S, Dh]
  const keys = toHeads(k);
  const values = toHeads(v);
  const qScaled = g.mul(toHeads(q), g.scalar(1 / Math.sqrt(headSize)));
  const context = options.cache
    ? cachedContext(g, qScaled, keys, values, options.cache)
    : selfContext(g, qScaled, keys, values, options.bias);
  const merged = g.reshape(g.transpose(context, [0, 2, 1, 3]), [0, 0, heads * headSize]); // [B, S, D]
  return { output: g.matMul(merged, w(`${prefix}.attn.wo`)), key: keys, value: values };
}

/** softmax(q·kᵀ + bias)·v over the S positions themselves → [B, H, S, Dh]. */
function selfContext(g: GraphBuilder, q: string, keys: string, values: string, bias?: string): string {
  let scores = g.matMul(q, g.transpose(keys, [0, 1, 3, 2])); // [B, H, S, S]
  if (bias) scores = g.add(scores, bias);
  return g.matMul(g.softmax(scores, -1), values);
}

/**
 * One new position against a cache of C slots plus itself, without concatenating the cache:
 * weights = softmax([q·Kᵀ + bias ‖ q·kₙₑᵥᵀ]) [B, H, 1, C+1], context = w[:C]·V + w[C]·vₙₑᵥ.
 */
function cachedContext(
  g: GraphBuilder,
  q: string,
  keys: string,
  values: string,
  cache: { key: string; value: string; bias: string },
): string {
  const pastScores = g.add(g.matMul(q, g.transpose(cache.key, [0, 1, 3, 2])), cache.bias); // [B, H, 1, C]
  const ownScore = g.matMul(q, g.transpose(keys, [0, 1, 3, 2])); // [B, H, 1, 1]
  const weights = g.softmax(g.concat([pastScores, ownScore], 3), -1); // [B, H, 1, C+1]
  const pastWeights = g.slice(weights, g.int64s([0]), g.int64s([-1]), [3]); // [B, H, 1, C]
  const ownWeight = g.slice(weights, g.int64s([-1]), g.int64s([2 ** 53]), [3]); // [B, H, 1, 1]
  return g.add(g.matMul(pastWeights, cache.value), g.mul(ownWeight, values)); // [B, H, 1, Dh]
}

/** Options of one pre-norm block. */
export type BlockOptions = AttentionOptions & { readonly eps: number };

/** A pre-norm block: h += Attn(RMSNorm(h)); h += MLP(RMSNorm(h)). */
export function transformerBlock(
  g: GraphBuilder,
  h: string,
  w: WeightLookup,
  options: BlockOptions,
): { hidden: string; key: string; value: string } {
  const { prefix, eps } = options;
  const attended = attention(g, rmsNorm(g, h, w(`${prefix}.norm1.weight`), eps), w, options);
  const h1 = g.add(h, attended.output);
  const h2 = g.add(h1, swiGluMlp(g, rmsNorm(g, h1, w(`${prefix}.norm2.weight`), eps), w, prefix));
  return { hidden: h2, key: attended.key, value: attended.value };
}
