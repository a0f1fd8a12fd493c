/**
 * The language-model graphs: `prefill` (a whole left-padded prompt, visual tokens spliced in at
 * the `<video>` positions → logits at chosen positions and the KV cache) and `decode` (one token
 * per row plus a fixed-capacity KV cache → next logits and the new position's key and value,
 * which the engine writes into its cache). See docs/model.md, "ONNX graphs".
 */
import { headDim, type ModelConfig, type ModelWeights } from '@vrft/model';
import { GraphBuilder, int } from '../onnx/graph-builder.js';
import {
  createWeightLookup,
  gatherRope,
  MASKED_SCORE,
  rmsNorm,
  transformerBlock,
  type RopeAtPositions,
  type WeightLookup,
} from './blocks.js';

/** Graph input and output names shared by the exporter and the engine. */
export const LM_IO = {
  inputIds: 'input_ids',
  visualTokens: 'visual_tokens',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  logitsPositions: 'logits_positions',
  logits: 'logits',
  inverseTemperature: 'inverse_temperature',
  probs: 'probs',
  pastKey: (layer: number) => `past.${layer}.key`,
  pastValue: (layer: number) => `past.${layer}.value`,
  presentKey: (layer: number) => `present.${layer}.key`,
  presentValue: (layer: number) => `present.${layer}.value`,
  newKey: (layer: number) => `new.${layer}.key`,
  newValue: (layer: number) => `new.${layer}.value`,
} as const;

interface LmContext {
  readonly g: GraphBuilder;
  readonly config: ModelConfig;
  readonly w: WeightLookup;
  readonly rope: RopeAtPositions;
}

function startLmGraph(name: string, config: ModelConfig, weights: ModelWeights, positionIds: string) {
  const g = new GraphBuilder(name);
  const w = createWeightLookup(g, config, weights);
  const rope = g.scoped('rope', () =>
    gatherRope(g, positionIds, config.contextLength, headDim(config), config.ropeTheta),
  );
  return { g, config, w, rope } satisfies LmContext;
}

/**
 * Runs the L blocks. Prefill declares present.{i}.key/value [B, Hkv, S, Dh] as outputs; decode
 * (cacheBias given) reads past.{i}.key/value [B, Hkv, C, Dh] and declares new.{i}.key/value
 * [B, Hkv, 1, Dh]. Hkv = H without grouped-query attention.
 */
function runBlocks(ctx: LmContext, h0: string, bias: string | undefined, cacheBias?: string): string {
  const { g, config, w, rope } = ctx;
  const dh = headDim(config);
  const kvHeads = config.numKvHeads;
  let h = h0;
  for (let i = 0; i < config.numLayers; i++) {
    const prefix = `lm.blocks.${i}`;
    const cache = cacheBias
      ? {
          key: g.input(LM_IO.pastKey(i), 'float', ['batch', kvHeads, 'capacity', dh]),
          value: g.input(LM_IO.pastValue(i), 'float', ['batch', kvHeads, 'capacity', dh]),
          bias: cacheBias,
        }
      : undefined;
    const block = g.scoped(prefix, () =>
      transformerBlock(g, h, w, {
        prefix,
        heads: config.numHeads,
        kvHeads,
        headSize: dh,
        rope,
        eps: config.normEps,
        ...(bias ? { bias } : {}),
        ...(cache ? { cache } : {}),
      }),
    );
    h = block.hidden;
    const [keyName, valueName, length] = cache
      ? [LM_IO.newKey(i), LM_IO.newValue(i), 1]
      : [LM_IO.presentKey(i), LM_IO.presentValue(i), 'sequence'];
    g.output(block.key, keyName, 'float', ['batch', kvHeads, length, dh]);
    g.output(block.value, valueName, 'float', ['batch', kvHeads, length, dh]);
  }
  return h;
}

/**
 * logits = RMSNorm(h) · embedᵀ (tied weights), h [B, K, D] → [B, K, V]. Gemm with transB reads
 * the [V, D] embedding as it is: no transposed copy, whatever the optimiser does.
 */
function outputLogits(ctx: LmContext, h: string, positionsDim: string | number): string {
  const { g, config, w } = ctx;
  const normed = rmsNorm(g, h, w('lm.norm.weight'), config.normEps);
  const rows = g.reshape(normed, [-1, config.dModel]); // [B·K, D]
  const flat = g.op('Gemm', [rows, w('lm.embed.weight')], { transB: int(1) }); // [B·K, V]
  const shape = g.concat([g.shape(normed, 0, 2), g.int64s([config.vocabSize])], 0); // [B, K, V]
  const logits = g.op('Reshape', [flat, shape]);
  g.output(logits, LM_IO.logits, 'float', ['batch', positionsDim, config.vocabSize]);
  return logits;
}

