import {
  computeGrpoGradientReference,
  computeGrpoLossReference,
  GrpoInputError,
  type GrpoReferenceInputs,
  parseGrpoConfig,
} from '@vrft/rl';
import { describe, expect, it } from 'vitest';

const rows = (values: Float64Array[]): number[][] => values.map((row) => Array.from(row));
const round = (values: number[][], digits = 7): number[][] =>
  values.map((row) => row.map((x) => Number(x.toFixed(digits)) + 0));

// Two completions, K = 1 (no logp_old: ρ ≡ 1), β = 0.04, A = [1, −1], lengths 2 and 1.
const handBatch: GrpoReferenceInputs = {
  logp: [
    [-1, -2, 0],
    [-0.5, -7, -7],
  ],
  logpRef: [
    [-1, -1, 0],
    [-1, -7, -7],
  ],
  advantages: [1, -1],
  mask: [
    [1, 1, 0],
    [1, 0, 0],
  ],
};

describe('computeGrpoLossReference, worked by hand', () => {
  // ℓ = −(P − β·KL), P = A (ρ = 1):
  // row 0, t0: x = 0, KL = 0, ℓ = −1
  // row 0, t1: x = −1 − (−2) = 1, KL = e − 2 = 0.7182818, ℓ = −(1 − 0.04 · 0.7182818) = −0.9712687
  // row 1, t0: x = −1 − (−0.5) = −0.5, KL = e^−0.5 − 0.5 = 0.1065307, ℓ = −(−1 − 0.04 · 0.1065307) = 1.0042612
  it('per-token losses, sequence-mean and token-mean', () => {
    const config = parseGrpoConfig();
    const result = computeGrpoLossReference(handBatch, config);
    expect(round(rows(result.tokenLoss))).toEqual([
      [-1, -0.9712687, 0],
      [1.0042612, 0, 0],
    ]);
    // sequence-mean: ((−1 − 0.9712687) / 2 + 1.0042612) / 2 = 0.0093134
    expect(result.loss).toBeCloseTo(0.0093134, 6);
    // token-mean: (−1 − 0.9712687 + 1.0042612) / 3 = −0.3223358
    const dapo = computeGrpoLossReference(handBatch, parseGrpoConfig({ aggregation: 'token-mean' }));
    expect(dapo.loss).toBeCloseTo(-0.3223358, 6);
  });

  it('metrics', () => {
    const { metrics } = computeGrpoLossReference(handBatch, parseGrpoConfig());
    expect(metrics.klMean).toBeCloseTo((0 + 0.7182818 + 0.1065307) / 3, 6); // 0.2749375
    expect(metrics.clipFraction).toBe(0);
    expect(metrics.approxKl).toBe(0);
    expect([metrics.ratioMean, metrics.ratioMin, metrics.ratioMax]).toEqual([1, 1, 1]);
    expect(metrics.importanceWeightMean).toBe(1);
    expect(metrics.validTokens).toBe(3);
    expect(metrics.entropy).toBeUndefined();
  });

  it('gradient of the unclipped objective is −A / (B · n_i) per valid token under sequence-mean (β = 0)', () => {
    const config = parseGrpoConfig({ beta: 0, objective: 'unclipped' });
    // row 0: −1 / (2 · 2) = −0.25; row 1: −(−1) / (2 · 1) = 0.5; padding 0
    expect(round(rows(computeGrpoGradientReference(handBatch, config)))).toEqual([
      [-0.25, -0.25, 0],
      [0.5, 0, 0],
    ]);
    // token-mean: −A / N_tok = ∓1/3
    const dapo = parseGrpoConfig({ beta: 0, aggregation: 'token-mean' });
    expect(round(rows(computeGrpoGradientReference(handBatch, dapo)))).toEqual([
      [-0.3333333, -0.3333333, 0],
      [0.3333333, 0, 0],
    ]);
  });

  it('gradient with the KL term: c · (−A + β · (1 − exp(logp_ref − logp)))', () => {
    const grad = computeGrpoGradientReference(handBatch, parseGrpoConfig());
    // row 0, t0: x = 0 → dKL = 0: −0.25
    // row 0, t1: ¼ · (−1 + 0.04 · (1 − e)) = −0.2671828
    // row 1, t0: ½ · (1 + 0.04 · (1 − e^−0.5)) = 0.5078694
    expect(round(rows(grad))).toEqual([
      [-0.25, -0.2671828, 0],
      [0.5078694, 0, 0],
    ]);
  });
});

