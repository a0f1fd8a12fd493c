import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { grpcServerSchema, loadConfig, natsSchema, shutdownSchema, telemetrySchema } from '@vrft/config';

const dir = mkdtempSync(join(tmpdir(), 'vrft-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const appSchema = z.object({
  grpc: grpcServerSchema,
  nats: natsSchema,
  telemetry: telemetrySchema,
  shutdown: shutdownSchema,
  workers: z.number().int().min(1).default(2).describe('worker threads'),
});

describe('loadConfig', () => {
  it('applies fragment defaults when only required fields are set', () => {
    const config = loadConfig(appSchema, {
      env: { VRFT_GRPC__PORT: '50051', VRFT_TELEMETRY__SERVICE_NAME: 'serve' },
    });
    expect(config.grpc).toEqual({
      host: '127.0.0.1',
      port: 50051,
      maxReceiveMessageBytes: 16 * 1024 * 1024,
      maxSendMessageBytes: 16 * 1024 * 1024,
      keepaliveTimeMs: 60_000,
      keepaliveTimeoutMs: 20_000,
      auth: { bearerTokens: [] },
    });
    expect(config.nats.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(config.telemetry).toEqual({
      serviceName: 'serve',
      logLevel: 'info',
      sampleRatio: 1,
      metricsHost: '127.0.0.1',
    });
    expect(config.telemetry.otlpEndpoint).toBeUndefined();
    expect(config.shutdown.graceMs).toBe(10_000);
    expect(config.workers).toBe(2);
  });

  it('lets environment variables override the file named by VRFT_CONFIG_FILE', () => {
    const file = writeJson('override.json', {
      grpc: { port: 1000, host: '0.0.0.0' },
      telemetry: { serviceName: 'from-file', logLevel: 'warn' },
      workers: 4,
    });
    const config = loadConfig(appSchema, {
      env: { VRFT_CONFIG_FILE: file, VRFT_GRPC__PORT: '2000', VRFT_TELEMETRY__LOG_LEVEL: 'debug' },
    });
    expect(config.grpc.port).toBe(2000);
    expect(config.grpc.host).toBe('0.0.0.0');
    expect(config.telemetry.serviceName).toBe('from-file');
    expect(config.telemetry.logLevel).toBe('debug');
    expect(config.workers).toBe(4);
  });

  it('prefers argvFile over VRFT_CONFIG_FILE', () => {
    const fromEnv = writeJson('env-file.json', { grpc: { port: 1 }, telemetry: { serviceName: 'env' } });
    const fromArgv = writeJson('argv-file.json', { grpc: { port: 2 }, telemetry: { serviceName: 'argv' } });
    const config = loadConfig(appSchema, { env: { VRFT_CONFIG_FILE: fromEnv }, argvFile: fromArgv });
    expect(config.telemetry.serviceName).toBe('argv');
    expect(config.grpc.port).toBe(2);
  });

  it('maps nested objects with __ and converts camelCase to upper snake case', () => {
    const config = loadConfig(appSchema, {
      env: {
        VRFT_GRPC__PORT: '0',
        VRFT_GRPC__MAX_RECEIVE_MESSAGE_BYTES: '1024',
        VRFT_GRPC__TLS__CERT_FILE: '/tls/server.pem',
        VRFT_GRPC__TLS__KEY_FILE: '/tls/server.key',
        VRFT_GRPC__TLS__CA_FILE: '/tls/ca.pem',
        VRFT_GRPC__TLS__REQUIRE_CLIENT_CERT: 'true',
        VRFT_TELEMETRY__SERVICE_NAME: 'serve',
      },
    });
    expect(config.grpc.maxReceiveMessageBytes).toBe(1024);
    expect(config.grpc.tls).toEqual({
      certFile: '/tls/server.pem',
      keyFile: '/tls/server.key',
      caFile: '/tls/ca.pem',
      requireClientCert: true,
    });
  });

  it('coerces booleans (true/false/1/0), lists, numbers and JSON objects', () => {
    const schema = z.object({
      on: z.boolean().describe('a'),
      off: z.boolean().describe('b'),
      ratios: z.array(z.number()).describe('c'),
      hosts: z.array(z.string()).describe('d'),
      labels: z.record(z.string(), z.string()).describe('e'),
      mode: z.union([z.literal('auto'), z.number()]).describe('f'),
    });
    const config = loadConfig(schema, {
      env: {
        VRFT_ON: '1',
        VRFT_OFF: 'FALSE',
        VRFT_RATIOS: '0.5, 1e-3,2',
        VRFT_HOSTS: '["a,b","c"]',
        VRFT_LABELS: '{"zone":"eu"}',
        VRFT_MODE: '7',
      },
    });
    expect(config).toEqual({
      on: true,
      off: false,
      ratios: [0.5, 0.001, 2],
      hosts: ['a,b', 'c'],
      labels: { zone: 'eu' },
      mode: 7,
    });
    expect(loadConfig(schema, { env: { ...fullEnv(), VRFT_MODE: 'auto' } }).mode).toBe('auto');
  });

  it('treats an empty variable as unset, so the default applies', () => {
    const config = loadConfig(appSchema, {
      env: { VRFT_GRPC__PORT: '1', VRFT_TELEMETRY__SERVICE_NAME: 's', VRFT_GRPC__HOST: '', VRFT_NATS__SERVERS: '' },
    });
    expect(config.grpc.host).toBe('127.0.0.1');
    expect(config.nats.servers).toEqual(['nats://127.0.0.1:4222']);
  });

  it('ignores variables without the prefix and honours a custom prefix', () => {
    const schema = z.object({ port: z.number().describe('p') });
    const config = loadConfig(schema, { prefix: 'APP_', env: { APP_PORT: '9', PATH: '/bin', VRFT_OTHER: 'x' } });
    expect(config.port).toBe(9);
  });

  it('returns a deep-frozen object', () => {
    const config = loadConfig(appSchema, { env: { VRFT_GRPC__PORT: '1', VRFT_TELEMETRY__SERVICE_NAME: 's' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.grpc)).toBe(true);
    expect(Object.isFrozen(config.nats.servers)).toBe(true);
    expect(() => {
      (config.grpc as { port: number }).port = 2;
    }).toThrow(TypeError);
    expect(() => (config.nats.servers as string[]).push('nats://x:1')).toThrow(TypeError);
  });
});

function fullEnv(): Record<string, string> {
  return {
    VRFT_ON: 'true',
    VRFT_OFF: '0',
    VRFT_RATIOS: '1',
    VRFT_HOSTS: 'a',
    VRFT_LABELS: '{}',
    VRFT_MODE: '1',
  };
}
