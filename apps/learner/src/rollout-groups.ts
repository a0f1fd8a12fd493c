/**
 * Bus RolloutGroups → the learner's update groups, and the staleness decision. Pure: the clip's
 * frames are decoded elsewhere (clip-frames.service.ts) and passed in.
 */
import { RolloutInputError, type MetricGroup, type SemanticRewards, type UpdateGroup } from '@vrft/learner-core';
import { RewardComponent, ZeroReason, type RewardValue, type RolloutGroup } from '@vrft/proto';
import { computeGroupAdvantages, type GrpoConfig } from '@vrft/rl';

/** A group the learner can train on. */
export type LearnerGroup = UpdateGroup &
  MetricGroup & {
    /** Seconds the actor spent on the group, by stage (RolloutGroup.stage_seconds). */
    readonly actorSeconds: Readonly<Record<string, number>>;
  };

type Completions = RolloutGroup['completions'];

function componentOf(completion: Completions[number], component: RewardComponent): RewardValue | undefined {
  return completion.reward?.components.find((c) => c.component === component);
}

function componentValue(completion: Completions[number], component: RewardComponent): number {
  return componentOf(completion, component)?.value ?? 0;
}

/** Whether the actor's recipe had `component` on: it is there and not zero for being DISABLED. */
function componentOn(completions: Completions, component: RewardComponent): boolean {
  return completions.some((c) => {
    const value = componentOf(c, component);
    return value !== undefined && value.zeroReason !== ZeroReason.DISABLED;
  });
}

/**
 * R_s with the local loop's gated/scored flags, read from the zero reasons the reward model gives
 * (@vrft/rewards scoreGroup): gated is GATED_BY_ACCURACY; scored means a description span was
 * compared with the frames, so a value, or a zero for a similarity ≤ 0.
 */
function semanticRewards(completions: Completions): SemanticRewards | undefined {
  const component = RewardComponent.SEMANTIC_CONSISTENCY;
  if (!componentOn(completions, component)) return undefined;
  const values = completions.map((c) => componentOf(c, component));
  return {
    value: values.map((v) => v?.value ?? 0),
    gated: values.map((v) => v?.zeroReason === ZeroReason.GATED_BY_ACCURACY),
    scored: values.map((v) => v !== undefined && (v.value !== 0 || v.zeroReason === ZeroReason.NEGATIVE_SIMILARITY)),
  };
}

function bonusValues(completions: Completions, component: RewardComponent): number[] | undefined {
  return componentOn(completions, component) ? completions.map((c) => componentValue(c, component)) : undefined;
}

/** R_a of every completion of a bus group (0 where the reward has no accuracy component). */
export function accuracyRewards(message: RolloutGroup): number[] {
  return message.completions.map((c) => componentValue(c, RewardComponent.ACCURACY));
}

/**
 * Validates a RolloutGroup and turns it into a LearnerGroup: token ids, behaviour log-probs
 * (tokens.logprobs), reference log-probs, rewards by component (R_s and the bonuses where the
 * actor's recipe had them on), A_i from the totals and the actor's stage times.
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
  const semantic = semanticRewards(message.completions);
  const lengthBonus = bonusValues(message.completions, RewardComponent.LENGTH_BONUS);
  const temporalBonus = bonusValues(message.completions, RewardComponent.TEMPORAL_BONUS);
  return {
    prompt: { problemId: message.problemId, promptIds: [...promptIds], frames },
    policyVersion: Number(message.policyVersion?.version ?? 0n),
    completions,
    referenceLogprobs: message.completions.map((c) => [...c.referenceLogprobs]),
    rewards: {
      format: message.completions.map((c) => componentValue(c, RewardComponent.FORMAT)),
      accuracy: accuracyRewards(message),
      ...(semantic === undefined ? {} : { semantic }),
      ...(lengthBonus === undefined ? {} : { lengthBonus }),
      ...(temporalBonus === undefined ? {} : { temporalBonus }),
      total,
    },
    advantages: Array.from(computeGroupAdvantages(total, grpo)), // A_i = (r_i − mean) / (std + ε)
    actorSeconds: { ...message.stageSeconds },
  };
}

/** How many versions a group sampled with `groupVersion` lags the policy at `version` (never negative). */
export function policyLag(version: number, groupVersion: number): number {
  return Math.max(0, version - groupVersion);
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
