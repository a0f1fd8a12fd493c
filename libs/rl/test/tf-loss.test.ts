import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  computeGrpoGradientReference,
  computeGrpoLoss,
  computeGrpoLossReference,
  type GrpoConfig,
  type GrpoLossTensors,
  type GrpoMetrics,
  parseGrpoConfig,
  readGrpoMetrics,
} from '@vrft/rl';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerLossGradients } from './loss-gradients.js';
import { createRandomBatch, disposeBatch, type MaskKind } from './random-batch.js';

// Silences tfjs's "install the node backend" banner (some tables below create tensors at collection).
tf.env().set('IS_TEST', true);

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerLossGradients();
});

/** |a − b| ≤ abs + rel·|b|, element-wise, with a message naming the first bad index. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rel = 1e-4, abs = 1e-6) {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k] ?? Number.NaN;
    const b = expected[k] ?? Number.NaN;
    if (!(Math.abs(a - b) <= abs + rel * Math.abs(b))) expect.fail(`${label}[${k}]: got ${a}, expected ${b}`);
  }
}

const flatten = (rows: readonly ArrayLike<number>[]): number[] => rows.flatMap((row) => Array.from(row));

/** The gradient of the tf loss with respect to logp, [B, T] flattened. */
function tfGradient(tensors: GrpoLossTensors, config: GrpoConfig): Float32Array {
  const grad = tf.grad((logp: tf.Tensor) => computeGrpoLoss({ ...tensors, logp: logp as tf.Tensor2D }, config).loss);
  const g = grad(tensors.logp);
  const values = g.dataSync() as Float32Array;
  g.dispose();
  return values;
}

function disposeMetrics(metrics: Record<string, tf.Tensor | undefined>): void {
  for (const t of Object.values(metrics)) t?.dispose();
}

const METRIC_KEYS: (keyof GrpoMetrics)[] = [
  'klMean',
  'clipFraction',
  'approxKl',
  'ratioMean',
  'ratioMin',
  'ratioMax',
  'importanceWeightMean',
  'importanceTruncatedFraction',
  'validTokens',
  'entropy',
];

describe('computeGrpoLoss equals the Float64 reference on random batches', () => {
  const masks: MaskKind[] = ['full', 'ragged', 'empty-row', 'all-padding'];
  const cases: { name: string; config: GrpoConfig; withOld: boolean; withBehaviour: boolean }[] = [
    {
      name: 'public code: K=1, unclipped, sequence-mean',
      config: parseGrpoConfig({ objective: 'unclipped' }),
      withOld: false,
      withBehaviour: false,
    },
    {
      name: 'K=1 clipped, token-mean',
      config: parseGrpoConfig({ aggregation: 'token-mean' }),
      withOld: false,
      withBehaviour: false,
    },
    {
      name: 'K=4 clipped, sequence-mean',
      config: parseGrpoConfig({ innerUpdates: 4 }),
      withOld: true,
      withBehaviour: false,
    },
    {
      name: 'K=4 clip-higher, token-mean, clamp 2',
      config: parseGrpoConfig({ innerUpdates: 4, clipEpsilonHigh: 0.28, aggregation: 'token-mean', klClamp: 2 }),
      withOld: true,
      withBehaviour: false,
    },
    { name: 'stale rollouts, K=1, cap 2', config: parseGrpoConfig(), withOld: false, withBehaviour: true },
    {
      name: 'stale rollouts, K=2, unclipped, cap 1.5, token-mean',
      config: parseGrpoConfig({
        innerUpdates: 2,
        objective: 'unclipped',
        importanceCap: 1.5,
        aggregation: 'token-mean',
      }),
      withOld: true,
      withBehaviour: true,
    },
    {
      name: 'β = 0, no reference',
      config: parseGrpoConfig({ beta: 0, innerUpdates: 2 }),
      withOld: true,
      withBehaviour: false,
    },
  ];
  let seed = 1;
  for (const c of cases) {
    for (const mask of masks) {
      const caseSeed = seed++;
      it(`${c.name}; mask ${mask} (seed ${caseSeed})`, async () => {
        const batch = createRandomBatch({
          seed: caseSeed,
          rows: 5,
          tokens: 7,
          vocab: 6,
          mask,
          withOld: c.withOld,
          withRef: c.config.beta > 0,
          withBehaviour: c.withBehaviour,
        });
        const expected = computeGrpoLossReference(batch.reference, c.config);
        const out = computeGrpoLoss(batch.tensors, c.config);
        expectClose(out.loss.dataSync(), [expected.loss], 'loss');
        expectClose(out.tokenLoss.dataSync(), flatten(expected.tokenLoss), 'tokenLoss');
        const metrics = await readGrpoMetrics(out.metrics);
        for (const key of METRIC_KEYS)
          expectClose([metrics[key] ?? Number.NaN], [expected.metrics[key] ?? Number.NaN], key);
        expectClose(
          tfGradient(batch.tensors, c.config),
          flatten(computeGrpoGradientReference(batch.reference, c.config)),
          'dL/dlogp',
        );
        if (mask !== 'all-padding' && c.config.beta > 0) expect(metrics.klMean).toBeGreaterThan(0);
        out.loss.dispose();
        out.tokenLoss.dispose();
        disposeMetrics(out.metrics);
        disposeBatch(batch);
      });
    }
  }

  it('the random batches do exercise the clip, the KL clamp and the importance cap', async () => {
    const batch = createRandomBatch({
      seed: 99,
      rows: 8,
      tokens: 16,
      mask: 'full',
      withOld: true,
      withRef: true,
      withBehaviour: true,
    });
    const config = parseGrpoConfig({ innerUpdates: 2, klClamp: 2 });
    const out = computeGrpoLoss(batch.tensors, config);
    const metrics = await readGrpoMetrics(out.metrics);
    expect(metrics.clipFraction).toBeGreaterThan(0.05);
    expect(metrics.importanceTruncatedFraction).toBeGreaterThan(0.01);
    const clamped = batch.reference.logp.some((row, i) =>
      Array.from(row).some((v, t) => Math.abs((batch.reference.logpRef?.[i]?.[t] ?? 0) - v) > 2),
    );
    expect(clamped).toBe(true);
    out.loss.dispose();
    out.tokenLoss.dispose();
    disposeMetrics(out.metrics);
    disposeBatch(batch);
  });
});
