import { EncoderCancelledError, EncoderInputError, EncoderLoadError } from '@vrft/dual-encoder';
import { Code } from '@vrft/grpc';
import { RewardInputError, RewardRecipeError } from '@vrft/rewards';
import { mapErrorClasses } from '@vrft/runtime';
import { EncoderUnavailableError } from './reward-scoring.service.js';

/** Statuses of the reward-model's errors (video errors go through the shared mapper). */
export const rewardModelErrorMapper = mapErrorClasses([
  [RewardInputError, Code.INVALID_ARGUMENT],
  [RewardRecipeError, Code.INVALID_ARGUMENT],
  [EncoderInputError, Code.INVALID_ARGUMENT],
  [EncoderCancelledError, Code.CANCELLED],
  [EncoderLoadError, Code.FAILED_PRECONDITION],
  [EncoderUnavailableError, Code.FAILED_PRECONDITION],
]);
