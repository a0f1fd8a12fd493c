import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  APP_CONFIG,
  type ConfigOf,
  ConfigError,
  ConfigModule,
  EX_CONFIG,
  InjectConfig,
  exitOnConfigError,
  shutdownSchema,
} from '@vrft/config';

const schema = z.object({ name: z.string().describe('app name'), shutdown: shutdownSchema });

@Injectable()
class Greeter {
  constructor(@InjectConfig() readonly config: ConfigOf<typeof schema>) {}

  greet(): string {
    return `hello from ${this.config.name} (grace ${this.config.shutdown.graceMs} ms)`;
  }
}

// A feature module that does not import ConfigModule: the config module is global.
@Module({ providers: [Greeter], exports: [Greeter] })
class FeatureModule {}

function appModule(env: Record<string, string>): new () => unknown {
  @Module({ imports: [ConfigModule.forRoot(schema, { env }), FeatureModule] })
  class AppModule {}
  return AppModule;
}

describe('ConfigModule', () => {
  it('injects the parsed, frozen config into any module', async () => {
    const app = await NestFactory.createApplicationContext(appModule({ VRFT_NAME: 'serve' }), { logger: false });
    try {
      expect(app.get(Greeter).greet()).toBe('hello from serve (grace 10000 ms)');
      const config = app.get<ConfigOf<typeof schema>>(APP_CONFIG);
      expect(config.name).toBe('serve');
      expect(Object.isFrozen(config)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('surfaces a bad config as the ConfigError itself', async () => {
    const creating = NestFactory.createApplicationContext(appModule({ VRFT_SHUTDOWN__GRACE_MS: 'soon' }), {
      logger: false,
      abortOnError: false,
    });
    await expect(creating).rejects.toBeInstanceOf(ConfigError);
    await expect(creating).rejects.toThrow('VRFT_SHUTDOWN__GRACE_MS (shutdown.graceMs): expected number, got "soon"');
  });
});

describe('exitOnConfigError', () => {
  function recordingIo() {
    const io = { written: '', code: undefined as number | undefined };
    return {
      io,
      seam: {
        stderr: { write: (text: string) => (io.written += text) },
        exit: (code: number) => {
          io.code = code;
        },
      },
    };
  }

  it('prints every issue as "config error: ..." and exits with 78', () => {
    const { io, seam } = recordingIo();
    const error = new ConfigError([
      { path: 'a', source: { kind: 'env', name: 'VRFT_A' }, message: 'expected number, got "x"' },
      { path: '', source: { kind: 'env', name: 'VRFT_B' }, message: 'unknown variable' },
    ]);
    expect(() => exitOnConfigError(new Error('boot failed', { cause: error }), seam)).toThrow(error);
    expect(io.code).toBe(EX_CONFIG);
    expect(io.code).toBe(78);
    expect(io.written).toBe(
      'config error: VRFT_A (a): expected number, got "x"\nconfig error: VRFT_B: unknown variable\n',
    );
  });

  it('rethrows anything that is not a config error, without exiting', () => {
    const { io, seam } = recordingIo();
    const other = new Error('port in use');
    expect(() => exitOnConfigError(other, seam)).toThrow(other);
    expect(io.code).toBeUndefined();
    expect(io.written).toBe('');
  });
});
