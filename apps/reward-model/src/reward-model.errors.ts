import { Code } from '@vrft/grpc';
import { RewardInputError, RewardRecipeError } from '@vrft/rewards';
import { mapErrorClasses } from '@vrft/runtime';
import { EncoderUnavailableError } from './reward-scoring.service.js';

/** Statuses of the reward-model's errors. */
export const rewardModelErrorMapper = mapErrorClasses([
  [RewardInputError, Code.INVALID_ARGUMENT],
  [RewardRecipeError, Code.INVALID_ARGUMENT],
  [EncoderUnavailableError, Code.FAILED_PRECONDITION],
]);
