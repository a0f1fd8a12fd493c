import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Registry } from 'prom-client';
import { JsonLogger, type LogStream } from './json-logger.js';
import { type LogLevel, parseLogLevel } from './log-levels.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { TelemetryOptionsError } from './telemetry-errors.js';
import { type TracingHandle, startTracing } from './tracing.js';

/**
 * Options of {@link TelemetryModule.forRoot}; the `telemetry` section of an app config
 * (telemetrySchema of @vrft/config) fits as it is.
 */
export interface TelemetryModuleOptions {
  /** Service name on logs, metrics and traces. Required. */
  serviceName: string;
  /** Least severe level logged. Default: 'info'. */
  logLevel?: LogLevel;
  /** OTLP/HTTP collector base URL. Default: none = spans are not exported. */
  otlpEndpoint?: string;
  /** Fraction of new traces sampled. Default: 1. */
  sampleRatio?: number;
  /** Port of the /metrics endpoint (0 = a free port). Default: none = no endpoint. */
  metricsPort?: number;
  /** Interface of the /metrics endpoint. Default: '127.0.0.1'. */
  metricsHost?: string;
  /** Collect Node's default process metrics. Default: true. */
  defaultMetrics?: boolean;
  /** Streams of the logger. Default: process.stdout / process.stderr. */
  logStreams?: { stdout?: LogStream; stderr?: LogStream };
}

/** Injection token of the validated {@link TelemetryModuleOptions}. */
export const TELEMETRY_OPTIONS: unique symbol = Symbol.for('vrft.TELEMETRY_OPTIONS');
/** Injection token of the process's {@link TracingHandle}. */
export const TRACING: unique symbol = Symbol.for('vrft.TRACING');

/** Validates module options; throws TelemetryOptionsError naming the field. */
export function parseTelemetryModuleOptions(options: TelemetryModuleOptions): TelemetryModuleOptions {
  if (typeof options.serviceName !== 'string' || options.serviceName.trim() === '') {
    throw new TelemetryOptionsError(
      'serviceName',
      `expected a non-empty string, got ${JSON.stringify(options.serviceName)}`,
    );
  }
  parseLogLevel(options.logLevel ?? 'info', 'logLevel');
  const port = options.metricsPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new TelemetryOptionsError('metricsPort', `expected a port number 0..65535, got ${String(port)}`);
  }
  return options;
}

/**
 * Starts the metrics endpoint once the app has bootstrapped and, on shutdown, closes it and
 * flushes and stops tracing (call `app.enableShutdownHooks()` so signals trigger this).
 */
@Injectable()
export class TelemetryLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: MetricsServer | undefined;

  constructor(
    @Inject(TELEMETRY_OPTIONS) private readonly options: TelemetryModuleOptions,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(TRACING) private readonly tracing: TracingHandle,
  ) {}

  /** The running metrics endpoint, if one is configured. */
  metricsServer(): MetricsServer | undefined {
    return this.server;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.metricsPort === undefined) return;
    this.server = await startMetricsServer({
      registry: this.registry,
      port: this.options.metricsPort,
      host: this.options.metricsHost,
    });
    this.logger.log('metrics endpoint listening', 'Telemetry', { url: this.server.url });
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.server?.close();
    } finally {
      await this.tracing.shutdown();
    }
  }
}

/** Global Nest module: the JSON logger, the prom-client Registry, tracing and the metrics endpoint. */
@Module({})
export class TelemetryModule {
  /** Provides JsonLogger, Registry, {@link TRACING} and {@link TelemetryLifecycle} to every module. */
  static forRoot(options: TelemetryModuleOptions): DynamicModule {
    const parsed = parseTelemetryModuleOptions(options);
    return {
      module: TelemetryModule,
      global: true,
      providers: [
        { provide: TELEMETRY_OPTIONS, useValue: parsed },
        {
          provide: JsonLogger,
          useFactory: () =>
            new JsonLogger({
              service: parsed.serviceName,
              level: parsed.logLevel,
              stdout: parsed.logStreams?.stdout,
              stderr: parsed.logStreams?.stderr,
            }),
        },
        {
          provide: Registry,
          useFactory: () =>
            createMetricsRegistry({ service: parsed.serviceName, defaultMetrics: parsed.defaultMetrics }),
        },
        {
          provide: TRACING,
          useFactory: () =>
            startTracing({
              serviceName: parsed.serviceName,
              otlpEndpoint: parsed.otlpEndpoint,
              sampleRatio: parsed.sampleRatio,
            }),
        },
        TelemetryLifecycle,
      ],
      exports: [TELEMETRY_OPTIONS, JsonLogger, Registry, TRACING, TelemetryLifecycle],
    };
  }
}
