import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vrft/engine-tfjs';
import {
  EncoderOptionsError,
  batchLossTf,
  encoderWeightSpecs,
  initEncoderWeights,
  parseEncoderConfig,
  patchify,
  sigmoidLossTf,
  toPixelValues,
  tokenizeTexts,
} from '@vrft/dual-encoder';
import { createTestConfig, createTestPairs, createTestTokenizer } from './fixtures.js';

beforeAll(async () => {
  await selectBackend({ order: ['cpu'] });
});

/** The loss written out slowly in float64: −(1/B) Σ_ij log σ(z_ij (t x̂_i·ŷ_j + b)). */
function sigmoidLossReference(x: number[][], y: number[][], logT: number, b: number): number {
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((a, c) => a + c * c, 0));
    return v.map((c) => c / n);
  };
  const xs = x.map(unit);
  const ys = y.map(unit);
  let sum = 0;
  xs.forEach((xi, i) =>
    ys.forEach((yj, j) => {
      const logit = Math.exp(logT) * xi.reduce((a, c, k) => a + c * (yj[k] as number), 0) + b;
      const z = i === j ? 1 : -1;
      sum += Math.log(1 / (1 + Math.exp(-z * logit)));
    }),
  );
  return -sum / x.length;
}

describe('config', () => {
  it('names the bad field', () => {
    expect(() => parseEncoderConfig({ vocabSize: 10, padId: 0, patchSize: 7 })).toThrow(/patchSize/);
    expect(() => parseEncoderConfig({ vocabSize: 10, padId: 10 })).toThrow(EncoderOptionsError);
    expect(() => parseEncoderConfig({ vocabSize: 10, padId: 0, visionHeads: 5 })).toThrow(/visionHeads/);
    expect(() => parseEncoderConfig({ vocabSize: 10, padId: 0, colour: 1 } as never)).toThrow(/colour: unknown/);
  });
});

describe('sigmoid loss', () => {
  it('matches the float64 reference, large logits included', () => {
    const x = [
      [1, 2, 0.5],
      [-1, 0.3, 2],
      [0.2, -2, 1],
    ];
    const y = [
      [0.9, 2.1, 0.4],
      [-1, 0.1, 1],
      [3, 1, -1],
    ];
    for (const [logT, b] of [
      [Math.log(10), -10],
      [Math.log(200), 3],
    ] as const) {
      const value = tf.tidy(
        () => sigmoidLossTf(tf.tensor2d(x), tf.tensor2d(y), tf.scalar(logT), tf.scalar(b)).dataSync()[0],
      );
      expect(value).toBeCloseTo(sigmoidLossReference(x, y, logT, b), 4);
    }
  });

  it('has the gradient of finite differences through both towers', () => {
    const pairs = createTestPairs(3);
    const tokenizer = createTestTokenizer(pairs);
    const config = createTestConfig(tokenizer);
    const init = initEncoderWeights(config, 3);
    // Larger weights than the init so that every path carries a visible gradient.
    for (const [name, data] of init) if (!name.startsWith('logit')) data.forEach((v, i) => (data[i] = v * 10));
    const n = 3;
    const s = config.imageSize;
    const pixels = toPixelValues({ data: pairs.frames.subarray(0, n * s * s * 3), shape: [n, s, s, 3] }, config);
    const patches = tf.tensor3d(patchify(pixels, n, s, config.patchSize), [n, 16, 48]);
    const ids = tf.tensor2d(tokenizeTexts(tokenizer, pairs.texts.slice(0, n), 24, config.padId).ids, [n, 24], 'int32');
    const lossOf = (weights: Map<string, Float32Array>) =>
      tf.tidy(() => {
        const w = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, [...(shapes.get(k) ?? [])])]));
        return batchLossTf(config, w, patches, ids).dataSync()[0] as number;
      });
    const shapes = new Map(encoderWeightSpecs(config).map((spec) => [spec.name, spec.shape]));
    const variables = new Map([...init].map(([k, v]) => [k, tf.variable(tf.tensor(v, [...(shapes.get(k) ?? [])]))]));
    const { grads } = tf.variableGrads(() => batchLossTf(config, variables, patches, ids) as tf.Scalar);
    for (const [name, index] of [
      ['vision.patch.weight', 5],
      ['vision.blocks.0.attn.wq', 7],
      ['text.embed.weight', 12 * 16 + 3],
      ['text.blocks.0.mlp.w2', 2],
      ['vision.proj.weight', 1],
      ['logit_scale', 0],
      ['logit_bias', 0],
    ] as const) {
      const h = 1e-2;
      const plus = new Map([...init].map(([k, v]) => [k, v.slice()]));
      const minus = new Map([...init].map(([k, v]) => [k, v.slice()]));
      const up = plus.get(name) as Float32Array;
      up[index] = (up[index] as number) + h;
      const down = minus.get(name) as Float32Array;
      down[index] = (down[index] as number) - h;
      const numeric = (lossOf(plus) - lossOf(minus)) / (2 * h);
      const analytic = grads[(variables.get(name) as tf.Variable).name]?.dataSync()[index] as number;
      expect(Math.abs(analytic - numeric), `${name}[${index}]: ${analytic} vs ${numeric}`).toBeLessThan(
        2e-3 + 0.02 * Math.abs(numeric),
      );
    }
    tf.dispose([...variables.values(), ...Object.values(grads), patches, ids]);
  });
});
