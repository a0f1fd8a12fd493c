import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

/** Configuration of the reward-model (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const rewardModelConfigSchema = baseAppSchema('reward-model', 50054).extend({
  reward: z
    .object({
      recipe: z
        .record(z.string(), z.unknown())
        .default({})
        .describe('Server default reward recipe (fields of @vrft/rewards RewardRecipe, JSON); requests override it'),
    })
    .prefault({}),
});

export type RewardModelConfig = z.output<typeof rewardModelConfigSchema>;
