import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type LoadConfigOptions, exitOnConfigError, loadConfig } from '@vrft/config';
import { GrpcServerHost } from '@vrft/grpc';
import { JsonLogger } from '@vrft/telemetry';
import type { z } from 'zod';
import type { BaseAppConfig } from './app-config.js';

/** A deployable: its name, config schema and root module. */
export interface AppDefinition<S extends z.ZodType<BaseAppConfig>> {
  name: string;
  schema: S;
  module: (config: z.output<S>) => DynamicModule;
}

/** A started app. */
export interface RunningApp {
  context: INestApplicationContext;
  /** The bound gRPC port. */
  grpcPort: number;
  /** Graceful stop: health NOT_SERVING, drain, lifecycle hooks. */
  close(): Promise<void>;
}

/** Creates and starts an app from an already loaded config (tests boot apps in-process this way). */
export async function startApp<S extends z.ZodType<BaseAppConfig>>(
  definition: AppDefinition<S>,
  config: z.output<S>,
): Promise<RunningApp> {
  const context = await NestFactory.createApplicationContext(definition.module(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  context.useLogger(context.get(JsonLogger));
  await context.init();
  return { context, grpcPort: context.get(GrpcServerHost).port, close: () => context.close() };
}

/**
 * The body of every app's main: load config (a bad value exits 78 naming it),
 * start, then on SIGTERM/SIGINT drain and exit 0 — or exit 1 if draining takes
 * longer than the configured grace period plus a margin.
 */
export async function runApp<S extends z.ZodType<BaseAppConfig>>(
  definition: AppDefinition<S>,
  options?: LoadConfigOptions,
): Promise<void> {
  let config: z.output<S>;
  try {
    config = loadConfig(definition.schema, options);
  } catch (error) {
    exitOnConfigError(error);
  }
  // Listen before anything is announced: a signal that arrives while the app starts (a
  // supervisor reacting to the ready line) must drain it, not kill the process outright.
  let received: NodeJS.Signals | undefined;
  let stop = (signal: NodeJS.Signals) => void (received ??= signal);
  process.once('SIGTERM', (signal) => stop(signal));
  process.once('SIGINT', (signal) => stop(signal));

  const app = await startApp(definition, config);
  const logger = app.context.get(JsonLogger);

  let stopping = false;
  stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: shutting down`, 'Main');
    const hardStop = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdown.graceMs} ms: exiting`, undefined, 'Main');
      process.exit(1);
    }, config.shutdown.graceMs + 5_000);
    hardStop.unref();
    app.close().then(
      () => {
        logger.log(`${definition.name} stopped`, 'Main');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', error instanceof Error ? error.stack : String(error), 'Main');
        process.exit(1);
      },
    );
  };
  logger.log(`${definition.name} ready`, { grpcPort: app.grpcPort, pid: process.pid }, 'Main');
  if (received) stop(received);
}
