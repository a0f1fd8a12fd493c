import * as tf from '@tensorflow/tfjs-core';
import { initWeights, type ModelConfig } from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionLoss, selectBackend, TfjsModel, type MatMulMode } from '../src/index.js';
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

describe.each<MatMulMode>(['explicit-transpose', 'transpose-flags'])('model gradient (%s)', (matmul) => {
  it('matches central differences of the loss on sampled weights', () => {
    checkGradients(config, PROBES, matmul);
  });

  it('matches them with grouped-query attention (K/V heads shared by 2 query heads)', () => {
    checkGradients(gqaConfig, GQA_PROBES, matmul);
  });
});

/** Analytic gradients of the completion loss against central differences at the probes. */
function checkGradients(modelConfig: ModelConfig, probes: readonly [string, number][], matmul: MatMulMode): void {
  const weights = initWeights(modelConfig, 13);
  // Weights 5× the init make gradients big enough to compare in float32, while the loss stays
  // smooth enough for central differences with h = 3e-3.
  for (const values of weights.values()) for (let i = 0; i < values.length; i++) values[i]! *= 5;
  const model = TfjsModel.create(modelConfig, weights, { matmul });
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
