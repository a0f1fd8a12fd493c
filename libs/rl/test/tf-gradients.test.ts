import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  assertGrpoGradientsRegistered,
  computeGrpoLoss,
  computeGrpoLossReference,
  computeMaskedEntropy,
  computeTokenEntropies,
  computeTokenEntropiesFromLogProbs,
  findMissingGradients,
  GRPO_LOSS_GRADIENT_KERNELS,
  type GrpoConfig,
  GrpoGradientError,
  GrpoInputError,
  type GrpoLossTensors,
  parseGrpoConfig,
  readGrpoMetrics,
  stopGradient,
} from '@vrft/rl';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerLossGradients } from './loss-gradients.js';

let missingBeforeRegistration: string[] = [];

// Silences tfjs's "install the node backend" banner (some tables below create tensors at collection).
tf.env().set('IS_TEST', true);

beforeAll(async () => {
  await tf.setBackend('cpu');
  // This file runs in its own process (vitest isolates files), so nothing is registered yet.
  missingBeforeRegistration = findMissingGradients();
  registerLossGradients();
});

const round = (values: ArrayLike<number>, digits = 6): number[] =>
  Array.from(values, (x) => Number(x.toFixed(digits)) + 0);

/** dL/dlogp of the tf loss, flattened. */
function gradient(inputs: GrpoLossTensors, config: GrpoConfig): number[] {
  return tf.tidy(() => {
    const g = tf.grad((logp: tf.Tensor) => computeGrpoLoss({ ...inputs, logp: logp as tf.Tensor2D }, config).loss);
    return Array.from(g(inputs.logp).dataSync());
  });
}

function loss(inputs: GrpoLossTensors, config: GrpoConfig): number {
  return tf.tidy(() => computeGrpoLoss(inputs, config).loss.dataSync()[0] ?? Number.NaN);
}

// Rows of lengths 3 and 1 (padding holds garbage), A = [2, −1].
const unequal = (): GrpoLossTensors => ({
  logp: tf.tensor2d([
    [-1, -2, -0.5],
    [-0.3, Number.NaN, Number.NEGATIVE_INFINITY],
  ]),
  advantages: tf.tensor1d([2, -1]),
  mask: tf.tensor2d([
    [1, 1, 1],
    [1, 0, 0],
  ]),
});

describe('gradient registration', () => {
  it('reports every missing kernel gradient by name, then none once registered', () => {
    expect(missingBeforeRegistration).toEqual([...GRPO_LOSS_GRADIENT_KERNELS]);
    expect(findMissingGradients()).toEqual([]);
    expect(() => assertGrpoGradientsRegistered()).not.toThrow();
    expect(() => assertGrpoGradientsRegistered(['Sub', 'NoSuchKernel'])).toThrow(GrpoGradientError);
    expect(() => assertGrpoGradientsRegistered(['NoSuchKernel'])).toThrow(/NoSuchKernel/);
  });
});

