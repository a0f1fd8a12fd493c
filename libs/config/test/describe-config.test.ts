import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeConfig, grpcServerSchema, natsSchema, shutdownSchema, telemetrySchema } from '@vrft/config';

const appSchema = z.object({
  grpc: grpcServerSchema,
  nats: natsSchema,
  telemetry: telemetrySchema,
  shutdown: shutdownSchema,
});

describe('describeConfig', () => {
  const rows = describeConfig(appSchema);
  const row = (env: string) => rows.find((candidate) => candidate.env === env);

  it('starts with the config-file variable and lists every leaf field', () => {
    expect(rows[0]).toMatchObject({ env: 'VRFT_CONFIG_FILE', path: '', required: false });
    expect(rows.map((candidate) => candidate.env)).toContain('VRFT_GRPC__TLS__REQUIRE_CLIENT_CERT');
    expect(rows).toHaveLength(1 + 11 + 9 + 6 + 1); // file, grpc (with auth), nats, telemetry, shutdown
  });

  it('describes type, default, requiredness and meaning', () => {
    expect(row('VRFT_GRPC__PORT')).toEqual({
      env: 'VRFT_GRPC__PORT',
      path: 'grpc.port',
      type: 'integer',
      default: undefined,
      required: true,
      description: 'Port the gRPC server listens on; 0 picks a free port',
    });
    expect(row('VRFT_GRPC__MAX_RECEIVE_MESSAGE_BYTES')).toMatchObject({ default: '16777216', required: false });
    expect(row('VRFT_TELEMETRY__LOG_LEVEL')).toMatchObject({
      type: 'one of debug | info | warn | error',
      default: 'info',
    });
    expect(row('VRFT_TELEMETRY__OTLP_ENDPOINT')).toMatchObject({
      type: 'string (url)',
      default: undefined,
      required: false,
    });
    expect(row('VRFT_NATS__SERVERS')).toMatchObject({ type: 'list of string', default: 'nats://127.0.0.1:4222' });
    expect(row('VRFT_TELEMETRY__SAMPLE_RATIO')).toMatchObject({ type: 'number', default: '1' });
    // Inside an optional section, even its required fields are not required by the app.
    expect(row('VRFT_GRPC__TLS__CERT_FILE')).toMatchObject({ required: false });
  });

  it('finds a description on every field of the shared fragments', () => {
    const undocumented = rows.filter((candidate) => candidate.description === '').map((candidate) => candidate.env);
    expect(undocumented).toEqual([]);
  });

  it('uses the given prefix', () => {
    const custom = describeConfig(z.object({ port: z.number().describe('p') }), 'APP_');
    expect(custom.map((candidate) => candidate.env)).toEqual(['APP_CONFIG_FILE', 'APP_PORT']);
  });
});
