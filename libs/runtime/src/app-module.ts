import { type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import { type ErrorMapper, GrpcModule } from '@vrft/grpc';
import { Registry } from 'prom-client';
import { sharedErrorMapper } from './error-mapping.js';
import { grpcServerMetrics } from './grpc-metrics.js';
import { TelemetryModule } from '@vrft/telemetry';
import { type BaseAppConfig, grpcServerOptionsOf } from './app-config.js';

/** What an app adds to the common frame. */
export interface AppModuleParts extends Pick<ModuleMetadata, 'imports' | 'providers' | 'controllers'> {
  /** Report SERVING once bound (default) or let the app decide (a model must load first). */
  servingOnStart?: boolean;
  /** The app's own error → status mappers, tried before the shared ones. */
  errorMappers?: readonly ErrorMapper[];
}

/**
 * The root module of an app: its config under APP_CONFIG, telemetry (logs,
 * tracing, /metrics), the gRPC server serving its @GrpcService controllers,
 * and whatever the app adds.
 */
export function appModule(module: Type, config: BaseAppConfig, parts: AppModuleParts): DynamicModule {
  return {
    module,
    global: true,
    imports: [
      TelemetryModule.forRoot(config.telemetry),
      GrpcModule.forRootAsync({
        useFactory: (registry: Registry) => ({
          ...grpcServerOptionsOf(config),
          errorMappers: [...(parts.errorMappers ?? []), sharedErrorMapper],
          onCallEnd: grpcServerMetrics(registry),
        }),
        inject: [Registry],
        servingOnStart: parts.servingOnStart,
      }),
      ...(parts.imports ?? []),
    ],
    controllers: parts.controllers ?? [],
    providers: [{ provide: APP_CONFIG, useValue: config }, ...(parts.providers ?? [])],
    exports: [APP_CONFIG],
  };
}
