import type { AppDefinition } from '@vrft/runtime';
import { rewardModelConfigSchema } from './reward-model.config.js';
import { RewardModelModule } from './reward-model.module.js';

/** The reward-model deployable. */
export const rewardModelApp: AppDefinition<typeof rewardModelConfigSchema> = {
  name: 'reward-model',
  schema: rewardModelConfigSchema,
  module: (config) => RewardModelModule.forRoot(config),
};
