import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adamWStep,
  EngineOptionsError,
  globalNormClipScale,
  isDecayed,
  learningRateAt,
  parseOptimizerOptions,
  selectBackend,
} from '../src/index.js';

beforeAll(async () => {
  await selectBackend({ order: ['cpu'] });
});

describe('learning-rate schedule', () => {
  const options = parseOptimizerOptions({ learningRate: 1, minLearningRate: 0.1, warmupSteps: 4, totalSteps: 14 });

  it('warms up linearly, then follows the cosine to the floor', () => {
    expect(learningRateAt(0, options)).toBeCloseTo(0.25, 12);
    expect(learningRateAt(1, options)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(3, options)).toBeCloseTo(1, 12);
    expect(learningRateAt(4, options)).toBeCloseTo(1, 12); // p = 0
    // p = 5/10: 0.1 + 0.45·(1 + cos(π/2)) = 0.55
    expect(learningRateAt(9, options)).toBeCloseTo(0.55, 12);
    // p = 2/10: 0.1 + 0.45·(1 + cos(0.2π))
    expect(learningRateAt(6, options)).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(0.2 * Math.PI)), 12);
    expect(learningRateAt(14, options)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(100, options)).toBeCloseTo(0.1, 12);
  });

  it('names the bad option', () => {
    expect(() => parseOptimizerOptions({ warmupSteps: 1.5 })).toThrow(/warmupSteps/);
    expect(() => parseOptimizerOptions({ beta2: 1 })).toThrow(/beta2/);
    expect(() => parseOptimizerOptions({ learningRate: 1e-4, minLearningRate: 1e-3 })).toThrow(/minLearningRate/);
    expect(() => parseOptimizerOptions({ warmupSteps: 20, totalSteps: 10 })).toThrow(EngineOptionsError);
    expect(() => parseOptimizerOptions({ lr: 1 } as never)).toThrow(/lr: unknown option/);
  });
});

describe('AdamW', () => {
  it('matches one step worked out by hand on a 2-element tensor', () => {
    const options = parseOptimizerOptions({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 });
    const param = tf.tensor1d([1, -2]);
    const grad = tf.tensor1d([0.5, 0.1]);
    const moments = { m: tf.tensor1d([0.2, 0]), v: tf.tensor1d([0.01, 0]) };
    const lr = 0.01;
    const step = 2;
    const next = adamWStep(param, grad, moments, step, lr, true, options);
    // m = 0.9·[0.2, 0] + 0.1·[0.5, 0.1] = [0.23, 0.01]
    // v = 0.99·[0.01, 0] + 0.01·[0.25, 0.01] = [0.0124, 0.0001]
    // m̂ = m/(1 − 0.81) ; v̂ = v/(1 − 0.9801)
    const expected = [0, 1].map((i) => {
      const m = [0.23, 0.01][i]!;
      const v = [0.0124, 0.0001][i]!;
      const p = [1, -2][i]!;
      const mHat = m / 0.19;
      const vHat = v / 0.0199;
      return p - lr * (mHat / (Math.sqrt(vHat) + 1e-8) + 0.1 * p);
    });
    const got = next.param.dataSync();
    expect(got[0]).toBeCloseTo(expected[0]!, 6);
    expect(got[1]).toBeCloseTo(expected[1]!, 6);
    expect(next.moments.m.dataSync()[0]).toBeCloseTo(0.23, 7);
    expect(next.moments.v.dataSync()[1]).toBeCloseTo(0.0001, 9);
    // Without decay (a norm weight or bias), λ·θ is left out.
    const undecayed = adamWStep(param, grad, moments, step, lr, false, options).param.dataSync();
    expect(undecayed[0]! - got[0]!).toBeCloseTo(lr * 0.1 * 1, 7);
  });

  it('decays matrices and embeddings, not norms and biases', () => {
    expect(isDecayed('lm.blocks.0.attn.wq')).toBe(true);
    expect(isDecayed('lm.embed.weight')).toBe(true);
    expect(isDecayed('lm.blocks.0.norm1.weight')).toBe(false);
    expect(isDecayed('projector.fc1.bias')).toBe(false);
  });
});

describe('global-norm clipping', () => {
  it('computes √Σ‖g‖² and the factor that brings it to the bound', () => {
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    const { norm, scale } = globalNormClipScale(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(scale).toBeCloseTo(1 / (5 + 1e-6), 9);
    expect(globalNormClipScale(grads, 10).scale).toBe(1);
    expect(globalNormClipScale(grads, 0).scale).toBe(1);
  });
});
