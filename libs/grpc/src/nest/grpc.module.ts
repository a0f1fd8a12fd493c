import type { DescService } from '@bufbuild/protobuf';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type Provider,
  SetMetadata,
  applyDecorators,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { GrpcServer, type GrpcServerOptions } from '../server.js';
import type { ServiceImpl } from '../service-types.js';

/** Injection token of the GrpcServerOptions of the app. */
export const GRPC_SERVER_OPTIONS = Symbol('GRPC_SERVER_OPTIONS');
const GRPC_SERVICE = 'vrft:grpc-service';

/**
 * Marks a controller or provider as the implementation of a generated service.
 * The class should `implements ServiceImpl<typeof TheService>`.
 */
export function GrpcService(service: DescService): ClassDecorator {
  return applyDecorators(SetMetadata(GRPC_SERVICE, service), Injectable());
}

/** Options of {@link GrpcModule.forRootAsync}. */
export interface GrpcModuleOptions {
  /** Builds the server options, typically from the app's config. */
  useFactory: (...deps: never[]) => GrpcServerOptions | Promise<GrpcServerOptions>;
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  /**
   * Report SERVING as soon as the server is bound (default). Apps that must load
   * something first (a model) pass false and call `setServing(true)` themselves.
   */
  servingOnStart?: boolean;
}

const SERVING_ON_START = Symbol('GRPC_SERVING_ON_START');

/**
 * Owns the app's GrpcServer: on bootstrap it registers every @GrpcService class
 * and binds; before shutdown it drains (health NOT_SERVING, grace period, cancel).
 */
@Injectable()
export class GrpcServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('GrpcServer');
  readonly server: GrpcServer;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(GRPC_SERVER_OPTIONS) private readonly options: GrpcServerOptions,
    @Inject(SERVING_ON_START) private readonly servingOnStart: boolean,
  ) {
    this.server = new GrpcServer({
      ...options,
      onCallError: (error, method) => {
        const line = `${method} failed with ${error.codeName}: ${error.message}`;
        if (error.codeName === 'INTERNAL' || error.codeName === 'UNKNOWN')
          this.logger.error(line, error.cause instanceof Error ? error.cause.stack : undefined);
        else this.logger.warn(line);
        options.onCallError?.(error, method);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    for (const wrapper of wrappers) {
      const service: unknown = wrapper.metatype ? Reflect.getMetadata(GRPC_SERVICE, wrapper.metatype) : undefined;
      if (!service || !wrapper.instance) continue;
      this.server.addService(service as DescService, wrapper.instance as ServiceImpl<DescService>);
    }
    const port = await this.server.start();
    if (this.servingOnStart) this.server.setServing(true);
    this.logger.log(`gRPC listening on ${this.options.host}:${port} (${this.server.serviceNames.join(', ')})`);
  }

  /** The bound port. */
  get port(): number {
    return this.server.port;
  }

  /** Sets the health status reported by grpc.health.v1. */
  setServing(serving: boolean): void {
    this.server.setServing(serving);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`draining gRPC server${signal ? ` on ${signal}` : ''}`);
    await this.server.shutdown();
  }
}

/** NestJS module that serves the app's @GrpcService classes. */
@Module({})
export class GrpcModule {
  static forRootAsync(options: GrpcModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: GRPC_SERVER_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
      { provide: SERVING_ON_START, useValue: options.servingOnStart ?? true },
      GrpcServerHost,
    ];
    return { module: GrpcModule, imports: [DiscoveryModule], providers, exports: [GrpcServerHost], global: true };
  }
}