/**
 * The prefill graph. Inputs: input_ids [B, S] int64 (each `<video>` position holds the video id,
 * once per visual token), visual_tokens [B, N, D], attention_mask [B, S] int64 (1 = real token),
 * position_ids [B, S] int64, logits_positions [K] int64 (the sequence positions whose logits are
 * wanted). Outputs: logits [B, K, V], present.{i}.key/value [B, Hkv, S, Dh].
 */
export function buildPrefillGraph(config: ModelConfig, weights: ModelWeights): GraphBuilder {
  const inputIds = LM_IO.inputIds;
  const positionIds = LM_IO.positionIds;
  const ctx = startLmGraph('prefill', config, weights, positionIds);
  const { g, w } = ctx;
  g.input(inputIds, 'int64', ['batch', 'sequence']);
  const visual = g.input(LM_IO.visualTokens, 'float', ['batch', 'visual', config.dModel]);
  const mask = g.input(LM_IO.attentionMask, 'int64', ['batch', 'sequence']);
  g.input(positionIds, 'int64', ['batch', 'sequence']);
  const logitsPositions = g.input(LM_IO.logitsPositions, 'int64', ['positions']);

  const embeds = g.scoped('splice', () => {
    const tokens = g.gather(w('lm.embed.weight'), inputIds, 0); // [B, S, D]
    // The j-th video position of a row takes visual token j: index = cumsum(isVideo) − 1.
    const isVideo = g.equal(inputIds, g.int64s([config.specialTokens.video], [])); // [B, S]
    const count = g.cumSum(g.cast(isVideo, 'int64'), 1);
    const index = g.max(g.sub(count, g.int64s([1], [])), g.int64s([0], [])); // [B, S]
    const picked = g.gatherNd(visual, g.unsqueeze(index, [2]), 1); // [B, S, D]
    return g.where(g.unsqueeze(isVideo, [2]), picked, tokens);
  });

  const bias = g.scoped('mask', () => {
    // allowed[b, i, j] = j ≤ i ∧ mask[b, j]; bias = 0 where allowed, MASKED_SCORE elsewhere.
    const length = g.shape(inputIds, 1, 2); // [1]
    const steps = g.range(g.int64s([0], []), g.reshape(length, []), g.int64s([1], [])); // [S]
    const causal = g.lessOrEqual(g.unsqueeze(steps, [0]), g.unsqueeze(steps, [1])); // [S(i), S(j)]: j ≤ i
    const keyOk = g.unsqueeze(g.equal(mask, g.int64s([1], [])), [1, 2]); // [B, 1, 1, S]
    const allowed = g.and(g.unsqueeze(causal, [0, 1]), keyOk); // [B, 1, S, S]
    return g.where(allowed, g.scalar(0), g.scalar(MASKED_SCORE));
  });

  const h = runBlocks(ctx, embeds, bias);
  outputLogits(ctx, g.gather(h, logitsPositions, 1), 'positions');
  return g;
}

/**
 * The decode graph. Inputs: input_ids [B, 1] int64, position_ids [B, 1] int64, the cache
 * past.{i}.key/value [B, Hkv, C, Dh] of any capacity C, attention_mask [B, C] int64 (1 = a written,
 * real slot the new token may attend to), inverse_temperature [B, 1] (1/τ, 1 for greedy rows).
 * Outputs: logits [B, 1, V], probs [B, 1, V] = softmax(logits/τ), and new.{i}.key/value
 * [B, Hkv, 1, Dh], the new token's key (after RoPE) and value for the engine to store.
 */
export function buildDecodeGraph(config: ModelConfig, weights: ModelWeights): GraphBuilder {
  const ctx = startLmGraph('decode', config, weights, LM_IO.positionIds);
  const { g, w } = ctx;
  const inputIds = g.input(LM_IO.inputIds, 'int64', ['batch', 1]);
  const mask = g.input(LM_IO.attentionMask, 'int64', ['batch', 'capacity']);
  g.input(LM_IO.positionIds, 'int64', ['batch', 1]);
  const inverseTemperature = g.input(LM_IO.inverseTemperature, 'float', ['batch', 1]);
  const embeds = g.gather(w('lm.embed.weight'), inputIds, 0); // [B, 1, D]
  const slotOk = g.unsqueeze(g.equal(mask, g.int64s([1], [])), [1, 2]); // [B, 1, 1, C]
  const cacheBias = g.where(slotOk, g.scalar(0), g.scalar(MASKED_SCORE));
  const h = runBlocks(ctx, embeds, undefined, cacheBias);
  const logits = outputLogits(ctx, h, 1);
  // probs = softmax(z · (1/τ)) per row for the sampler: onnxruntime's vectorised exp instead of
  // one Math.exp per vocabulary entry per row in JavaScript (profiled: 4.7 ms of a 50 ms step at
  // batch 64, V = 4096).
  const scaled = g.mul(logits, g.unsqueeze(inverseTemperature, [2])); // [B, 1, V]
  g.output(g.softmax(scaled, -1), LM_IO.probs, 'float', ['batch', 1, config.vocabSize]);
  return g;
}
