/**
 * The raw onnxruntime forward FLOP ceilings of a decode step, timed through the same
 * onnxruntime build with the engine's session settings:
 *
 * - `matmul`: only the step's weight products (per layer x·Wq, x·Wk, x·Wv, ·Wo, the SwiGLU pair
 *   and W2; then the tied head), with the model's shapes (Wk, Wv [D, Hkv·Dh]). Nothing else
 *   (norms, attention over the cache, sampling) is in it.
 * - `forward`: the same products plus attention over a cache of P positions per row (q·Kᵀ
 *   [B, H, 1, Dh]·[B, H, Dh, P] and p·V [B, H, 1, P]·[B, H, P, Dh] per layer; with grouped-query
 *   attention the decode graph's own products over [B, Hkv, P, Dh] keys and values, which read
 *   each K/V head once for its G query heads: blocks.ts, cachedScores), P = the rows' mean written
 *   length, so no padding slot is read. These products are memory-bound (every row reads its own
 *   keys and values), so this ceiling runs at fewer FLOP/s.
 *
 * A real step does all of these products and more, so it cannot beat either ceiling.
 */
import { headDim, kvDim, type ModelConfig } from '@vrft/model';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { cachedScores, cachedValues } from '../export/blocks.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { encodeOnnxModel } from '../onnx/onnx-proto.js';

/**
 * FLOPs of the matrix products of one token's forward: 2·(L·(2D² + 2D·Dkv + 3DM) + D·V), with
 * Dkv = Hkv·Dh the width of keys and values (D without grouped-query attention: 4D²).
 */
export function matmulFlopsPerToken(config: ModelConfig): number {
  const { dModel: d, mlpHidden: m, numLayers: l, vocabSize: v } = config;
  return 2 * (l * (2 * d * d + 2 * d * kvDim(config) + 3 * d * m) + d * v);
}

/**
 * FLOPs of attention over a cache of `context` positions: q·kᵀ and p·v, 2·2·P·D per layer (every
 * query head does its own products, whether or not its keys are shared).
 */
export function attentionFlopsPerToken(config: ModelConfig, context: number): number {
  return 4 * config.numLayers * context * config.dModel;
}

/** Uniform values in (−amplitude, amplitude) from a fixed LCG. */
function filled(size: number, seed: number, amplitude: number): Float32Array {
  const data = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = ((state >>> 8) / 16777216 - 0.5) * 2 * amplitude;
  }
  return data;
}

/**
 * Graph input names of the attention chain's cache: keys [B, H, Dh, P] (multi-head) or
 * [B, Hkv, P, Dh] (grouped, as the engine's cache), values [B, Hkv, P, Dh].
 */
const cacheKey = (layer: number) => `k${layer}`;
const cacheValue = (layer: number) => `v${layer}`;

/**
 * The products of one decode step (random weights: only shapes matter). Per layer
 * x' = (a + x·Wk + x·Wv)·Wo with a = q = x·Wq, or, with attention, a = (q·Kᵀ)·V over the
 * cache inputs (no softmax: it is not a product); then the SwiGLU pair and W2. The sums keep
 * every product live.
 */
