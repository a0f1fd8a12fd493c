import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { matMulExplicit, registerTrainingGradients, selectBackend, swapLastAxes } from '../src/index.js';

beforeAll(async () => {
  await selectBackend({ order: ['wasm', 'cpu'] });
  registerTrainingGradients();
});

/** Deterministic values in about [−1.5, 1.5], away from 0 (for log, div, sqrt). */
function values(shape: number[], seed: number, positive = false): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, (_, i) => {
    const u = Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
    const v = (u - Math.floor(u)) * 2 - 1;
    return positive ? 0.5 + Math.abs(v) : v + Math.sign(v) * 0.2;
  });
  return tf.tensor(data, shape);
}

/**
 * Checks tf.grads of L = Σ f(xs)·w (w fixed random weights) against central differences in
 * float32 (h = 1e-2), on every element of every input.
 */
function checkGradient(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): void {
  const weightsOf = tf.tidy(() => f(...inputs));
  const w = values(weightsOf.shape, 7);
  weightsOf.dispose();
  const loss = (...xs: tf.Tensor[]): tf.Scalar => tf.sum(tf.mul(f(...xs), w));
  const analytic = tf
    .grads(loss)(inputs)
    .map((g) => g.dataSync());
  const h = 1e-2;
  inputs.forEach((input, k) => {
    const base = input.dataSync();
    for (let i = 0; i < base.length; i++) {
      const shifted = (delta: number): number =>
        tf.tidy(() => {
          const copy = Float32Array.from(base);
          copy[i] = base[i]! + delta;
          const xs = inputs.map((x, j) => (j === k ? tf.tensor(copy, x.shape) : x));
          return loss(...xs).dataSync()[0]!;
        });
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      const got = analytic[k]![i]!;
      expect(Math.abs(got - numeric)).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    }
  });
}

describe('registered gradients against central differences', () => {
  // Made lazily: the backend starts in beforeAll.
  const a = (): tf.Tensor => values([2, 3], 1);
  const b = (): tf.Tensor => values([2, 3], 2);
  const row = (): tf.Tensor => values([3], 3);
  const positive = (): tf.Tensor => values([2, 3], 4, true);

  it('binary ops with broadcasting', () => {
    checkGradient((x, y) => tf.add(x, y), [a(), row()]);
    checkGradient((x, y) => tf.sub(x, y), [a(), row()]);
    checkGradient((x, y) => tf.mul(x, y), [a(), b()]);
    checkGradient((x, y) => tf.div(x, y), [a(), positive()]);
    checkGradient((x, y) => tf.maximum(x, y), [a(), b()]);
    checkGradient((x, y) => tf.minimum(x, y), [a(), b()]);
    checkGradient((x, y) => tf.addN([x, y, x]), [a(), b()]);
  });

  it('unary ops', () => {
    for (const f of [tf.neg, tf.exp, tf.square, tf.tanh, tf.sigmoid, tf.abs]) checkGradient((x) => f(x), [a()]);
    for (const f of [tf.log, tf.sqrt, tf.rsqrt]) checkGradient((x) => f(x), [positive()]);
    checkGradient((x) => tf.clipByValue(x, -0.5, 0.5), [a()]);
    checkGradient((x, y) => tf.where(tf.greater(x, 0), x, y), [a(), b()]);
  });

  it('reductions, shapes and softmax', () => {
    checkGradient((x) => tf.sum(x, 1, true), [a()]);
    checkGradient((x) => tf.mean(x, 0), [a()]);
    checkGradient((x) => tf.mean(x), [a()]);
    checkGradient((x) => tf.reshape(x, [3, 2]), [a()]);
    checkGradient((x) => tf.transpose(x), [values([2, 3, 4], 5)]);
    checkGradient((x) => tf.transpose(x, [1, 2, 0]), [values([2, 3, 4], 5)]);
    checkGradient((x) => tf.softmax(x), [a()]);
    checkGradient((x) => tf.logSoftmax(x), [a()]);
    checkGradient((x, y) => tf.concat([x, y], 0), [a(), b()]);
    checkGradient((x, y) => tf.concat([x, y], 1), [a(), b()]);
    checkGradient((x) => tf.slice(x, [0, 1], [2, 2]), [a()]);
    checkGradient((x, y) => tf.stack([x, y], 1), [a(), b()]);
    checkGradient((x) => tf.mul(tf.unstack(x, 1)[2]!, 3), [a()]);
    checkGradient((x) => tf.gather(x, tf.tensor1d([2, 0, 2, 2], 'int32')), [values([3, 2], 6)]);
  });

  it('matmul with every transpose flag', () => {
    checkGradient((x, y) => tf.matMul(x, y), [values([2, 3], 1), values([3, 4], 2)]);
    checkGradient((x, y) => tf.matMul(x, y, false, true), [values([2, 3], 1), values([4, 3], 2)]);
    checkGradient((x, y) => tf.matMul(x, y, true, false), [values([3, 2], 1), values([3, 4], 2)]);
    checkGradient((x, y) => tf.matMul(x, y, true, true), [values([3, 2], 1), values([4, 3], 2)]);
    checkGradient((x, y) => tf.matMul(x, y), [values([2, 2, 3], 1), values([2, 3, 2], 2)]);
  });
});

describe('matMulExplicit', () => {
  it("has the same value and gradients as tf.matMul's, for 2-D and batched operands", () => {
    for (const [shapeA, shapeB] of [
      [
        [5, 7],
        [7, 3],
      ],
      [
        [2, 3, 4, 5],
        [2, 3, 5, 6],
      ],
    ] as const) {
      const x = values([...shapeA], 1);
      const y = values([...shapeB], 2);
      const w = values([...shapeA.slice(0, -1), shapeB[shapeB.length - 1]!], 3);
      const viaTf = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q), w)))([x, y]);
      const viaExplicit = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(matMulExplicit(p, q), w)))([x, y]);
      for (let k = 0; k < 2; k++) {
        const expected = viaTf[k]!.dataSync();
        const got = viaExplicit[k]!.dataSync();
        for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 4);
      }
      expect(matMulExplicit(x, y).dataSync()).toEqual(tf.matMul(x, y).dataSync());
    }
    checkGradient((p, q) => matMulExplicit(p, swapLastAxes(q)), [values([3, 4], 1), values([2, 4], 2)]);
  });
});
