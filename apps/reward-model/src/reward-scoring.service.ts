import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import type { ScoreRequest } from '@vrft/proto';
import {
  type RewardRecipe,
  groupFromScoreRequest,
  parseRewardRecipe,
  recipeFromProto,
  scoreGroup,
  toRewardBreakdown,
} from '@vrft/rewards';
import type { RewardModelConfig } from './reward-model.config.js';

/** Semantic consistency was asked for, but no dual encoder is loaded in this server. */
export class EncoderUnavailableError extends Error {
  override readonly name = 'EncoderUnavailableError';
  constructor() {
    super(
      'semantic consistency needs the dual encoder, which arrives with issue #5; ' +
        'send recipe.semantic_consistency=false to score format and accuracy only',
    );
  }
}

/** Scores groups of completions with the method's rewards (libs/rewards). */
@Injectable()
export class RewardScoringService {
  private readonly baseRecipe: RewardRecipe;

  constructor(@Inject(APP_CONFIG) config: RewardModelConfig) {
    this.baseRecipe = parseRewardRecipe(config.reward.recipe);
  }

  /** One breakdown per completion, in request order. */
  score(request: ScoreRequest) {
    const recipe = recipeFromProto(request.recipe, this.baseRecipe);
    if (recipe.semantic) throw new EncoderUnavailableError();
    const rewards = scoreGroup(groupFromScoreRequest(request), recipe);
    return { rewards: rewards.map(toRewardBreakdown) };
  }
}