export function buildMatmulChain(config: ModelConfig, attention = false): Uint8Array {
  const { dModel: d, mlpHidden: m, numLayers: l, vocabSize: v, numKvHeads: kvHeads } = config;
  const dh = headDim(config);
  const dkv = kvDim(config);
  const group = config.numHeads / kvHeads;
  const g = new GraphBuilder('matmul_chain');
  let x = g.input('x', 'float', ['batch', d]);
  let seed = 1;
  // Var(w) = 1/rows (uniform ±√(3/rows)) keeps activations at unit scale through the chain.
  // Smaller weights shrink them ~10× per product until they are subnormal floats, which run
  // ~30× slower on some x86 CPUs and made the "ceiling" far too low (measured: 2.7 GFLOP/s on
  // `small` at batch 64, against 96 with activations kept normal).
  const weight = (rows: number, cols: number): string =>
    g.weight(`w${seed}`, filled(rows * cols, seed++, Math.sqrt(3 / rows)), [rows, cols]);
  for (let layer = 0; layer < l; layer++) {
    let q = g.matMul(x, weight(d, d));
    const k = g.matMul(x, weight(d, dkv));
    const value = g.matMul(x, weight(d, dkv));
    if (attention) {
      const grouped = group > 1;
      const keyDims = grouped ? ['batch', kvHeads, 'context', dh] : ['batch', kvHeads, dh, 'context'];
      const keys = g.input(cacheKey(layer), 'float', keyDims);
      const values = g.input(cacheValue(layer), 'float', ['batch', kvHeads, 'context', dh]);
      const queries = g.reshape(q, [-1, kvHeads, group, dh]);
      // Grouped: the decode graph's own products (blocks.ts), so both read the cache alike.
      const context = grouped
        ? cachedValues(g, cachedScores(g, queries, keys, group), values, group)
        : g.matMul(g.matMul(queries, keys), values); // [B, H, 1, P]·[B, H, P, Dh]
      q = g.reshape(context, [-1, d]); // [B, D]
    }
    // Dkv < D: k + v fill the first Dkv columns of the sum.
    const mixed =
      dkv === d ? g.add(g.add(q, k), value) : g.add(q, g.op('Pad', [g.add(k, value), g.int64s([0, 0, 0, d - dkv])]));
    x = g.matMul(mixed, weight(d, d));
    const gate = g.matMul(x, weight(d, m));
    const up = g.matMul(x, weight(d, m));
    x = g.matMul(g.add(gate, up), weight(m, d));
  }
  g.output(g.matMul(x, weight(d, v)), 'y', 'float', ['batch', v]);
  return encodeOnnxModel({
    graph: g.toGraph(),
    opsetVersion: 17,
    producerName: 'vrft-bench',
    producerVersion: '1',
    metadata: {},
  });
}

/** Both chains in onnxruntime sessions, timed on demand (so ceilings and decode interleave). */
export class FlopCeilingProbe {
  private constructor(
    private readonly config: ModelConfig,
    private readonly matmuls: InferenceSession,
    private readonly forward: InferenceSession,
  ) {}

  /** A probe with the engine's session settings. */
  static async create(config: ModelConfig, threads: number): Promise<FlopCeilingProbe> {
    const options: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' } } }, // as the engine's sessions
    };
    const matmuls = await InferenceSession.create(buildMatmulChain(config), options);
    const forward = await InferenceSession.create(buildMatmulChain(config, true), options);
    return new FlopCeilingProbe(config, matmuls, forward);
  }

  /**
   * FLOP/s at `batch` rows: batch · FLOPs per token / fastest run time (the best raw onnxruntime
   * managed: an upper bound should not drop because one run was slowed by other load). With
   * `context` > 0 the forward ceiling (attention over `context` cached positions per row), else
   * the matmul one.
   */
  async measure(batch: number, reps: number, context = 0): Promise<number> {
    const { dModel: d, numKvHeads: h, numLayers: l } = this.config;
    const dh = headDim(this.config);
    const feeds: Record<string, Tensor> = { x: new Tensor('float32', filled(batch * d, 7, 1), [batch, d]) };
    if (context > 0) {
      // Keys scaled so scores stay near unit size, values so the context does.
      for (let layer = 0; layer < l; layer++) {
        const size = batch * h * dh * context;
        const keyDims = this.config.numHeads === h ? [batch, h, dh, context] : [batch, h, context, dh];
        feeds[cacheKey(layer)] = new Tensor('float32', filled(size, 100 + layer, Math.sqrt(3 / dh)), keyDims);
        feeds[cacheValue(layer)] = new Tensor('float32', filled(size, 200 + layer, Math.sqrt(3 / context)), [
          batch,
          h,
          context,
          dh,
        ]);
      }
    }
    const session = context > 0 ? this.forward : this.matmuls;
    await session.run(feeds);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const start = performance.now();
      await session.run(feeds);
      times.push((performance.now() - start) / 1000);
    }
    const flops = matmulFlopsPerToken(this.config) + (context > 0 ? attentionFlopsPerToken(this.config, context) : 0);
    return (batch * flops) / Math.min(...times);
  }

  /** Releases the sessions. */
  async release(): Promise<void> {
    await this.matmuls.release();
    await this.forward.release();
  }
}
