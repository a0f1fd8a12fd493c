import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import type { PolicyActorConfig } from './policy-actor.config.js';
import { PolicyController } from './policy.controller.js';

/** Root module of the policy-actor: policy inference for rollouts and the actor loop. */
@Module({})
export class PolicyActorModule {
  static forRoot(config: PolicyActorConfig): DynamicModule {
    return appModule(PolicyActorModule, config, { controllers: [PolicyController] });
  }
}
