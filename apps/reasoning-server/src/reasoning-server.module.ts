import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import type { ReasoningServerConfig } from './reasoning-server.config.js';
import { reasoningServerErrorMapper } from './reasoning-server.errors.js';
import { ReasoningController } from './reasoning.controller.js';
import { UploadStoreProvider } from './upload/upload-store.provider.js';

/** Root module of the reasoning-server: serves the trained model to clients. */
@Module({})
export class ReasoningServerModule {
  static forRoot(config: ReasoningServerConfig): DynamicModule {
    return appModule(ReasoningServerModule, config, {
      controllers: [ReasoningController],
      providers: [UploadStoreProvider],
      errorMappers: [reasoningServerErrorMapper],
    });
  }
}