describe('gradients worked by hand', () => {
  it('unclipped single update, sequence-mean: dL/dlogp = −A_i / (B · n_i) on valid tokens, 0 on padding', () => {
    const config = parseGrpoConfig({ beta: 0, objective: 'unclipped' });
    // row 0: −2 / (2 · 3) = −1/3; row 1: −(−1) / (2 · 1) = 0.5
    expect(round(gradient(unequal(), config))).toEqual(round([-1 / 3, -1 / 3, -1 / 3, 0.5, 0, 0]));
    // The loss is −mean(A) = −(2 − 1)/2 since ρ ≡ 1: −0.5
    expect(loss(unequal(), config)).toBeCloseTo(-0.5, 6);
  });

  it('token-mean (DAPO): dL/dlogp = −A_i / N_tok, so the two modes differ on unequal lengths', () => {
    const dapo = parseGrpoConfig({ beta: 0, objective: 'unclipped', aggregation: 'token-mean' });
    // N_tok = 4: row 0: −2/4 = −0.5; row 1: 1/4 = 0.25
    expect(round(gradient(unequal(), dapo))).toEqual([-0.5, -0.5, -0.5, 0.25, 0, 0]);
    // loss: −(2 + 2 + 2 − 1) / 4 = −1.25, against −0.5 for sequence-mean
    expect(loss(unequal(), dapo)).toBeCloseTo(-1.25, 6);
  });

  it('clipped with K = 2: zero gradient exactly where the clip is active', async () => {
    // ρ = [1.5, 0.5] on both rows; A = [1, −1]; ε = 0.2 → range [0.8, 1.2]
    const inputs: GrpoLossTensors = {
      logp: tf.tensor2d([
        [Math.log(1.5), Math.log(0.5)],
        [Math.log(1.5), Math.log(0.5)],
      ]),
      logpOld: tf.zeros([2, 2]),
      advantages: tf.tensor1d([1, -1]),
      mask: tf.ones([2, 2]),
    };
    const config = parseGrpoConfig({ beta: 0, innerUpdates: 2 });
    // A > 0: ρ = 1.5 clipped (grad 0); ρ = 0.5 unclipped, grad = −ρ·A / (B·n) = −0.5/4 = −0.125
    // A < 0: ρ = 1.5 unclipped, grad = 1.5/4 = 0.375; ρ = 0.5 clipped (grad 0)
    expect(round(gradient(inputs, config))).toEqual([0, -0.125, 0.375, 0]);
    const out = computeGrpoLoss(inputs, config);
    expect((await readGrpoMetrics(out.metrics)).clipFraction).toBe(0.5);
  });

  it('KL term: dL/dlogp = β · (1 − exp(logp_ref − logp)) / n inside the clamp, 0 outside', () => {
    const inputs: GrpoLossTensors = {
      logp: tf.tensor2d([[-2, -20]]),
      logpRef: tf.tensor2d([[-1, 0]]),
      advantages: tf.tensor1d([0]),
      mask: tf.ones([1, 2]),
    };
    // t0: x = 1 → 0.04 · (1 − e) / 2 = −0.0343656; t1: x = 20 is clamped to 10 → 0
    expect(round(gradient(inputs, parseGrpoConfig()), 7)).toEqual([-0.0343656, 0]);
  });

  it('stale rollouts: the importance weight scales the gradient and itself gets none', () => {
    const inputs: GrpoLossTensors = {
      logp: tf.tensor2d([[-1, -1]]),
      logpBehaviour: tf.tensor2d([[-1.5, -3]]),
      advantages: tf.tensor1d([2]),
      mask: tf.ones([1, 2]),
    };
    // w = [e^0.5, min(e^2, 2) = 2]; grad = −w·A/2 = [−1.6487213, −2]
    expect(round(gradient(inputs, parseGrpoConfig({ beta: 0 })))).toEqual([-1.648721, -2]);
  });
});

describe('aggregation', () => {
  it('micro-batches with the whole step as normalizer sum to the full-batch loss', () => {
    for (const aggregation of ['sequence-mean', 'token-mean'] as const) {
      const config = parseGrpoConfig({ aggregation });
      const logp = [
        [-1, -2, -0.5],
        [-0.3, -4, -4],
        [-2, -1, -1],
        [-0.7, -0.2, -9],
      ];
      const logpRef = logp.map((row) => row.map((v) => v - 0.3));
      const mask = [
        [1, 1, 1],
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 0],
      ];
      const advantages = [1.5, -0.5, 0.2, -1.2];
      const part = (rows: number[], normalizer?: number): GrpoLossTensors => ({
        logp: tf.tensor2d(rows.map((i) => logp[i] ?? [])),
        logpRef: tf.tensor2d(rows.map((i) => logpRef[i] ?? [])),
        mask: tf.tensor2d(rows.map((i) => mask[i] ?? [])),
        advantages: tf.tensor1d(rows.map((i) => advantages[i] ?? 0)),
        ...(normalizer === undefined ? {} : { normalizer }),
      });
      const full = loss(part([0, 1, 2, 3]), config);
      const steps = aggregation === 'sequence-mean' ? 4 : 6; // sequences, or valid tokens, of the whole step
      const sum = loss(part([0, 1], steps), config) + loss(part([2, 3], steps), config);
      expect(sum).toBeCloseTo(full, 6);
      // Without the normalizer each half is averaged on its own and the sum is not the full loss.
      expect(loss(part([0, 1]), config) + loss(part([2, 3]), config)).not.toBeCloseTo(full, 3);
    }
  });
});

