import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import { AnswerService } from './generation/answer.service.js';
import { OpenAiHttpHost } from './http/openai-http.host.js';
import { ServingMetrics } from './metrics/serving-metrics.js';
import { ModelHost } from './model/model-host.js';
import type { ReasoningServerConfig } from './reasoning-server.config.js';
import { reasoningServerErrorMapper } from './reasoning-server.errors.js';
import { ReasoningController } from './reasoning.controller.js';
import { UploadStoreProvider } from './upload/upload-store.provider.js';

/** Root module of the reasoning-server: serves the trained model to clients over gRPC and HTTP. */
@Module({})
export class ReasoningServerModule {
  static forRoot(config: ReasoningServerConfig): DynamicModule {
    return appModule(ReasoningServerModule, config, {
      controllers: [ReasoningController],
      providers: [UploadStoreProvider, ServingMetrics, ModelHost, AnswerService, OpenAiHttpHost],
      errorMappers: [reasoningServerErrorMapper],
      // SERVING once the model is loaded (ModelHost).
      servingOnStart: false,
    });
  }
}
