/**
 * The gradient of the whole training loss (both towers, t and b) against central differences on
 * a micro batch: the engine registers its own gradient kernels, so a wrong one would make the
 * encoder train on a wrong signal without any error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vrft/engine-tfjs';
import {
  batchLossTf,
  encoderWeightSpecs,
  initEncoderWeights,
  patchify,
  toPixelValues,
  tokenizeTexts,
} from '@vrft/dual-encoder';
import { createTestConfig, createTestPairs, createTestTokenizer } from './fixtures.js';

beforeAll(async () => {
  await selectBackend({ order: ['cpu'] });
});

/** A seeded LCG in [−½, ½), for reproducible probe directions. */
function createDirections(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

describe('loss gradient', () => {
  it('matches central differences along a random direction, weight by weight', () => {
    const pairs = createTestPairs(4);
    const tokenizer = createTestTokenizer(pairs);
    const config = createTestConfig(tokenizer);
    const b = 4;
    const s = config.imageSize;
    const patchValues = config.patchSize ** 2 * 3;
    const frameBytes = s * s * 3;
    const frames = new Uint8Array(b * frameBytes);
    const texts: string[] = [];
    for (let k = 0; k < b; k++) {
      // Frame 0 of every clip: four pairs from four clips.
      frames.set(pairs.frames.subarray(2 * k * frameBytes, (2 * k + 1) * frameBytes), k * frameBytes);
      texts.push(pairs.texts[2 * k] as string);
    }
    const patches = patchify(toPixelValues({ data: frames, shape: [b, s, s, 3] }, config), b, s, config.patchSize);
    const { ids } = tokenizeTexts(tokenizer, texts, config.maxTextTokens, config.padId);

    const initial = initEncoderWeights(config, 5);
    // Larger weights than the init (std 0.02) and a moderate t, b: every path then carries a
    // gradient well above float32 rounding of the finite differences.
    for (const [name, data] of initial) {
      if (name.startsWith('logit_')) continue;
      for (let i = 0; i < data.length; i++) if (data[i] !== 0 && data[i] !== 1) data[i] = (data[i] as number) * 10;
    }
    (initial.get('logit_scale') as Float32Array)[0] = 1;
    (initial.get('logit_bias') as Float32Array)[0] = -1;

    const params = new Map(
      encoderWeightSpecs(config).map((spec) => [
        spec.name,
        tf.variable(tf.tensor(initial.get(spec.name) as Float32Array, [...spec.shape])),
      ]),
    );
    const patchTensor = tf.tensor3d(patches, [b, patches.length / b / patchValues, patchValues]);
    const idTensor = tf.tensor2d(ids, [b, config.maxTextTokens], 'int32');
    const lossAt = (): number =>
      tf.tidy(() => batchLossTf(config, params, patchTensor, idTensor).dataSync()[0] ?? Number.NaN);
    const { value, grads } = tf.variableGrads(
      () => batchLossTf(config, params, patchTensor, idTensor) as tf.Scalar,
      [...params.values()],
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);

    const direction = createDirections(7);
    const eps = 1e-2;
    const errors: string[] = [];
    for (const [name, variable] of params) {
      const base = variable.dataSync().slice() as Float32Array;
      const d = Float32Array.from(base, () => direction());
      const shifted = (sign: number): number => {
        variable.assign(
          tf.tensor(
            Float32Array.from(base, (x, i) => x + sign * eps * (d[i] as number)),
            variable.shape,
          ),
        );
        return lossAt();
      };
      const numeric = (shifted(1) - shifted(-1)) / (2 * eps); // (L(w + εd) − L(w − εd)) / 2ε ≈ ∇L·d
      variable.assign(tf.tensor(base, variable.shape));
      const grad = (grads[variable.name] as tf.Tensor).dataSync();
      let analytic = 0;
      for (let i = 0; i < grad.length; i++) analytic += (grad[i] as number) * (d[i] as number);
      const relative = Math.abs(numeric - analytic) / Math.max(1e-4, Math.abs(numeric) + Math.abs(analytic));
      if (relative > 0.02) errors.push(`${name}: numeric ${numeric}, analytic ${analytic}`);
    }
    expect(errors).toEqual([]);
    tf.dispose([value, patchTensor, idTensor, ...Object.values(grads), ...params.values()]);
  });
});
