import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, grpcServerSchema, loadConfig, natsSchema, telemetrySchema } from '@vrft/config';

const dir = mkdtempSync(join(tmpdir(), 'vrft-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const appSchema = z.object({ grpc: grpcServerSchema, nats: natsSchema, telemetry: telemetrySchema });
const baseEnv = { VRFT_GRPC__PORT: '50051', VRFT_TELEMETRY__SERVICE_NAME: 'serve' };

/** Runs loadConfig and returns the ConfigError it must throw. */
function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

function writeText(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig errors', () => {
  it('names the variable, the field and the expectation for a bad number', () => {
    const error = configErrorOf(() => loadConfig(appSchema, { env: { ...baseEnv, VRFT_GRPC__PORT: 'abc' } }));
    expect(error.message).toBe('VRFT_GRPC__PORT (grpc.port): expected a port number 0..65535, got "abc"');
    expect(error.issues).toEqual([
      { path: 'grpc.port', source: { kind: 'env', name: 'VRFT_GRPC__PORT' }, message: expect.any(String) as string },
    ]);
  });

  it('rejects an out-of-range port with the same message', () => {
    const error = configErrorOf(() => loadConfig(appSchema, { env: { ...baseEnv, VRFT_GRPC__PORT: '70000' } }));
    expect(error.message).toBe('VRFT_GRPC__PORT (grpc.port): expected a port number 0..65535, got "70000"');
  });

  it('lists the allowed values for a bad enum', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, { env: { ...baseEnv, VRFT_TELEMETRY__LOG_LEVEL: 'loud' } }),
    );
    expect(error.message).toBe(
      'VRFT_TELEMETRY__LOG_LEVEL (telemetry.logLevel): expected one of "debug", "info", "warn", "error", got "loud"',
    );
  });

  it('rejects a word that is not a boolean', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, {
        env: {
          ...baseEnv,
          VRFT_GRPC__TLS__CERT_FILE: 'c',
          VRFT_GRPC__TLS__KEY_FILE: 'k',
          VRFT_GRPC__TLS__REQUIRE_CLIENT_CERT: 'yes',
        },
      }),
    );
    expect(error.message).toBe(
      'VRFT_GRPC__TLS__REQUIRE_CLIENT_CERT (grpc.tls.requireClientCert): expected boolean, got "yes"',
    );
  });

  it('reports an unknown VRFT_ variable and suggests the closest name', () => {
    const error = configErrorOf(() => loadConfig(appSchema, { env: { ...baseEnv, VRFT_GRPC__PROT: '1' } }));
    expect(error.message).toBe(
      'VRFT_GRPC__PROT: unknown variable, no config field maps to it; did you mean VRFT_GRPC__PORT?',
    );
    const far = configErrorOf(() => loadConfig(appSchema, { env: { ...baseEnv, VRFT_SOMETHING_ELSE: '1' } }));
    expect(far.message).toBe(
      'VRFT_SOMETHING_ELSE: unknown variable, no config field maps to it; remove it or check the spelling',
    );
  });

  it('names a required field that is not set by the variable to set', () => {
    const error = configErrorOf(() => loadConfig(appSchema, { env: { VRFT_GRPC__PORT: '1' } }));
    expect(error.message).toBe('VRFT_TELEMETRY__SERVICE_NAME (telemetry.serviceName): expected string; not set');
  });

  it('names a file that cannot be read', () => {
    const missing = join(dir, 'does-not-exist.json');
    const error = configErrorOf(() => loadConfig(appSchema, { env: { ...baseEnv, VRFT_CONFIG_FILE: missing } }));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(new RegExp(`^${escape(missing)}: cannot read config file: ENOENT`));
  });

  it('names a file that is a directory or not readable', () => {
    const error = configErrorOf(() => loadConfig(appSchema, { env: baseEnv, argvFile: dir }));
    expect(error.message).toMatch(new RegExp(`^${escape(dir)}: cannot read config file: EISDIR`));
    if (process.getuid?.() !== 0) {
      const locked = writeText('locked.json', '{}');
      chmodSync(locked, 0o000);
      const denied = configErrorOf(() => loadConfig(appSchema, { env: baseEnv, argvFile: locked }));
      expect(denied.message).toMatch(/cannot read config file: EACCES/);
    }
  });

  it('names a file with malformed JSON', () => {
    const file = writeText('broken.json', '{ "grpc": { "port": 1, } }');
    const error = configErrorOf(() => loadConfig(appSchema, { env: { ...baseEnv, VRFT_CONFIG_FILE: file } }));
    expect(error.message).toMatch(new RegExp(`^${escape(file)}: malformed JSON: `));
  });

  it('names a file whose top level is not an object', () => {
    const file = writeText('array.json', '[1, 2]');
    const error = configErrorOf(() => loadConfig(appSchema, { env: baseEnv, argvFile: file }));
    expect(error.message).toBe(`${file}: expected a JSON object at the top level, got an array`);
  });

  it('names the file and the field for a bad value in the file', () => {
    const file = writeText(
      'bad-value.json',
      JSON.stringify({ grpc: { port: 'abc' }, telemetry: { serviceName: 's' } }),
    );
    const error = configErrorOf(() => loadConfig(appSchema, { env: {}, argvFile: file }));
    expect(error.message).toBe(`${file} (grpc.port): expected a port number 0..65535, got "abc"`);
  });

  it('reports unknown keys in the file, with a suggestion', () => {
    const file = writeText(
      'typo.json',
      JSON.stringify({ grpc: { port: 1, hots: 'x' }, telemetry: { serviceName: 's' } }),
    );
    const error = configErrorOf(() => loadConfig(appSchema, { env: {}, argvFile: file }));
    expect(error.message).toBe(`${file} (grpc.hots): unknown field; did you mean "host"?`);
  });

  it('reports malformed JSON in a variable of object type', () => {
    const schema = z.object({ labels: z.record(z.string(), z.string()).describe('labels') });
    const error = configErrorOf(() => loadConfig(schema, { env: { VRFT_LABELS: '{zone:eu}' } }));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(/^VRFT_LABELS \(labels\): expected JSON \(.+\), got "\{zone:eu\}"$/);
  });

  it('reports a bad list element under the list variable', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, { env: { ...baseEnv, VRFT_NATS__SERVERS: 'nats://a:4222,http://b' } }),
    );
    expect(error.message).toBe(
      'VRFT_NATS__SERVERS (nats.servers.1): expected a nats://host:port or tls://host:port URL, got "nats://a:4222,http://b"',
    );
  });

  it('reports cross-field rules on the field to fix', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, {
        env: {
          ...baseEnv,
          VRFT_GRPC__TLS__CERT_FILE: 'c',
          VRFT_GRPC__TLS__KEY_FILE: 'k',
          VRFT_GRPC__TLS__REQUIRE_CLIENT_CERT: '1',
        },
      }),
    );
    expect(error.message).toBe(
      'VRFT_GRPC__TLS__CA_FILE (grpc.tls.caFile): required when requireClientCert is true; not set',
    );
  });

  it('never echoes secret values', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, {
        env: { ...baseEnv, VRFT_NATS__USER: 'u', VRFT_NATS__PASS: 's3cret', VRFT_NATS__TOKEN: 'tok3n' },
      }),
    );
    expect(error.message).toBe(
      'VRFT_NATS__TOKEN (nats.token): choose one authentication method: user/pass, token or credsFile, got <redacted>',
    );
    expect(error.message).not.toContain('tok3n');
  });

  it('collects every problem into one error, one per line', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, { env: { VRFT_GRPC__PORT: 'x', VRFT_TELEMETRY__LOG_LEVEL: 'loud', VRFT_TYPO: '1' } }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      '',
      'grpc.port',
      'telemetry.serviceName',
      'telemetry.logLevel',
    ]);
    expect(error.message.split('\n')).toHaveLength(4);
  });

  it('rejects bad loader options and schemas, naming the option', () => {
    const schema = z.object({ a: z.string().describe('a') });
    expect(() => loadConfig(schema, { prefix: '' })).toThrow('loadConfig options (prefix): expected upper case');
    expect(() => loadConfig(schema, { prefix: 'vrft_' })).toThrow(ConfigError);
    expect(() => loadConfig(z.string(), { env: {} })).toThrow('config schema must be a z.object, got string');
    const clash = z.object({ fooBar: z.string(), foo_bar: z.string() });
    expect(() => loadConfig(clash, { env: {} })).toThrow(
      '(foo_bar): maps to VRFT_FOO_BAR, which is already field fooBar',
    );
    const reserved = z.object({ configFile: z.string() });
    expect(() => loadConfig(reserved, { env: {} })).toThrow(
      'maps to VRFT_CONFIG_FILE, which is already a reserved variable',
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
