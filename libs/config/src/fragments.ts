import { z } from 'zod';

const PORT_MESSAGE = 'expected a port number 0..65535';
const MIB = 1024 * 1024;

/** A TCP port, 0..65535 (0 asks the OS for a free port, useful in tests). */
export const portSchema = z
  .number({ error: PORT_MESSAGE })
  .int({ error: PORT_MESSAGE })
  .min(0, { error: PORT_MESSAGE })
  .max(65535, { error: PORT_MESSAGE });

/** Log levels accepted in config, from most to least verbose. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** TLS of a gRPC server; present = TLS on, absent = plaintext. */
export const grpcServerTlsSchema = z
  .object({
    certFile: z.string().min(1).describe('PEM certificate chain the server presents'),
    keyFile: z.string().min(1).describe('PEM private key of the server certificate'),
    caFile: z.string().min(1).optional().describe('PEM CA bundle that client certificates must chain to (mTLS)'),
    requireClientCert: z
      .boolean()
      .default(false)
      .describe('Reject clients without a certificate signed by caFile (mutual TLS)'),
  })
  .refine((tls) => !tls.requireClientCert || tls.caFile !== undefined, {
    path: ['caFile'],
    error: 'required when requireClientCert is true',
  });

/** A gRPC server: bind address, message size limits, keepalive and optional (m)TLS. */
export const grpcServerSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('Interface the gRPC server binds to (0.0.0.0 for all)'),
  port: portSchema.describe('Port the gRPC server listens on; 0 picks a free port'),
  maxReceiveMessageBytes: z
    .number()
    .int()
    .positive()
    .default(16 * MIB)
    .describe('Largest request message accepted, in bytes (default 16 MiB)'),
  maxSendMessageBytes: z
    .number()
    .int()
    .positive()
    .default(16 * MIB)
    .describe('Largest response message sent, in bytes (default 16 MiB)'),
  keepaliveTimeMs: z
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe('Interval between HTTP/2 keepalive pings to idle clients, in ms'),
  keepaliveTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(20_000)
    .describe('How long to wait for a keepalive ping ack before closing the connection, in ms'),
  tls: grpcServerTlsSchema.optional().describe('Server TLS; absent = plaintext'),
  auth: z
    .object({
      bearerTokens: z
        .array(z.string().min(16, { error: 'expected tokens of at least 16 characters' }))
        .default([])
        .describe(
          'Accepted "authorization: Bearer" tokens, comma-separated; empty = no auth (health and reflection stay open)',
        ),
    })
    .prefault({}),
});

const NATS_URL_MESSAGE = 'expected a nats://host:port or tls://host:port URL';

function isNatsUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== '';
}

/** TLS towards the NATS server: a CA to verify it, and a client certificate if it wants one. */
export const natsTlsSchema = z
  .object({
    caFile: z.string().min(1).optional().describe('PEM CA bundle that the NATS server certificate must chain to'),
    certFile: z.string().min(1).optional().describe('PEM client certificate, when the server requires one'),
    keyFile: z.string().min(1).optional().describe('PEM private key of certFile'),
  })
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
    path: ['keyFile'],
    error: 'certFile and keyFile must be set together',
  });

/** Connection to NATS: servers, one optional authentication method and optional TLS. */
export const natsSchema = z
  .object({
    servers: z
      .array(z.string().refine(isNatsUrl, { error: NATS_URL_MESSAGE }))
      .min(1, { error: 'expected at least one server URL' })
      .default(['nats://127.0.0.1:4222'])
      .describe('NATS server URLs, comma-separated'),
    name: z.string().min(1).optional().describe('Connection name shown in the NATS server monitoring pages'),
    user: z.string().min(1).optional().describe('User for user/password authentication'),
    pass: z.string().min(1).optional().describe('Password for user/password authentication'),
    token: z.string().min(1).optional().describe('Token for token authentication'),
    credsFile: z.string().min(1).optional().describe('Path of a .creds file (JWT + NKey) for decentralized auth'),
    tls: natsTlsSchema.optional().describe('TLS to the NATS server; absent = plaintext unless the URL is tls://'),
  })
  .superRefine((nats, ctx) => {
    if ((nats.user === undefined) !== (nats.pass === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [nats.user === undefined ? 'user' : 'pass'],
        message: 'user and pass must be set together',
      });
    }
    const methods = [nats.user !== undefined, nats.token !== undefined, nats.credsFile !== undefined];
    if (methods.filter(Boolean).length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'choose one authentication method: user/pass, token or credsFile',
      });
    }
  });

/** Logs, traces and metrics of one process. */
export const telemetrySchema = z.object({
  serviceName: z.string().min(1).describe('service.name of traces and the service field of logs and metrics'),
  logLevel: z.enum(LOG_LEVELS).default('info').describe('Least severe log level written'),
  otlpEndpoint: z
    .url({
      protocol: /^https?$/,
      error: 'expected an http(s) URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318',
    })
    .optional()
    .describe('OTLP/HTTP collector base URL (traces go to <url>/v1/traces); absent = no trace export'),
  sampleRatio: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('Fraction of new traces sampled, 0..1 (children follow their parent)'),
  metricsPort: portSchema.optional().describe('Port of the Prometheus /metrics endpoint; absent = no metrics server'),
  metricsHost: z.string().min(1).default('127.0.0.1').describe('Interface the metrics endpoint binds to'),
});

/** Graceful shutdown. */
export const shutdownSchema = z.object({
  graceMs: z
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe('Time allowed to drain in-flight work after SIGTERM before forcing exit, in ms'),
});
