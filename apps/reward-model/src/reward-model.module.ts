import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import type { RewardModelConfig } from './reward-model.config.js';
import { rewardModelErrorMapper } from './reward-model.errors.js';
import { RewardController } from './reward.controller.js';
import { RewardScoringService } from './reward-scoring.service.js';

/** Root module of the reward-model: format / accuracy / semantic-consistency rewards. */
@Module({})
export class RewardModelModule {
  static forRoot(config: RewardModelConfig): DynamicModule {
    return appModule(RewardModelModule, config, {
      controllers: [RewardController],
      providers: [RewardScoringService],
      errorMappers: [rewardModelErrorMapper],
    });
  }
}
