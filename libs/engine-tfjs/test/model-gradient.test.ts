import * as tf from '@tensorflow/tfjs-core';
import { initWeights, type ModelConfig } from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completionLoss,
  selectBackend,
  TfjsModel,
  type AttentionProducts,
  type MatMulMode,
  type TfjsModelOptions,
} from '../src/index.js';
import { config, gqaConfig, makeBatch } from './fixtures.js';

const models: TfjsModel[] = [];
beforeAll(async () => {
  await selectBackend({ order: ['wasm', 'cpu'] });
});
afterAll(() => models.forEach((m) => m.dispose()));

/** Weights (and an element) whose gradients cover every path: vision, pooling, splice, RoPE, head. */
const PROBES: [string, number][] = [
  ['vision.patch_embed.weight', 3],
  ['vision.pos_temporal', 1],
  ['vision.blocks.0.attn.wk', 5],
  ['projector.fc1.bias', 2],
  ['lm.blocks.0.attn.wq', 7],
  ['lm.blocks.1.mlp.w2', 4],
  ['lm.norm.weight', 9],
];

/** With grouped-query attention: the K/V weights reach the loss through every query head of their group. */
const GQA_PROBES: [string, number][] = [
  ['lm.blocks.0.attn.wk', 6],
  ['lm.blocks.1.attn.wk', 2],
  ['lm.blocks.0.attn.wv', 3],
  ['lm.blocks.1.attn.wq', 7],
];

const MODES: [MatMulMode, AttentionProducts][] = [
  ['explicit-transpose', 'per-matrix'],
  ['explicit-transpose', 'batched'],
  ['transpose-flags', 'batched'],
];

describe.each(MODES)('model gradient (%s, %s attention)', (matmul, attention) => {
  it('matches central differences of the loss on sampled weights', () => {
    checkGradients(config, PROBES, { matmul, attention });
  });

  it('matches them with grouped-query attention (K/V heads shared by 2 query heads)', () => {
    checkGradients(gqaConfig, GQA_PROBES, { matmul, attention });
  });
});

describe('per-matrix attention', () => {
  it.each([
    ['multi-head', config],
    ['grouped-query', gqaConfig],
  ])('gives the loss and every weight gradient of the batched products (%s)', (_label, modelConfig) => {
    const weights = initWeights(modelConfig, 17);
    const batch = makeBatch(modelConfig); // two rows of different lengths: padding masked per row
    const run = (attention: AttentionProducts) => {
      const model = TfjsModel.create(modelConfig, weights, { attention });
      models.push(model);
      const { value, grads } = tf.variableGrads(() => completionLoss(model, batch), [...model.variables.values()]);
      const byName = new Map<string, Float32Array>();
      for (const [name, variable] of model.variables)
        byName.set(name, grads[variable.name]!.dataSync() as Float32Array);
      // Logits at every position, padded ones too: only there does each row's own padding mask show.
      const logits = tf.tidy(() => model.forward(batch).dataSync() as Float32Array);
      return { loss: value.dataSync()[0]!, grads: byName, logits };
    };
    const batched = run('batched');
    const perMatrix = run('per-matrix');
    expect(perMatrix.loss).toBeCloseTo(batched.loss, 5);
    let logitError = 0;
    batched.logits.forEach((x, i) => (logitError = Math.max(logitError, Math.abs(x - perMatrix.logits[i]!))));
    expect(logitError).toBeLessThan(1e-4);
    let reached = 0;
    for (const [name, expected] of batched.grads) {
      const actual = perMatrix.grads.get(name)!;
      const scale = Math.max(...expected.map(Math.abs));
      if (scale > 0) reached += 1;
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(actual[i]! - expected[i]!), `${name}[${i}]`).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
      }
    }
    expect(reached).toBe(batched.grads.size); // every weight takes part
  });

  it('rejects an unknown mode by name', () => {
    expect(() => TfjsModel.create(config, initWeights(config, 1), { attention: 'fused' as AttentionProducts })).toThrow(
      /attention/,
    );
  });
});

/** Analytic gradients of the completion loss against central differences at the probes. */
function checkGradients(
  modelConfig: ModelConfig,
  probes: readonly [string, number][],
  options: Partial<TfjsModelOptions>,
): void {
  const weights = initWeights(modelConfig, 13);
  // Weights 5× the init make gradients big enough to compare in float32, while the loss stays
  // smooth enough for central differences with h = 3e-3.
  for (const values of weights.values()) for (let i = 0; i < values.length; i++) values[i]! *= 5;
  const model = TfjsModel.create(modelConfig, weights, options);
  models.push(model);
  const batch = makeBatch(modelConfig);
  const variables = probes.map(([name]) => model.variables.get(name)!);
  const { grads } = tf.variableGrads(() => completionLoss(model, batch), variables);
  const h = 3e-3;
  for (const [name, index] of probes) {
    const variable = model.variables.get(name)!;
    const original = variable.dataSync().slice() as Float32Array;
    const lossWith = (delta: number): number => {
      const copy = Float32Array.from(original);
      copy[index] = original[index]! + delta;
      variable.assign(tf.tensor(copy, variable.shape));
      return tf.tidy(() => completionLoss(model, batch).dataSync()[0]!);
    };
    const numeric = (lossWith(h) - lossWith(-h)) / (2 * h);
    variable.assign(tf.tensor(original, variable.shape));
    const analytic = grads[variable.name]!.dataSync()[index]!;
    expect(Math.abs(numeric)).toBeGreaterThan(1e-2); // the probe is really reached
    expect(Math.abs(analytic - numeric), name).toBeLessThan(2e-2 * Math.abs(numeric) + 1e-3);
  }
}
