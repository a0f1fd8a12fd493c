import { create } from '@bufbuild/protobuf';
import {
  type RewardBreakdown,
  RewardBreakdownSchema,
  type RewardRecipe as RewardRecipeMessage,
  type ScoreRequest,
  SimilarityAggregation,
} from '@vrft/proto';
import { RewardRecipeError } from './errors.js';
import { DEFAULT_REWARD_RECIPE, parseRewardRecipe, type RewardRecipe, type RewardRecipeInput } from './recipe.js';
import type { CompletionGroup, CompletionReward } from './score-group.js';

/** The proto `RewardBreakdown` of one completion: all five components in enum order, and the total. */
export function toRewardBreakdown(reward: CompletionReward): RewardBreakdown {
  const components = [reward.format, reward.accuracy, reward.semantic, reward.lengthBonus, reward.temporalBonus];
  return create(RewardBreakdownSchema, {
    components: components.map((c) => ({
      component: c.component,
      value: c.value,
      zeroReason: c.zeroReason,
      detail: c.detail,
    })),
    total: reward.total,
  });
}

/**
 * The recipe of a request: the fields the message sets override `base` (the
 * server's recipe), unset ones keep it; validated like parseRewardRecipe.
 */
export function recipeFromProto(
  message: RewardRecipeMessage | undefined,
  base: RewardRecipe = DEFAULT_REWARD_RECIPE,
): RewardRecipe {
  if (message === undefined) return base;
  const input: RewardRecipeInput = {
    format: message.format,
    accuracy: message.accuracy,
    semantic: message.semanticConsistency,
    semanticWeight: message.semanticWeight,
    gate: message.gateSemanticOnAccuracy,
    aggregation: aggregationFromProto(message.aggregation),
    descriptionTokens: message.descriptionTokens,
    numFrames: message.numFrames,
    lengthBonus: message.lengthBonus === undefined ? undefined : { enabled: message.lengthBonus },
    temporalBonus: message.temporalBonus === undefined ? undefined : { enabled: message.temporalBonus },
  };
  return parseRewardRecipe(input, base);
}

/** The group of a `ScoreRequest` (its recipe and video are handled by the caller). */
export function groupFromScoreRequest(request: ScoreRequest): CompletionGroup {
  return {
    problemType: request.problemType,
    solution: request.solution,
    completions: request.completions.map((c) => ({ text: c.text, numTokens: c.numTokens })),
    temporal:
      request.temporal === undefined
        ? undefined
        : { orderedAccuracy: request.temporal.orderedAccuracy, shuffledAccuracy: request.temporal.shuffledAccuracy },
  };
}

function aggregationFromProto(value: SimilarityAggregation): RewardRecipe['aggregation'] | undefined {
  switch (value) {
    case SimilarityAggregation.UNSPECIFIED:
      return undefined;
    case SimilarityAggregation.MEAN_FRAME_EMBEDDING:
      return 'mean-frame-embedding';
    case SimilarityAggregation.MEAN_CLIPPED_COSINE:
      return 'mean-clipped-cosine';
    default:
      throw new RewardRecipeError('aggregation', `unknown SimilarityAggregation ${String(value)}`);
  }
}
