/**
 * The scalars of one GRPO step (RunMetrics.scalars on the bus, metrics.jsonl locally). Every name
 * is defined in one line of STEP_METRIC_GLOSSARY; stage times are `time/<stage>_s`. The
 * `reward/semantic_*` names are there only when the groups carry R_s (SEMANTIC_STEP_METRICS), the
 * bonus names only when they carry that bonus (BONUS_STEP_METRICS), the dynamic-sampling names only
 * when the step filtered its groups (DYNAMIC_SAMPLING_STEP_METRICS), the ptx loss only with a
 * PPO-ptx term (PTX_STEP_METRICS).
 */
import { type GrpoMetrics } from '@vrft/rl';
import { type GrpoUpdateResult } from './grpo-update.js';
import { type MetricGroup } from './rollout-batch.js';

/** One line per metric name (time/<stage>_s are per named stage). */
export const STEP_METRIC_GLOSSARY: Readonly<Record<string, string>> = Object.freeze({
  'reward/total_mean': 'mean total reward R over the step’s completions',
  'reward/total_std': 'standard deviation of R over the step’s completions',
  'reward/format_mean': 'mean format reward R_f',
  'reward/format_std': 'standard deviation of R_f',
  'reward/accuracy_mean': 'mean accuracy reward R_a (the training accuracy)',
  'reward/accuracy_std': 'standard deviation of R_a',
  'reward/semantic_mean': 'mean semantic consistency R_s over the step’s completions (0 where gated or without a span)',
  'reward/semantic_std': 'standard deviation of R_s over the step’s completions',
  'reward/semantic_scored_mean': 'mean R_s over the completions whose description span was encoded (NaN if none)',
  'reward/semantic_gated_fraction': 'share of completions whose R_s the gate 1[R_a > 0] switched off',
  'reward/semantic_scored_fraction': 'share of completions with a description span scored against the frames',
  'reward/length_bonus_mean': 'mean length bonus over the step’s completions (0 for groups without it)',
  'reward/length_bonus_std': 'standard deviation of the length bonus',
  'reward/temporal_bonus_mean': 'mean temporal (T-GRPO) bonus over the step’s completions (0 for groups without it)',
  'reward/temporal_bonus_std': 'standard deviation of the temporal bonus',
  'policy/kl': 'mean per-token k3 KL to the reference policy',
  'policy/loss': 'GRPO loss of the step (first inner update)',
  'policy/clip_fraction': 'share of completion tokens whose PPO clip was active',
  'policy/entropy': 'mean per-token entropy of the policy (nats)',
  'policy/approx_kl_old': 'k3 KL of the old to the current policy within the inner updates',
  'policy/importance_weight_mean': 'mean truncated importance weight (1 without correction)',
  'policy/behaviour_logp_gap':
    'mean |log π_θ − log π_behaviour| per completion token before the update (≈ 0 for fresh rollouts at the same τ)',
  'policy/ptx_loss': 'mean NLL per token of the PPO-ptx supervised examples in the update (with --ptx only)',
  'policy/grad_norm': 'global gradient norm before clipping',
  'policy/learning_rate': 'learning rate of the update',
  'rollout/groups': 'groups in the step',
  'rollout/completions': 'completions in the step',
  'rollout/completion_tokens_mean': 'mean completion length in tokens',
  'rollout/zero_advantage_groups': 'groups whose rewards were all equal (no learning signal)',
  'rollout/generated_groups': 'groups sampled for the step over all its generation rounds (dynamic sampling)',
  'rollout/filtered_groups':
    'groups sampled but not trained on: no accuracy spread, or past a full step (dynamic sampling)',
  'rollout/generation_rounds': 'rounds of prompts the step sampled to fill its groups (dynamic sampling)',
  'rollout/staleness_mean': 'mean policy-version lag of the step’s groups',
  'rollout/staleness_max': 'largest policy-version lag of the step’s groups',
  'throughput/tokens_per_s': 'completion tokens trained on per second of step time',
  'time/step_s': 'wall time of the whole step',
});

/** Names present only when R_s is on. */
export const SEMANTIC_STEP_METRICS: readonly string[] = Object.freeze(
  Object.keys(STEP_METRIC_GLOSSARY).filter((name) => name.startsWith('reward/semantic_')),
);

/** Names present only when the length or the temporal bonus is on. */
export const BONUS_STEP_METRICS: readonly string[] = Object.freeze(
  Object.keys(STEP_METRIC_GLOSSARY).filter((name) => /^reward\/(length|temporal)_bonus_/.test(name)),
);

/** Names present only when the step filtered its groups (dynamic sampling). */
/** Names present only when the update has a PPO-ptx term. */
export const PTX_STEP_METRICS: readonly string[] = Object.freeze(['policy/ptx_loss']);

export const DYNAMIC_SAMPLING_STEP_METRICS: readonly string[] = Object.freeze([
  'rollout/generated_groups',
  'rollout/filtered_groups',
  'rollout/generation_rounds',
]);

