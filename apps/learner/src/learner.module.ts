import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import type { LearnerConfig } from './learner.config.js';
import { LearnerController } from './learner.controller.js';
import { LearnerState } from './learner-state.service.js';

/** Root module of the learner: SFT and GRPO updates, weight publishing, checkpoints. */
@Module({})
export class LearnerModule {
  static forRoot(config: LearnerConfig): DynamicModule {
    return appModule(LearnerModule, config, { controllers: [LearnerController], providers: [LearnerState] });
  }
}
