import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import type { ReasoningServerConfig } from './reasoning-server.config.js';
import { ReasoningController } from './reasoning.controller.js';

/** Root module of the reasoning-server: serves the trained model to clients. */
@Module({})
export class ReasoningServerModule {
  static forRoot(config: ReasoningServerConfig): DynamicModule {
    return appModule(ReasoningServerModule, config, { controllers: [ReasoningController] });
  }
}
