/**
 * The scalars the bus path adds to @vrft/learner-core's step metrics: what only the bus messages
 * tell (how stale each group was, how long the actors took over it). Pure.
 */
import { policyLag, type LearnerGroup } from './rollout-groups.js';

/**
 * `rollout/staleness_lag_<n>`: groups of the step sampled n versions before `policyVersion` (the
 * weights the step updated), the same lag as rollout/staleness_mean and _max.
 * `actor/<stage>_s_mean`: mean seconds per group the actors spent in each stage they reported
 * (generate, reward, reference), over the groups that report it; the actors run beside the learner,
 * so these are not part of time/step_s.
 */
export function busStepScalars(groups: readonly LearnerGroup[], policyVersion: number): Record<string, number> {
  const scalars: Record<string, number> = {};
  for (const g of groups) {
    const name = `rollout/staleness_lag_${policyLag(policyVersion, g.policyVersion)}`;
    scalars[name] = (scalars[name] ?? 0) + 1;
  }
  const stages = new Map<string, number[]>();
  for (const g of groups)
    for (const [stage, seconds] of Object.entries(g.actorSeconds))
      if (Number.isFinite(seconds) && seconds >= 0) stages.set(stage, [...(stages.get(stage) ?? []), seconds]);
  for (const [stage, seconds] of stages)
    scalars[`actor/${stage}_s_mean`] = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  return scalars;
}