describe('clipped objective with K = 2 inner updates', () => {
  // ρ = exp(logp − logp_old) = 1.5 on both rows; ε = 0.2; β = 0
  const inputs: GrpoReferenceInputs = {
    logp: [[Math.log(1.5) - 1], [Math.log(1.5) - 1]],
    logpOld: [[-1], [-1]],
    advantages: [1, -1],
    mask: [[1], [1]],
  };
  const config = parseGrpoConfig({ beta: 0, innerUpdates: 2 });

  it('takes the clipped branch only where A makes it the min', () => {
    const result = computeGrpoLossReference(inputs, config);
    // row 0: min(1.5, 1.2) = 1.2 → ℓ = −1.2 (clipped); row 1: min(−1.5, −1.2) = −1.5 → ℓ = 1.5
    expect(round(rows(result.tokenLoss))).toEqual([[-1.2], [1.5]]);
    expect(result.loss).toBeCloseTo(0.15, 12); // (−1.2 + 1.5) / 2
    expect(result.metrics.clipFraction).toBe(0.5);
    expect(result.metrics.ratioMean).toBeCloseTo(1.5, 12);
    expect(result.metrics.approxKl).toBeCloseTo(0.5 - Math.log(1.5), 12); // (ρ − 1) − log ρ = 0.0945349
  });

  it('has zero gradient where the clip is active and ρ·A·c elsewhere', () => {
    // row 0: clipped → 0; row 1: c · (−A · ρ) = ½ · 1.5 = 0.75
    expect(round(rows(computeGrpoGradientReference(inputs, config)))).toEqual([[0], [0.75]]);
  });

  it('the unclipped objective lets both through', () => {
    const unclipped = parseGrpoConfig({ beta: 0, innerUpdates: 2, objective: 'unclipped' });
    expect(round(rows(computeGrpoGradientReference(inputs, unclipped)))).toEqual([[-0.75], [0.75]]);
  });
});

describe('truncated importance weights for a stale rollout', () => {
  // One completion, A = 2, K = 1 (π_θold = π_θ), cap C = 2.
  // w = min(exp(logp − logp_b), 2): t0 exp(0.5) = 1.6487213, t1 exp(2) = 7.39 → 2
  const inputs: GrpoReferenceInputs = {
    logp: [[-1, -1]],
    logpBehaviour: [[-1.5, -3]],
    logpRef: [[-2, -1]],
    advantages: [2],
    mask: [[1, 1]],
  };

  it('multiplies the policy term only, not the KL penalty', () => {
    const result = computeGrpoLossReference(inputs, parseGrpoConfig());
    // t0: −(1.6487213 · 2 − 0.04 · e^−1) = −(3.2974425 − 0.0147152) = −3.2827274 (KL of x = −1 is e^−1, unweighted)
    // t1: −(2 · 2 − 0) = −4
    expect(round(rows(result.tokenLoss))).toEqual([[-3.2827274, -4]]);
    expect(result.metrics.importanceWeightMean).toBeCloseTo((Math.exp(0.5) + 2) / 2, 12);
    expect(result.metrics.importanceTruncatedFraction).toBe(0.5);
  });

  it('scales the policy gradient by w: c · (−w · A)', () => {
    const grad = computeGrpoGradientReference(inputs, parseGrpoConfig({ beta: 0 }));
    // c = ½: t0 −½ · 1.6487213 · 2 = −1.6487213; t1 −½ · 2 · 2 = −2
    expect(round(rows(grad))).toEqual([[-1.6487213, -2]]);
  });

  it('uses the configured cap', () => {
    const result = computeGrpoLossReference(inputs, parseGrpoConfig({ beta: 0, importanceCap: 10 }));
    expect(result.tokenLoss[0]?.[1]).toBeCloseTo(-2 * Math.exp(2), 10); // no truncation below 10
    expect(result.metrics.importanceTruncatedFraction).toBe(0);
  });
});

describe('masks', () => {
  it('ignore whatever padding holds', () => {
    const garbage: GrpoReferenceInputs = {
      ...handBatch,
      logp: [
        [-1, -2, Number.NaN],
        [-0.5, Number.NEGATIVE_INFINITY, 1e9],
      ],
    };
    const config = parseGrpoConfig();
    expect(computeGrpoLossReference(garbage, config).loss).toBe(computeGrpoLossReference(handBatch, config).loss);
  });

  it('give 0 loss, neutral ratios and 0 tokens for an all-padding batch', () => {
    const empty = {
      ...handBatch,
      mask: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    };
    const result = computeGrpoLossReference(empty, parseGrpoConfig());
    expect(result.loss).toBe(0);
    expect(result.metrics).toMatchObject({ validTokens: 0, ratioMin: 1, ratioMax: 1, klMean: 0 });
  });
});

describe('bad inputs name the field', () => {
  it.each([
    ['logpRef', { ...handBatch, logpRef: undefined }, parseGrpoConfig()],
    ['advantages', { ...handBatch, advantages: [1] }, parseGrpoConfig()],
    ['mask[1]', { ...handBatch, mask: [[1, 1, 0], [1]] }, parseGrpoConfig()],
    ['logpOld', handBatch, parseGrpoConfig({ innerUpdates: 2 })],
    ['normalizer', { ...handBatch, normalizer: 0 }, parseGrpoConfig()],
    ['logpBehaviour', { ...handBatch, logpBehaviour: [[0, 0, 0]] }, parseGrpoConfig()],
  ])('%s', (field, inputs, config) => {
    expect(() => computeGrpoLossReference(inputs, config)).toThrow(GrpoInputError);
    expect(() => computeGrpoLossReference(inputs, config)).toThrow(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `));
  });

  it('β = 0 needs no reference log-probs', () => {
    const noRef = { ...handBatch, logpRef: undefined };
    expect(() => computeGrpoLossReference(noRef, parseGrpoConfig({ beta: 0 }))).not.toThrow();
  });
});
