import {
  aggregateTokenValues,
  computeImportanceWeight,
  computeK3Kl,
  computeMaskedEntropy,
  computePolicyTerm,
  computeTokenEntropy,
  DEFAULT_GRPO_CONFIG,
  parseGrpoConfig,
} from '@vrft/rl';
import { describe, expect, it } from 'vitest';

describe('computeK3Kl: x = clamp(logp_ref − logp, −10, 10); exp(x) − x − 1', () => {
  it('is 0 where the policies agree', () => {
    expect(computeK3Kl(-1.3, -1.3)).toBe(0);
  });

  it('matches hand values on both sides', () => {
    // logp = −2, ref = −1: x = 1 → e − 1 − 1 = 0.7182818
    expect(computeK3Kl(-2, -1)).toBeCloseTo(Math.E - 2, 12);
    // logp = −1, ref = −2: x = −1 → e^−1 + 1 − 1 = 0.3678794
    expect(computeK3Kl(-1, -2)).toBeCloseTo(Math.exp(-1), 12);
  });

  it('clamps x at ±10 by default and at the configured bound', () => {
    // logp = −20, ref = 0: x = 20 → 10: e^10 − 11 = 22015.4657948
    expect(computeK3Kl(-20, 0)).toBeCloseTo(22015.4657948, 6);
    // logp = 0, ref = −30: x = −30 → −10: e^−10 + 10 − 1 = 9.0000454
    expect(computeK3Kl(0, -30)).toBeCloseTo(9.0000454, 6);
    // bound 2, logp = −5, ref = 0: x = 5 → 2: e² − 3 = 4.3890561
    expect(computeK3Kl(-5, 0, 2)).toBeCloseTo(4.3890561, 6);
  });
});

describe('computePolicyTerm', () => {
  const clipped = DEFAULT_GRPO_CONFIG; // ε = 0.2: clip range [0.8, 1.2]
  const unclipped = parseGrpoConfig({ objective: 'unclipped' });

  it.each([
    // [ρ, A, P, clip active] — worked by hand with ε = 0.2
    [1.5, 1, 1.2, true], // min(1.5, 1.2) = 1.2: the clipped branch
    [1.5, -1, -1.5, false], // min(−1.5, −1.2) = −1.5: unclipped, gradient flows
    [0.5, -1, -0.8, true], // min(−0.5, −0.8) = −0.8: clipped
    [0.5, 1, 0.5, false], // min(0.5, 0.8) = 0.5: unclipped
    [1.1, 2, 2.2, false], // inside the range: 1.1 · 2
    [1, 0, 0, false], // A = 0: no clip counted
    [1.2, 1, 1.2, false], // on the boundary: a tie, not counted as clipped
  ])('clipped: ρ = %f, A = %f → P = %f (clip active: %s)', (ratio, advantage, value, active) => {
    const term = computePolicyTerm(ratio, advantage, clipped);
    expect(term.value).toBeCloseTo(value, 12);
    expect(term.clipped).toBe(active);
  });

  it('honours an asymmetric upper clip (ε_high = 0.28)', () => {
    const config = parseGrpoConfig({ clipEpsilonHigh: 0.28 });
    expect(computePolicyTerm(1.25, 1, config)).toEqual({ value: 1.25, clipped: false });
    expect(computePolicyTerm(1.5, 1, config).value).toBeCloseTo(1.28, 12);
    expect(computePolicyTerm(0.5, -1, config).value).toBeCloseTo(-0.8, 12);
  });

  it('unclipped: P = ρ·A and never clipped', () => {
    expect(computePolicyTerm(1.5, 1, unclipped)).toEqual({ value: 1.5, clipped: false });
    expect(computePolicyTerm(0.5, -2, unclipped)).toEqual({ value: -1, clipped: false });
  });
});

