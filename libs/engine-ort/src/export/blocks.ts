/**
 * The transformer pieces shared by the vision and language graphs (docs/model.md): RMSNorm,
 * multi-head or grouped-query attention (optionally with rotary positions, an additive mask and
 * a KV cache) and the SwiGLU MLP, written with the graph builder.
 */
import { weightSpecs, type ModelConfig, type ModelWeights } from '@vrft/model';
import { int, type GraphBuilder } from '../onnx/graph-builder.js';

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

/**
 * RMSNorm: x / sqrt(mean(x²) + eps) · weight, over the last axis. Written as
 * Pow(2) → ReduceMean → Add → Sqrt → Div(x, ·) → Mul(weight), the pattern onnxruntime fuses into
 * one SimplifiedLayerNormalization kernel (six nodes fewer per norm: node dispatch, not
 * arithmetic, dominates these small tensors in a decode step).
 */
export function rmsNorm(g: GraphBuilder, x: string, weight: string, eps: number): string {
  const meanSquare = g.reduceMean(g.op('Pow', [x, g.scalar(2)]), [-1], true); // [..., 1]
  return g.mul(g.div(x, g.sqrt(g.add(meanSquare, g.scalar(eps)))), weight);
}

/** SwiGLU MLP: (SiLU(x·W1) ⊙ (x·W3)) · W2, SiLU(a) = a·σ(a). */
export function swiGluMlp(g: GraphBuilder, x: string, w: WeightLookup, prefix: string): string {
  const gate = g.matMul(x, w(`${prefix}.mlp.w1`));
  const up = g.matMul(x, w(`${prefix}.mlp.w3`));
  const silu = g.mul(gate, g.sigmoid(gate));
  return g.matMul(g.mul(silu, up), w(`${prefix}.mlp.w2`));
}

/**
 * Rotary tables for a head size, one column per channel: cos[pos, 2i] = cos[pos, 2i+1] = c·cos(pos·θ_i)
 * and sin[pos, 2i] = −c·sin(pos·θ_i), sin[pos, 2i+1] = +c·sin(pos·θ_i), θ_i = base^(−2i/Dh), with
 * a factor c (1, or 1/√Dh for the queries); [positions, Dh] each. The signs let applyRope rotate
 * with one swap, two products and a sum.
 */
