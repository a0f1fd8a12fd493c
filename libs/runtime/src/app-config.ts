import { grpcServerSchema, portSchema, shutdownSchema, telemetrySchema } from '@vrft/config';
import type { GrpcServerOptions } from '@vrft/grpc';
import { z } from 'zod';

/**
 * The config sections every app has: its gRPC server, telemetry and shutdown.
 * Apps `.extend()` it with their own sections.
 */
export function baseAppSchema(serviceName: string, defaultGrpcPort: number) {
  return z.object({
    grpc: grpcServerSchema
      .extend({
        port: portSchema.default(defaultGrpcPort).describe('Port the gRPC server listens on; 0 picks a free port'),
      })
      .prefault({}),
    telemetry: telemetrySchema
      .extend({
        serviceName: z.string().min(1).default(serviceName).describe('service.name of traces, logs and metrics'),
      })
      .prefault({}),
    shutdown: shutdownSchema.prefault({}),
  });
}

/** The config every app has (the output of {@link baseAppSchema}). */
export type BaseAppConfig = z.output<ReturnType<typeof baseAppSchema>>;

/** Server options from the app's grpc and shutdown sections. */
export function grpcServerOptionsOf(config: BaseAppConfig): GrpcServerOptions {
  const { grpc, shutdown } = config;
  return {
    host: grpc.host,
    port: grpc.port,
    maxReceiveMessageBytes: grpc.maxReceiveMessageBytes,
    maxSendMessageBytes: grpc.maxSendMessageBytes,
    keepaliveTimeMs: grpc.keepaliveTimeMs,
    keepaliveTimeoutMs: grpc.keepaliveTimeoutMs,
    tls: grpc.tls,
    shutdownGraceMs: shutdown.graceMs,
    bearerTokens: grpc.auth.bearerTokens,
  };
}
