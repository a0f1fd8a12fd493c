import { type DynamicModule, Inject, Module } from '@nestjs/common';
import type { z } from 'zod';
import { type LoadConfigOptions, loadConfig } from './load-config.js';
import type { AnySchema } from './schema-walk.js';

/** Injection token of the app's parsed, frozen config. */
export const APP_CONFIG: unique symbol = Symbol.for('vrft.APP_CONFIG');

/** The config type of a schema, for `@InjectConfig() config: ConfigOf<typeof appConfigSchema>`. */
export type ConfigOf<S extends AnySchema> = z.output<S>;

/** Injects the app config (type the parameter with {@link ConfigOf}). */
export function InjectConfig(): PropertyDecorator & ParameterDecorator {
  return Inject(APP_CONFIG);
}

/**
 * Global Nest module that loads the config once, when the app is created. A bad config makes
 * `NestFactory.create(...)` reject with the ConfigError itself if the app is created with
 * `abortOnError: false` (pair it with `exitOnConfigError`).
 */
@Module({})
export class ConfigModule {
  /** Provides `loadConfig(schema, options)` under {@link APP_CONFIG} to every module. */
  static forRoot<S extends AnySchema>(schema: S, options?: LoadConfigOptions): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useFactory: (): ConfigOf<S> => loadConfig(schema, options) }],
      exports: [APP_CONFIG],
    };
  }
}