export function ropeTables(
  positions: number,
  headSize: number,
  base: number,
  scale = 1,
): { cos: Float32Array; sin: Float32Array } {
  const half = headSize / 2;
  const cos = new Float32Array(positions * headSize);
  const sin = new Float32Array(positions * headSize);
  for (let pos = 0; pos < positions; pos++) {
    for (let i = 0; i < half; i++) {
      // Angles in float64, rounded once to float32, so long positions stay accurate.
      const angle = pos * Math.pow(base, (-2 * i) / headSize);
      const at = pos * headSize + 2 * i;
      cos[at] = cos[at + 1] = scale * Math.cos(angle);
      sin[at] = -scale * Math.sin(angle);
      sin[at + 1] = scale * Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** cos/sin gathered at some positions, shaped to broadcast over [B, S, H, Dh]. */
export interface RopeAngles {
  readonly cos: string;
  readonly sin: string;
}

/** The rotary angles of keys and of queries (whose tables carry 1/√Dh), and the pair swap. */
export interface RopeAtPositions {
  readonly key: RopeAngles;
  /**
   * The query tables include the 1/√Dh of q·kᵀ/√Dh, so no separate scaling node is left for
   * onnxruntime to fold into the q·Kᵀ product as a factor α ≠ 1, which takes a slower kernel
   * (measured: 37 → 25 ms per `small` decode step at batch 64 over 256 cached slots).
   */
  readonly query: RopeAngles;
  /** [Dh, Dh] permutation exchanging channels 2i and 2i+1 (x·swap is exact: one 1 per column). */
  readonly swap: string;
}

/**
 * The rotary tables ([contextLength, Dh] initializers) gathered at `positionIds` [B, S] →
 * [B, S, 1, Dh].
 */
export function gatherRope(
  g: GraphBuilder,
  positionIds: string,
  positions: number,
  headSize: number,
  base: number,
): RopeAtPositions {
  const angles = (name: string, scale: number): RopeAngles => {
    const tables = ropeTables(positions, headSize, base, scale);
    const at = (table: string, values: Float32Array): string =>
      g.unsqueeze(g.gather(g.weight(table, values, [positions, headSize]), positionIds, 0), [2]);
    return { cos: at(`${name}.cos`, tables.cos), sin: at(`${name}.sin`, tables.sin) };
  };
  const swap = new Float32Array(headSize * headSize);
  for (let c = 0; c < headSize; c++) swap[c * headSize + (c ^ 1)] = 1;
  return {
    key: angles('rope', 1),
    query: angles('rope.query', 1 / Math.sqrt(headSize)),
    swap: g.weight('rope.swap', swap, [headSize, headSize]),
  };
}

/**
 * Rotates pairs (2i, 2i+1) of x [B, S, H, Dh] by the gathered angles:
 * y₂ᵢ = x₂ᵢ·cos − x₂ᵢ₊₁·sin, y₂ᵢ₊₁ = x₂ᵢ₊₁·cos + x₂ᵢ·sin, computed as
 * y = x ⊙ cos + swap(x) ⊙ sin± with swap exchanging each pair's two channels and the
 * signs in the table: the same products and sums, in four nodes instead of ten (a Gather on
 * the last axis for the swap was slower than this [Dh, Dh] product).
 */
export function applyRope(g: GraphBuilder, x: string, angles: RopeAngles, swap: string): string {
  return g.add(g.mul(x, angles.cos), g.mul(g.matMul(x, swap), angles.sin));
}

/** Options of one attention layer. */
export interface AttentionOptions {
  readonly prefix: string; // weight prefix, e.g. `lm.blocks.0`
  readonly heads: number;
  /**
   * Key/value heads Hkv (grouped-query attention): K/V head j serves the G = H/Hkv query heads
   * j·G … j·G + G − 1. Default: `heads` (multi-head attention).
   */
  readonly kvHeads?: number;
  readonly headSize: number;
  readonly rope?: RopeAtPositions;
  /** Additive mask broadcastable to [B, H, S, S] (0 or MASKED_SCORE). */
  readonly bias?: string;
  /**
   * A KV cache of fixed capacity C (decode, S = 1): keys and values [B, Hkv, C, Dh] and an
   * additive mask [B, 1, 1, C] that hides the unwritten and padding slots. The new token attends
   * to the cache and to itself; the cache is read, never copied.
   */
  readonly cache?: { readonly key: string; readonly value: string; readonly bias: string };
}

/** The attention output and this call's keys and values (all S positions, or the new one). */
export interface AttentionResult {
  readonly output: string; // [B, S, D]
  readonly key: string; // [B, Hkv, S, Dh], after RoPE
  readonly value: string; // [B, Hkv, S, Dh]
}

/**
 * Multi-head attention on x [B, S, D]: softmax(q·kᵀ/√Dh + bias)·v per head, heads concatenated,
 * then · Wo. Scaling q by 1/√Dh before the product is the same equation with fewer multiplies
 * (with rotary positions the factor is in the query's tables already). With grouped-query
 * attention a K/V head's keys and values serve its G query heads in place, never copied per
 * query head (decode: see cachedScores; prefill: one product per K/V head that broadcasts over
 * the G query heads). With G = 1 the graph is the multi-head one node for node.
 */
export function attention(g: GraphBuilder, x: string, w: WeightLookup, options: AttentionOptions): AttentionResult {
  const { prefix, heads, headSize } = options;
  const kvHeads = options.kvHeads ?? heads;
  const group = heads / kvHeads;
  const split = (t: string, count: number): string => g.reshape(t, [0, 0, count, headSize]); // [B, S, count, Dh]
  let q = split(g.matMul(x, w(`${prefix}.attn.wq`)), heads);
  let k = split(g.matMul(x, w(`${prefix}.attn.wk`)), kvHeads);
  const v = split(g.matMul(x, w(`${prefix}.attn.wv`)), kvHeads);
  if (options.rope) {
    q = applyRope(g, q, options.rope.query, options.rope.swap); // and × 1/√Dh
    k = applyRope(g, k, options.rope.key, options.rope.swap);
  }
  // [B, S, n, Dh] → [B, n, S, Dh]. With the cache S = 1, where both orders have the same memory
  // layout: a Reshape (free) instead of a Transpose (a copy and a node's dispatch). There the
  // query heads go straight to [B, Hkv, G, Dh]: a K/V head's G queries as the rows of one operand.
  const toHeads = (t: string, count: number, rows = 1): string =>
    options.cache ? g.reshape(t, [0, count, rows, headSize]) : g.transpose(t, [0, 2, 1, 3]);
  const keys = toHeads(k, kvHeads);
  const values = toHeads(v, kvHeads);
  const queries = toHeads(q, kvHeads, group); // decode [B, Hkv, G, Dh]; prefill [B, H, S, Dh]
  const qScaled = options.rope ? queries : g.mul(queries, g.scalar(1 / Math.sqrt(headSize)));
  let context: string;
  if (options.cache) {
    context = cachedContext(g, qScaled, keys, values, options.cache, group); // [B, Hkv, G, Dh]
  } else if (group === 1) {
    context = selfContext(g, qScaled, keys, values, options.bias); // [B, H, S, Dh]
  } else {
    // [B, Hkv, G, S, Dh] against keys and values [B, Hkv, 1, S, Dh] (MatMul broadcasts over G)
    const grouped = selfContext(
      g,
      g.reshape(qScaled, [0, kvHeads, group, -1, headSize]),
      g.unsqueeze(keys, [2]),
      g.unsqueeze(values, [2]),
      options.bias === undefined ? undefined : g.unsqueeze(options.bias, [2]), // [B, 1, 1, S, S]
      5,
    );
    context = g.reshape(grouped, [0, heads, -1, headSize]); // [B, H, S, Dh]
  }
  const fromHeads = options.cache ? context : g.transpose(context, [0, 2, 1, 3]); // [B, S, H, Dh]
  const merged = g.reshape(fromHeads, [0, options.cache ? 1 : 0, heads * headSize]); // [B, S, D]
  return { output: g.matMul(merged, w(`${prefix}.attn.wo`)), key: keys, value: values };
}

/** Swaps the last two axes of a tensor of `rank` axes. */
function transposeLast(g: GraphBuilder, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return g.transpose(x, perm);
}

/**
 * softmax(q·kᵀ + bias)·v over the S positions themselves → [B, H, S, Dh] (rank 4), or
 * [B, Hkv, G, S, Dh] for grouped queries (rank 5).
 */
function selfContext(g: GraphBuilder, q: string, keys: string, values: string, bias?: string, rank = 4): string {
  let scores = g.matMul(q, transposeLast(g, keys, rank)); // [B, H, S, S] or [B, Hkv, G, S, S]
  if (bias) scores = g.add(scores, bias);
  return g.matMul(g.softmax(scores, -1), values);
}

/**
 * One new position against a cache of C slots plus itself, without concatenating the cache:
 * weights = softmax([q·Kᵀ + bias ‖ q·kₙₑᵥᵀ]) [B, Hkv, G, C+1], context = w[:C]·V + w[C]·vₙₑᵥ,
 * for queries q [B, Hkv, G, Dh] (G = 1: [B, H, 1, Dh]) and the new key and value [B, Hkv, 1, Dh].
 */
function cachedContext(
  g: GraphBuilder,
  q: string,
  keys: string,
  values: string,
  cache: { key: string; value: string; bias: string },
  group: number,
): string {
  const pastScores = g.add(cachedScores(g, q, cache.key, group), cache.bias); // [B, Hkv, G, C]
  // q·kₙₑᵥ as a product and a sum over Dh: a batched [1, Dh]·[Dh, 1] MatMul costs ~1 ms per
  // step at B·H = 512 small products (profiled on `small`, batch 64), this costs ~0.05 ms.
  const ownScore = g.op('ReduceSum', [g.mul(q, keys), g.int64s([-1])], { keepdims: int(1) }); // [B, Hkv, G, 1]
  const weights = g.softmax(g.concat([pastScores, ownScore], 3), -1); // [B, Hkv, G, C+1]
  const pastWeights = g.slice(weights, g.int64s([0]), g.int64s([-1]), [3]); // [B, Hkv, G, C]
  const ownWeight = g.slice(weights, g.int64s([-1]), g.int64s([2 ** 53]), [3]); // [B, Hkv, G, 1]
  return g.add(cachedValues(g, pastWeights, cache.value, group), g.mul(ownWeight, values)); // [B, Hkv, G, Dh]
}

/**
 * q·Kᵀ over the cache → [B, Hkv, G, C], and (cachedValues) w·V → [B, Hkv, G, Dh]. Multi-head
 * (G = 1): batched mat-vecs [1, Dh]·[Dh, C] and [1, C]·[C, Dh]. With G query heads per K/V head,
 * the forms below were the fastest measured for a `small` step at batch 64 over 192–224 slots
 * (2 threads, interleaved in one process; fastest step 37–42 ms against 45–53 ms with the plain
 * [B, Hkv, G, Dh]·[B, Hkv, Dh, C] and [B, Hkv, G, C]·[B, Hkv, C, Dh] products, whose
 * onnxruntime kernels pack each row's cache block before a G-row product):
 * - scores as K·qᵀ: each row's keys [C, Dh] are the streamed operand of one [C, Dh]·[Dh, G]
 *   product, read once for all G queries; the [B, Hkv, C, G] result is small to transpose.
 * - w·V as G mat-vecs [1, C]·[C, Dh] that share the values by broadcasting (no copy): they run
 *   back to back on the same [C, Dh] block, so its G − 1 re-reads hit the cache, not memory.
 */
export function cachedScores(g: GraphBuilder, q: string, cacheKey: string, group: number): string {
  if (group === 1) return g.matMul(q, g.transpose(cacheKey, [0, 1, 3, 2])); // [B, H, 1, C]
  const transposed = g.matMul(cacheKey, g.transpose(q, [0, 1, 3, 2])); // [B, Hkv, C, G]
  return g.transpose(transposed, [0, 1, 3, 2]); // [B, Hkv, G, C]
}

/** w [B, Hkv, G, C] · V [B, Hkv, C, Dh] → [B, Hkv, G, Dh] (the forms are explained at cachedScores). */
export function cachedValues(g: GraphBuilder, weights: string, cacheValue: string, group: number): string {
  if (group === 1) return g.matMul(weights, cacheValue); // [B, H, 1, Dh]
  const rows = g.matMul(g.unsqueeze(weights, [3]), g.unsqueeze(cacheValue, [2])); // [B, Hkv, G, 1, Dh]
  return g.reshape(rows, [0, 0, group, -1]); // [B, Hkv, G, Dh]
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
