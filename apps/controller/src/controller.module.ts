import { type DynamicModule, Module } from '@nestjs/common';
import { BusModule, appModule } from '@vrft/runtime';
import { ClusterController } from './cluster.controller.js';
import type { ControllerConfig } from './controller.config.js';
import { controllerErrorMapper } from './controller.errors.js';
import { RunRegistry } from './run-registry.service.js';

/** Root module of the controller: launches, watches and stops runs. */
@Module({})
export class ControllerModule {
  static forRoot(config: ControllerConfig): DynamicModule {
    return appModule(ControllerModule, config, {
      imports: [BusModule.forRoot(config.nats, config.telemetry.serviceName)],
      controllers: [ClusterController],
      providers: [RunRegistry],
      errorMappers: [controllerErrorMapper],
    });
  }
}
