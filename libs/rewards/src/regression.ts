import { RewardInputError } from './errors.js';

/** Default ε guarding the division by |gt| in the relative error. */
export const DEFAULT_REGRESSION_EPSILON = 1e-9;

// θ of Mean Relative Accuracy in hundredths: 0.50, 0.55, …, 0.95 (kept as
// integers so that 1 − θ is computed exactly as (100 − θ%) / 100).
const MRA_THRESHOLDS_PERCENT = [50, 55, 60, 65, 70, 75, 80, 85, 90, 95] as const;

/**
 * Relative error |pred − gt| / max(|gt|, ε). The ε only guards the division:
 * for |gt| ≥ ε the ratio is exact, and gt = 0 gives 0 for an exact answer and
 * a huge error otherwise. (Video-R1's (|pred − gt| + ε) / (|gt| + ε) is not
 * used: it scores an exact answer to gt = 0 as completely wrong.)
 */
export function relativeError(prediction: number, groundTruth: number, epsilon = DEFAULT_REGRESSION_EPSILON): number {
  checkFinite(prediction, 'prediction');
  checkFinite(groundTruth, 'groundTruth');
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new RewardInputError('epsilon', `must be a finite number > 0, got ${epsilon}`);
  }
  return Math.abs(prediction - groundTruth) / Math.max(Math.abs(groundTruth), epsilon); // |pred − gt| / max(|gt|, ε)
}

/** Regression R_a = 1 − min(1, relative error), in [0, 1]. */
export function regressionAccuracy(
  prediction: number,
  groundTruth: number,
  epsilon = DEFAULT_REGRESSION_EPSILON,
): number {
  return 1 - Math.min(1, relativeError(prediction, groundTruth, epsilon)); // R_a = 1 − min(1, rel)
}

/**
 * Mean Relative Accuracy, the evaluation metric for regression questions:
 * MRA = (1/10) Σ_{θ ∈ {0.50, 0.55, …, 0.95}} 1[rel < 1 − θ].
 */
export function meanRelativeAccuracy(
  prediction: number,
  groundTruth: number,
  epsilon = DEFAULT_REGRESSION_EPSILON,
): number {
  const error = relativeError(prediction, groundTruth, epsilon);
  let hits = 0;
  for (const thetaPercent of MRA_THRESHOLDS_PERCENT) {
    if (error < (100 - thetaPercent) / 100) hits++; // 1[rel < 1 − θ]
  }
  return hits / MRA_THRESHOLDS_PERCENT.length;
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new RewardInputError(field, `must be a finite number, got ${value}`);
}
