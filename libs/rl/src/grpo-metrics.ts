/**
 * The metrics the GRPO loss reports, as plain numbers. The tf loss returns the same fields as
 * scalar tensors (`GrpoMetricTensors`) and `readGrpoMetrics` turns those into this shape.
 *
 * Every metric is a token-mean over the valid (mask > 0) tokens of the batch, whatever the loss
 * aggregation, so that runs with different aggregations stay comparable. A batch without a valid
 * token reports 0 for the means and fractions and 1 for the ratio min/max (an unchanged policy).
 */
export interface GrpoMetrics {
  /** Mean k3 KL(π_θ ‖ π_ref) per token. */
  readonly klMean: number;
  /** Fraction of valid tokens where the PPO clip was active (the clipped branch was the min, so its gradient is 0). */
  readonly clipFraction: number;
  /** Mean k3 estimate of KL(π_θold ‖ π_θ) per token: (ρ − 1) − log ρ. 0 while ρ ≡ 1. */
  readonly approxKl: number;
  /** Mean of ρ = π_θ / π_θold over valid tokens. */
  readonly ratioMean: number;
  /** Min of ρ over valid tokens. */
  readonly ratioMin: number;
  /** Max of ρ over valid tokens. */
  readonly ratioMax: number;
  /** Mean truncated importance weight w = min(π_θold / π_behaviour, C); 1 when no behaviour log-probs were given. */
  readonly importanceWeightMean: number;
  /** Fraction of valid tokens whose importance weight hit the cap C. */
  readonly importanceTruncatedFraction: number;
  /** Mean token entropy −Σ_v p_v log p_v of π_θ; present only when full-vocabulary logits were given. */
  readonly entropy?: number;
  /** Number of valid tokens the metrics were taken over. */
  readonly validTokens: number;
}

/** One line per metric, for dashboards and docs (the learner maps them to `vrft_learner_*`). */
export const GRPO_METRIC_GLOSSARY: Readonly<Record<keyof GrpoMetrics, string>> = Object.freeze({
  klMean: 'mean per-token k3 KL of the current policy to the reference policy',
  clipFraction: 'fraction of valid tokens whose PPO clip was active (zero gradient)',
  approxKl: 'mean per-token k3 estimate of KL(old policy || current policy) within the inner updates',
  ratioMean: 'mean probability ratio current/old over valid tokens',
  ratioMin: 'smallest probability ratio current/old over valid tokens',
  ratioMax: 'largest probability ratio current/old over valid tokens',
  importanceWeightMean: 'mean truncated importance weight old/behaviour for stale rollouts',
  importanceTruncatedFraction: 'fraction of valid tokens whose importance weight hit the cap',
  entropy: 'mean per-token entropy of the current policy (nats), when logits are available',
  validTokens: 'number of completion tokens (mask > 0) in the batch',
});