describe('metrics and helpers', () => {
  it('entropy from logits, token-mean over the mask, NaN logits on padding ignored', async () => {
    const logits = tf.tensor3d([
      [
        [0, 0],
        [Math.log(3), 0],
      ],
      [
        [0, 0],
        [Number.NaN, Number.NaN],
      ],
    ]);
    const per = computeTokenEntropies(logits);
    // ln 2 = 0.693147; −(0.75 ln 0.75 + 0.25 ln 0.25) = 0.562335
    expect(round(per.dataSync().slice(0, 3))).toEqual([0.693147, 0.562335, 0.693147]);
    const out = computeGrpoLoss(
      {
        logp: tf.zeros([2, 2]),
        logits,
        advantages: tf.tensor1d([0, 0]),
        mask: tf.tensor2d([
          [1, 1],
          [1, 0],
        ]),
      },
      parseGrpoConfig({ beta: 0 }),
    );
    const metrics = await readGrpoMetrics(out.metrics);
    expect(metrics.entropy).toBeCloseTo((2 * Math.log(2) + 0.5623351) / 3, 5);
    expect(metrics.validTokens).toBe(3);
  });

  it('takes precomputed per-token entropies instead of logits (same metric, reference agrees)', async () => {
    const logits = tf.tensor3d([
      [
        [0, 0, 1],
        [Math.log(3), 0, -2],
      ],
    ]);
    const tokenEntropy = computeTokenEntropiesFromLogProbs(tf.logSoftmax(logits, -1) as tf.Tensor3D);
    const base = {
      logp: tf.zeros([1, 2]) as tf.Tensor2D,
      advantages: tf.tensor1d([0]),
      mask: tf.ones([1, 2]) as tf.Tensor2D,
    };
    const config = parseGrpoConfig({ beta: 0 });
    const fromLogits = await readGrpoMetrics(computeGrpoLoss({ ...base, logits }, config).metrics);
    const fromEntropy = await readGrpoMetrics(computeGrpoLoss({ ...base, tokenEntropy }, config).metrics);
    const rows = tokenEntropy.arraySync();
    const reference = computeGrpoLossReference(
      { logp: [[0, 0]], advantages: [0], mask: [[1, 1]], tokenEntropy: rows },
      config,
    ).metrics.entropy;
    const direct = computeMaskedEntropy(logits.arraySync(), [[1, 1]]);
    expect(fromEntropy.entropy).toBeCloseTo(fromLogits.entropy ?? Number.NaN, 6);
    expect(reference).toBeCloseTo(direct, 6);
    expect(fromLogits.entropy).toBeCloseTo(direct, 5);
    expect(() => computeGrpoLoss({ ...base, logits, tokenEntropy }, config)).toThrow(/^tokenEntropy: /);
  });

  it('stopGradient is the identity forward and blocks the gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from(stopGradient(x).dataSync())).toEqual([1, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3]); // d/dv (v · sg(v)) = sg(v)
  });

  it('leaks no tensor: only the returned loss, per-token losses and metrics stay alive', () => {
    const inputs = unequal();
    const before = tf.memory().numTensors;
    const out = computeGrpoLoss(inputs, parseGrpoConfig({ beta: 0 }));
    const returned = 2 + Object.keys(out.metrics).length;
    expect(tf.memory().numTensors - before).toBe(returned);
    tf.dispose([out.loss, out.tokenLoss, ...Object.values(out.metrics)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('bad tensor inputs name the field', () => {
  const base = unequal();
  it.each([
    ['logp', { ...base, logp: tf.zeros([2, 3, 1]) as unknown as tf.Tensor2D }, parseGrpoConfig({ beta: 0 })],
    ['mask', { ...base, mask: tf.ones([2, 2]) }, parseGrpoConfig({ beta: 0 })],
    ['advantages', { ...base, advantages: tf.zeros([3]) }, parseGrpoConfig({ beta: 0 })],
    ['logpRef', base, parseGrpoConfig()],
    ['logpOld', base, parseGrpoConfig({ beta: 0, innerUpdates: 3 })],
    ['logits', { ...base, logits: tf.zeros([2, 2, 5]) }, parseGrpoConfig({ beta: 0 })],
    ['normalizer', { ...base, normalizer: -1 }, parseGrpoConfig({ beta: 0 })],
  ] as [string, GrpoLossTensors, GrpoConfig][])('%s', (field, inputs, config) => {
    expect(() => computeGrpoLoss(inputs, config)).toThrow(GrpoInputError);
    expect(() => computeGrpoLoss(inputs, config)).toThrow(new RegExp(`^${field}: `));
  });
});
