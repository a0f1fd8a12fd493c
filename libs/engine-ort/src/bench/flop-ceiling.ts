/**
 * The raw onnxruntime forward FLOP ceiling for a decode step: a graph of only the step's
 * matrix products (per layer x·Wq, ·Wk, ·Wv, ·Wo, the SwiGLU pair and W2; then the tied head),
 * with the model's shapes, timed through the same onnxruntime build. Nothing else (norms,
 * attention over the cache, sampling) is in it, so a real step cannot beat it.
 */
import { type ModelConfig } from '@vrft/model';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { encodeOnnxModel } from '../onnx/onnx-proto.js';

/** FLOPs of the matrix products of one token's forward: 2·(L·(4D² + 3DM) + D·V). */
export function matmulFlopsPerToken(config: ModelConfig): number {
  const { dModel: d, mlpHidden: m, numLayers: l, vocabSize: v } = config;
  return 2 * (l * (4 * d * d + 3 * d * m) + d * v);
}

/** FLOPs of attention over a cache of `context` positions: q·kᵀ and p·v, 2·2·P·D per layer. */
export function attentionFlopsPerToken(config: ModelConfig, context: number): number {
  return 4 * config.numLayers * context * config.dModel;
}

function filled(size: number, seed: number): Float32Array {
  const data = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = ((state >>> 8) / 16777216 - 0.5) * 0.02;
  }
  return data;
}

/** The matmul-chain model of a config (weights are random; only shapes matter). */
export function buildMatmulChain(config: ModelConfig): Uint8Array {
  const { dModel: d, mlpHidden: m, numLayers: l, vocabSize: v } = config;
  const g = new GraphBuilder('matmul_chain');
  let x = g.input('x', 'float', ['batch', d]);
  let seed = 1;
  const weight = (rows: number, cols: number): string =>
    g.weight(`w${seed}`, filled(rows * cols, seed++), [rows, cols]);
  for (let layer = 0; layer < l; layer++) {
    for (let i = 0; i < 4; i++) x = g.matMul(x, weight(d, d)); // q, k, v, o
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

/** The chain in an onnxruntime session, timed on demand (so ceiling and decode interleave). */
export class FlopCeilingProbe {
  private constructor(
    private readonly config: ModelConfig,
    private readonly session: InferenceSession,
  ) {}

  /** A probe with the engine's session settings. */
  static async create(config: ModelConfig, threads: number): Promise<FlopCeilingProbe> {
    const session = await InferenceSession.create(buildMatmulChain(config), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' } } }, // as the engine's sessions
    });
    return new FlopCeilingProbe(config, session);
  }

  /** FLOP/s of the chain at `batch` rows: batch · matmulFlopsPerToken / median run time. */
  async measure(batch: number, reps: number): Promise<number> {
    const x = new Tensor('float32', filled(batch * this.config.dModel, 7), [batch, this.config.dModel]);
    await this.session.run({ x });
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const start = performance.now();
      await this.session.run({ x });
      times.push((performance.now() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    return (batch * matmulFlopsPerToken(this.config)) / (times[Math.floor(times.length / 2)] as number);
  }

  /** Releases the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
