import 'reflect-metadata';
import { Injectable, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, telemetrySchema } from '@vrft/config';
import {
  JsonLogger,
  TRACING,
  TelemetryLifecycle,
  TelemetryModule,
  type TelemetryModuleOptions,
  TelemetryOptionsError,
  type TracingHandle,
  defineCounter,
} from '@vrft/telemetry';
import { startOtlpCollector } from './otlp-collector.js';

function captureStream() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write: (text: string) => {
      for (const line of text.trimEnd().split('\n')) lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}

@Injectable()
class RolloutService {
  readonly groups: Counter;

  constructor(
    registry: Registry,
    readonly logger: JsonLogger,
  ) {
    this.groups = defineCounter(registry, { name: 'vrft_rollout_groups_total', help: 'Rollout groups generated' });
  }

  generate(): void {
    trace.getTracer('rollout').startActiveSpan('rollout-group', (span) => {
      this.groups.inc();
      this.logger.log('group generated', 'RolloutService');
      span.end();
    });
  }
}

@Module({ providers: [RolloutService] })
class RolloutModule {}

function appModule(options: TelemetryModuleOptions): new () => unknown {
  @Module({ imports: [TelemetryModule.forRoot(options), RolloutModule] })
  class AppModule {}
  return AppModule;
}

describe('TelemetryModule', () => {
  it('wires logger, registry, tracing and a metrics endpoint from the config section', async () => {
    const collector = await startOtlpCollector();
    const config = loadConfig(z.object({ telemetry: telemetrySchema }), {
      env: {
        VRFT_TELEMETRY__SERVICE_NAME: 'vrft-rollout',
        VRFT_TELEMETRY__METRICS_PORT: '0',
        VRFT_TELEMETRY__OTLP_ENDPOINT: collector.endpoint,
      },
    });
    const stdout = captureStream();
    const app = await NestFactory.createApplicationContext(
      appModule({ ...config.telemetry, logStreams: { stdout, stderr: captureStream() } }),
      { bufferLogs: true },
    );
    try {
      app.useLogger(app.get(JsonLogger));
      const server = app.get(TelemetryLifecycle).metricsServer();
      expect(server).toBeDefined();
      expect(app.get<TracingHandle>(TRACING).exporting).toBe(true);

      app.get(RolloutService).generate();
      const text = await (await fetch(server?.url ?? '')).text();
      expect(text).toContain('vrft_rollout_groups_total{service="vrft-rollout"} 1');

      const generated = stdout.lines.find((line) => line.msg === 'group generated');
      expect(generated).toMatchObject({ service: 'vrft-rollout', context: 'RolloutService', level: 'info' });
      expect(generated?.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(stdout.lines.find((line) => line.msg === 'metrics endpoint listening')).toMatchObject({
        url: server?.url,
      });

      // Nest's own Logger goes through the JSON logger once it is the app logger.
      new Logger('Bootstrap').log('ready');
      expect(stdout.lines.at(-1)).toMatchObject({ msg: 'ready', context: 'Bootstrap', service: 'vrft-rollout' });
    } finally {
      await app.close();
      await collector.close();
    }

    // Shutdown closed the endpoint and flushed the span to the collector.
    const url = stdout.lines.find((line) => line.msg === 'metrics endpoint listening')?.url;
    await expect(fetch(String(url))).rejects.toThrow();
    expect(collector.received.some((request) => request.body.includes(Buffer.from('rollout-group')))).toBe(true);
    expect(trace.getTracer('x').startSpan('after').spanContext().traceId).toBe('0'.repeat(32));
  });

  it('runs no metrics endpoint when no port is configured', async () => {
    const app = await NestFactory.createApplicationContext(
      appModule({ serviceName: 'quiet', defaultMetrics: false, logStreams: { stdout: captureStream() } }),
      { logger: false },
    );
    try {
      expect(app.get(TelemetryLifecycle).metricsServer()).toBeUndefined();
      expect(app.get<TracingHandle>(TRACING).exporting).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('rejects bad options, naming the field', () => {
    expect(() => TelemetryModule.forRoot({ serviceName: '' })).toThrow(TelemetryOptionsError);
    expect(() => TelemetryModule.forRoot({ serviceName: 's', metricsPort: -1 })).toThrow(
      'metricsPort: expected a port number',
    );
    expect(() => TelemetryModule.forRoot({ serviceName: 's', logLevel: 'loud' as 'info' })).toThrow(
      'logLevel: expected one of',
    );
  });
});
