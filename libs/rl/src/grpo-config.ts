import { z } from 'zod';
import { GrpoConfigError } from './errors.js';

/**
 * How per-token losses become one scalar (method.md §5).
 * - `sequence-mean`: mean over each sequence's valid tokens, then mean over sequences (the
 *   public VideoRFT / Video-R1 code). Every sequence weighs the same whatever its length.
 * - `token-mean`: sum over every valid token of the batch divided by their count (DAPO).
 *   Every token weighs the same, so long completions weigh more.
 */
export type LossAggregation = 'sequence-mean' | 'token-mean';

/** The aggregation modes, for CLIs and config validation. */
export const LOSS_AGGREGATIONS: readonly LossAggregation[] = Object.freeze(['sequence-mean', 'token-mean']);

/**
 * Which policy term the loss uses.
 * - `clipped`: min(ρ·A, clip(ρ, 1−ε_low, 1+ε_high)·A), the paper's PPO objective; with K = 1 and
 *   logp_old = stop_gradient(logp) it equals the unclipped one (ρ ≡ 1, the clip never acts).
 * - `unclipped`: ρ·A, the public code's single-update objective.
 */
export type PolicyObjective = 'clipped' | 'unclipped';

/** The objectives, for CLIs and config validation. */
export const POLICY_OBJECTIVES: readonly PolicyObjective[] = Object.freeze(['clipped', 'unclipped']);

/** The GRPO hyperparameters of method.md §5, with names matching the paper's symbols. */
export interface GrpoConfig {
  /** β, weight of the k3 KL penalty to the reference policy. Default 0.04. 0 turns it off (no logp_ref needed). */
  readonly beta: number;
  /** ε (lower), the PPO clip range: ρ is clipped below at 1 − ε. Default 0.2. */
  readonly clipEpsilon: number;
  /** ε_high, the upper clip: ρ is clipped above at 1 + ε_high. Default: clipEpsilon (symmetric; DAPO raises it). */
  readonly clipEpsilonHigh: number;
  /** K, inner updates per rollout batch. Default 1 (the public code). K > 1 needs logp_old from before the first update. */
  readonly innerUpdates: number;
  /** The policy term. Default 'clipped' (identical to 'unclipped' when K = 1). */
  readonly objective: PolicyObjective;
  /** Loss aggregation. Default 'sequence-mean' (the public code). */
  readonly aggregation: LossAggregation;
  /** The 1e-4 in A_i = (r_i − mean) / (std + 1e-4). Default 1e-4. */
  readonly advantageEpsilon: number;
  /** Divide advantages by the group std. Default true (GRPO); false gives A_i = r_i − mean (Dr. GRPO). */
  readonly scaleAdvantagesByStd: boolean;
  /** Clamp bound c of x = clamp(logp_ref − logp, −c, c) in the k3 KL. Default 10 (the public code). */
  readonly klClamp: number;
  /** C, the truncation cap of the importance weight w = min(π_θold / π_behaviour, C) for stale rollouts. Default 2. */
  readonly importanceCap: number;
}

/** The config with every default. */
export const DEFAULT_GRPO_CONFIG: GrpoConfig = Object.freeze({
  beta: 0.04,
  clipEpsilon: 0.2,
  clipEpsilonHigh: 0.2,
  innerUpdates: 1,
  objective: 'clipped',
  aggregation: 'sequence-mean',
  advantageEpsilon: 1e-4,
  scaleAdvantagesByStd: true,
  klClamp: 10,
  importanceCap: 2,
});

// Every field optional: what is given overrides the base config.
const grpoConfigInputSchema = z.strictObject({
  beta: z.number().finite().min(0).optional(),
  // ε < 1 keeps the lower clip bound 1 − ε positive (a ratio is never ≤ 0).
  clipEpsilon: z.number().finite().gt(0).lt(1).optional(),
  clipEpsilonHigh: z.number().finite().gt(0).optional(),
  innerUpdates: z.number().int().min(1).max(1024).optional(),
  objective: z.enum(['clipped', 'unclipped']).optional(),
  aggregation: z.enum(['sequence-mean', 'token-mean']).optional(),
  advantageEpsilon: z.number().finite().gt(0).optional(),
  scaleAdvantagesByStd: z.boolean().optional(),
  klClamp: z.number().finite().gt(0).optional(),
  // A cap below 1 would down-weight even perfectly on-policy tokens.
  importanceCap: z.number().finite().min(1).optional(),
});

/** A partial config, as accepted by parseGrpoConfig. */
export type GrpoConfigInput = z.input<typeof grpoConfigInputSchema>;

/**
 * Validates a partial config and fills it from `base` (default: DEFAULT_GRPO_CONFIG).
 * `clipEpsilonHigh`, when not given, follows the given `clipEpsilon` (symmetric clip).
 * Throws GrpoConfigError naming the first bad or unknown field.
 */
export function parseGrpoConfig(input: unknown = {}, base: GrpoConfig = DEFAULT_GRPO_CONFIG): GrpoConfig {
  const parsed = grpoConfigInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String);
    if (issue?.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
    throw new GrpoConfigError(path.join('.') || 'config', issue?.message ?? 'invalid', { cause: parsed.error });
  }
  const given = parsed.data;
  const clipEpsilon = given.clipEpsilon ?? base.clipEpsilon;
  const baseIsSymmetric = base.clipEpsilonHigh === base.clipEpsilon;
  return Object.freeze({
    beta: given.beta ?? base.beta,
    clipEpsilon,
    clipEpsilonHigh: given.clipEpsilonHigh ?? (baseIsSymmetric ? clipEpsilon : base.clipEpsilonHigh),
    innerUpdates: given.innerUpdates ?? base.innerUpdates,
    objective: given.objective ?? base.objective,
    aggregation: given.aggregation ?? base.aggregation,
    advantageEpsilon: given.advantageEpsilon ?? base.advantageEpsilon,
    scaleAdvantagesByStd: given.scaleAdvantagesByStd ?? base.scaleAdvantagesByStd,
    klClamp: given.klClamp ?? base.klClamp,
    importanceCap: given.importanceCap ?? base.importanceCap,
  });
}
