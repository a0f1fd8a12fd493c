import { type DynamicModule, Module } from '@nestjs/common';
import { appModule } from '@vrft/runtime';
import type { ReferenceModelConfig } from './reference-model.config.js';
import { referenceModelErrorMapper } from './reference-model.errors.js';
import { ReferenceScoringService } from './reference-scoring.service.js';
import { ReferenceController } from './reference.controller.js';

/** Root module of the reference-model: frozen reference log-probs. NOT_SERVING until the checkpoint is in. */
@Module({})
export class ReferenceModelModule {
  static forRoot(config: ReferenceModelConfig): DynamicModule {
    return appModule(ReferenceModelModule, config, {
      controllers: [ReferenceController],
      providers: [ReferenceScoringService],
      errorMappers: [referenceModelErrorMapper],
      servingOnStart: false,
    });
  }
}