/** How a filtering step came by its groups. */
export interface DynamicSamplingCounts {
  /** Groups sampled over all rounds. */
  readonly generatedGroups: number;
  readonly generationRounds: number;
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/** The scalars of a step from its groups, the update and the stage times. */
export function collectStepMetrics(
  groups: readonly MetricGroup[],
  update: Pick<
    GrpoUpdateResult,
    'loss' | 'gradNorm' | 'learningRate' | 'completionTokens' | 'behaviourLogpGap' | 'ptxLoss'
  > & {
    metrics: GrpoMetrics;
  },
  stageSeconds: Readonly<Record<string, number>>,
  policyVersion: number,
  dynamicSampling?: DynamicSamplingCounts,
): Record<string, number> {
  const all = (pick: (g: MetricGroup) => readonly number[]): number[] => groups.flatMap((g) => [...pick(g)]);
  const total = meanStd(all((g) => g.rewards.total));
  const format = meanStd(all((g) => g.rewards.format));
  const accuracy = meanStd(all((g) => g.rewards.accuracy));
  const completions = groups.reduce((n, g) => n + g.completions.length, 0);
  const lags = groups.map((g) => Math.max(0, policyVersion - g.policyVersion));
  const stepSeconds = Object.values(stageSeconds).reduce((a, b) => a + b, 0);
  const scalars: Record<string, number> = {
    'reward/total_mean': total.mean,
    'reward/total_std': total.std,
    'reward/format_mean': format.mean,
    'reward/format_std': format.std,
    'reward/accuracy_mean': accuracy.mean,
    'reward/accuracy_std': accuracy.std,
    'policy/kl': update.metrics.klMean,
    'policy/loss': update.loss,
    'policy/clip_fraction': update.metrics.clipFraction,
    'policy/entropy': update.metrics.entropy ?? Number.NaN,
    'policy/approx_kl_old': update.metrics.approxKl,
    'policy/importance_weight_mean': update.metrics.importanceWeightMean,
    'policy/behaviour_logp_gap': update.behaviourLogpGap,
    'policy/grad_norm': update.gradNorm,
    'policy/learning_rate': update.learningRate,
    'rollout/groups': groups.length,
    'rollout/completions': completions,
    'rollout/completion_tokens_mean': update.completionTokens / Math.max(1, completions),
    'rollout/zero_advantage_groups': groups.filter((g) => g.advantages.every((a) => a === 0)).length,
    'rollout/staleness_mean': lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length),
    'rollout/staleness_max': Math.max(0, ...lags),
    'throughput/tokens_per_s': update.completionTokens / Math.max(stepSeconds, 1e-9),
    'time/step_s': stepSeconds,
  };
  if (update.ptxLoss !== undefined) scalars['policy/ptx_loss'] = update.ptxLoss;
  if (dynamicSampling !== undefined) {
    scalars['rollout/generated_groups'] = dynamicSampling.generatedGroups;
    scalars['rollout/filtered_groups'] = dynamicSampling.generatedGroups - groups.length;
    scalars['rollout/generation_rounds'] = dynamicSampling.generationRounds;
  }
  if (groups.some((g) => g.rewards.semantic !== undefined)) Object.assign(scalars, semanticMetrics(groups));
  for (const [bonus, name] of [
    ['lengthBonus', 'length_bonus'],
    ['temporalBonus', 'temporal_bonus'],
  ] as const) {
    if (!groups.some((g) => g.rewards[bonus] !== undefined)) continue;
    // A group without the bonus (mixed sources) counts as 0, as it adds nothing to its total.
    const values = meanStd(groups.flatMap((g) => g.completions.map((_, i) => g.rewards[bonus]?.[i] ?? 0)));
    scalars[`reward/${name}_mean`] = values.mean;
    scalars[`reward/${name}_std`] = values.std;
  }
  for (const [stage, seconds] of Object.entries(stageSeconds)) scalars[`time/${stage}_s`] = seconds;
  return scalars;
}

function semanticMetrics(groups: readonly MetricGroup[]): Record<string, number> {
  const value: number[] = [];
  const scored: number[] = [];
  let gated = 0;
  for (const g of groups) {
    const semantic = g.rewards.semantic;
    // A group without R_s (mixed sources) counts as R_s = 0, neither gated nor scored.
    g.completions.forEach((_, i) => {
      const v = semantic?.value[i] ?? 0;
      value.push(v);
      if (semantic?.scored[i] === true) scored.push(v);
      if (semantic?.gated[i] === true) gated += 1;
    });
  }
  const all = meanStd(value);
  const n = Math.max(1, value.length);
  return {
    'reward/semantic_mean': all.mean,
    'reward/semantic_std': all.std,
    'reward/semantic_scored_mean': scored.length === 0 ? Number.NaN : meanStd(scored).mean,
    'reward/semantic_gated_fraction': gated / n,
    'reward/semantic_scored_fraction': scored.length / n,
  };
}
