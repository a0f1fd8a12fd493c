/**
 * Bus RolloutGroups → the learner's update groups, and the staleness decision. Pure: the clip's
 * frames are decoded elsewhere (clip-frames.service.ts) and passed in.
 */
import { RolloutInputError, type MetricGroup, type UpdateGroup } from '@vrft/learner-core';
import { RewardComponent, type RolloutGroup } from '@vrft/proto';
import { computeGroupAdvantages, type GrpoConfig } from '@vrft/rl';

/** A group the learner can train on. */
export type LearnerGroup = UpdateGroup & MetricGroup;

function componentValue(reward: RolloutGroup['completions'][number]['reward'], component: RewardComponent): number {
  return reward?.components.find((c) => c.component === component)?.value ?? 0;
}

/**
 * Validates a RolloutGroup and turns it into a LearnerGroup: token ids, behaviour log-probs
 * (tokens.logprobs), reference log-probs, rewards by component and A_i from the totals.
 * Throws RolloutInputError naming the field at fault.
 */
export function toLearnerGroup(message: RolloutGroup, frames: Uint8Array, grpo: GrpoConfig): LearnerGroup {
  const promptIds = message.prompt?.tokenIds ?? [];
  if (promptIds.length === 0) throw new RolloutInputError('prompt.token_ids', 'is empty');
  if (message.completions.length < 1)
    throw new RolloutInputError('completions', 'a group needs at least one completion');
  const completions = message.completions.map((completion, i) => {
    const tokenIds = completion.tokens?.tokenIds ?? [];
    const logprobs = completion.tokens?.logprobs ?? [];
    if (logprobs.length !== tokenIds.length)
      throw new RolloutInputError(
        `completions[${i}].tokens.logprobs`,
        `${logprobs.length} values for ${tokenIds.length} tokens`,
      );
    if (completion.referenceLogprobs.length !== tokenIds.length)
      throw new RolloutInputError(
        `completions[${i}].reference_logprobs`,
        `${completion.referenceLogprobs.length} values for ${tokenIds.length} tokens`,
      );
    if (completion.reward === undefined || !Number.isFinite(completion.reward.total))
      throw new RolloutInputError(`completions[${i}].reward`, 'a finite total reward is required');
    return { tokenIds: [...tokenIds], behaviourLogprobs: [...logprobs], text: completion.text };
  });
  const total = message.completions.map((c) => c.reward?.total ?? 0);
  return {
    prompt: { problemId: message.problemId, promptIds: [...promptIds], frames },
    policyVersion: Number(message.policyVersion?.version ?? 0n),
    completions,
    referenceLogprobs: message.completions.map((c) => [...c.referenceLogprobs]),
    rewards: {
      format: message.completions.map((c) => componentValue(c.reward, RewardComponent.FORMAT)),
      accuracy: message.completions.map((c) => componentValue(c.reward, RewardComponent.ACCURACY)),
      total,
    },
    advantages: Array.from(computeGroupAdvantages(total, grpo)), // A_i = (r_i − mean) / (std + ε)
  };
}

/** What to do with a group `lag` versions behind the current policy. */
export type StalenessDecision = 'train' | 'importance' | 'drop';

/** The staleness bound: within maxLag train as is; beyond, drop or importance-correct (up to maxImportanceLag). */
export function decideStaleness(
  lag: number,
  policy: { maxPolicyLag: number; stalePolicy: 'drop' | 'importance'; maxImportanceLag: number },
): StalenessDecision {
  if (lag <= policy.maxPolicyLag) return 'train';
  if (policy.stalePolicy === 'importance' && lag <= policy.maxImportanceLag) return 'importance';
  return 'drop';
}
