import { type DynamicModule, Module } from '@nestjs/common';
import { Code } from '@vrft/grpc';
import { RolloutInputError, TrainingCheckpointError } from '@vrft/learner-core';
import { appModule, BusModule, mapErrorClasses } from '@vrft/runtime';
import { GrpoLearner, LearnerIdleError, UnknownRunError } from './grpo-learner.service.js';
import type { LearnerConfig } from './learner.config.js';
import { LearnerController } from './learner.controller.js';
import { LearnerState } from './learner-state.service.js';
import { MetricsHub } from './metrics-hub.service.js';

/** Statuses of the learner's own errors. */
const learnerErrorMapper = mapErrorClasses([
  [LearnerIdleError, Code.FAILED_PRECONDITION],
  [UnknownRunError, Code.NOT_FOUND],
  [RolloutInputError, Code.INVALID_ARGUMENT],
  [TrainingCheckpointError, Code.INTERNAL],
]);

/**
 * Root module of the learner: GRPO updates from the bus, weight publishing, checkpoints. The bus
 * is connected only when a run is configured (learner.init); an idle learner needs no NATS.
 */
@Module({})
export class LearnerModule {
  static forRoot(config: LearnerConfig): DynamicModule {
    return appModule(LearnerModule, config, {
      imports: config.learner.init === undefined ? [] : [BusModule.forRoot(config.nats, config.telemetry.serviceName)],
      controllers: [LearnerController],
      providers: [LearnerState, MetricsHub, GrpoLearner],
      errorMappers: [learnerErrorMapper],
    });
  }
}