describe('computeImportanceWeight: w = min(exp(logp_old − logp_b), C)', () => {
  it('matches hand values and truncates at the cap', () => {
    expect(computeImportanceWeight(-1, -1, 2)).toBe(1); // on-policy: exp(0) = 1
    expect(computeImportanceWeight(-1, -1.5, 2)).toBeCloseTo(Math.exp(0.5), 12); // 1.6487213
    expect(computeImportanceWeight(-1, -2, 2)).toBe(2); // exp(1) = 2.718 > 2
    expect(computeImportanceWeight(-1, -2, 3)).toBeCloseTo(Math.E, 12); // cap 3 lets it through
    expect(computeImportanceWeight(-2, -1, 2)).toBeCloseTo(Math.exp(-1), 12); // no lower truncation
  });
});

describe('computeTokenEntropy: −Σ p log p', () => {
  it('matches hand values', () => {
    expect(computeTokenEntropy([0, 0])).toBeCloseTo(Math.log(2), 12); // uniform over 2
    expect(computeTokenEntropy([5, 5, 5, 5])).toBeCloseTo(Math.log(4), 12); // uniform over 4, shift-invariant
    // z = [ln 3, 0] → p = [3/4, 1/4]: −(0.75 ln 0.75 + 0.25 ln 0.25) = 0.5623351
    expect(computeTokenEntropy([Math.log(3), 0])).toBeCloseTo(0.5623351, 6);
    expect(computeTokenEntropy([1000, 0, 0])).toBeCloseTo(0, 12); // one-hot, no overflow
  });

  it('token-means over valid tokens only', () => {
    const logits = [
      [
        [0, 0],
        [Math.log(3), 0],
      ],
      [
        [1000, 0],
        [Number.NaN, Number.NaN],
      ],
    ];
    const mask = [
      [1, 1],
      [1, 0],
    ];
    // (ln 2 + 0.5623351 + 0) / 3 = 0.4185125; the NaN logits sit on padding
    expect(computeMaskedEntropy(logits, mask)).toBeCloseTo((Math.log(2) + 0.5623351) / 3, 6);
  });
});

describe('aggregateTokenValues', () => {
  const values = [
    [1, 2, 3],
    [4, 999, 999], // 999 sits on padding
  ];
  const mask = [
    [1, 1, 1],
    [1, 0, 0],
  ];

  it('sequence-mean: mean per sequence, then over sequences', () => {
    // row means 2 and 4 → 3
    expect(aggregateTokenValues(values, mask, 'sequence-mean')).toBeCloseTo(3, 12);
  });

  it('token-mean (DAPO): over all valid tokens, so the long row weighs more', () => {
    // (1 + 2 + 3 + 4) / 4 = 2.5 ≠ 3
    expect(aggregateTokenValues(values, mask, 'token-mean')).toBeCloseTo(2.5, 12);
  });

  it('the two agree when every row has the same length', () => {
    const even = [
      [1, 3],
      [5, 7],
    ];
    const full = [
      [1, 1],
      [1, 1],
    ];
    expect(aggregateTokenValues(even, full, 'sequence-mean')).toBeCloseTo(4, 12);
    expect(aggregateTokenValues(even, full, 'token-mean')).toBeCloseTo(4, 12);
  });

  it('lets an empty row count as 0 in sequence-mean and divides by a given normalizer', () => {
    const emptyRow = [
      [1, 1, 1],
      [0, 0, 0],
    ];
    // (2 + 0) / 2 = 1; token-mean (1 + 2 + 3) / 3 = 2
    expect(aggregateTokenValues(values, emptyRow, 'sequence-mean')).toBeCloseTo(1, 12);
    expect(aggregateTokenValues(values, emptyRow, 'token-mean')).toBeCloseTo(2, 12);
    // normalizer 4: (2 + 4) / 4 = 1.5 and (1 + 2 + 3 + 4) / 4 = 2.5 → /8 = 1.25
    expect(aggregateTokenValues(values, mask, 'sequence-mean', 4)).toBeCloseTo(1.5, 12);
    expect(aggregateTokenValues(values, mask, 'token-mean', 8)).toBeCloseTo(1.25, 12);
  });
});
