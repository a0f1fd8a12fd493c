import { readFileSync } from 'node:fs';
import type { DescService } from '@bufbuild/protobuf';
import {
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ErrorMapper } from './errors.js';
import { addReflection } from './reflection.js';
import { bearerTokenAuthenticator } from './auth.js';
import { type CallEndListener, type CallErrorListener, adaptHandler } from './server-handlers.js';
import { methodPath, type ServiceImpl } from './service-types.js';

/** TLS material for the server; with caFile + requireClientCert it is mTLS. */
export interface ServerTlsOptions {
  certFile: string;
  keyFile: string;
  caFile?: string;
  requireClientCert?: boolean;
}

/** Options of a gRPC server. Every limit has a default here and a config field in each app. */
export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Larger requests are refused with RESOURCE_EXHAUSTED. Default 16 MiB. */
  maxReceiveMessageBytes?: number;
  /** Default 16 MiB. */
  maxSendMessageBytes?: number;
  /** HTTP/2 keepalive ping interval. Default 30 s. */
  keepaliveTimeMs?: number;
  /** Close the connection when a ping is not answered in time. Default 10 s. */
  keepaliveTimeoutMs?: number;
  tls?: ServerTlsOptions;
  /** Calls in flight get this long to finish on shutdown before being cancelled. Default 10 s. */
  shutdownGraceMs?: number;
  /** Domain error → status mappers, tried in order after RpcError. */
  errorMappers?: readonly ErrorMapper[];
  /** Told about every call that ends with an error (for logs). */
  onCallError?: CallErrorListener;
  /** Told about every call that ends (for metrics). */
  onCallEnd?: CallEndListener;
  /**
   * When set, every call to the app's services must carry `authorization: Bearer <token>`
   * with one of these tokens (UNAUTHENTICATED otherwise). Health and reflection stay open
   * so that probes work.
   */
  bearerTokens?: readonly string[];
}

const MiB = 1024 * 1024;

function credentialsOf(tls: ServerTlsOptions | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const ca = tls.caFile ? readFileSync(tls.caFile) : null;
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    tls.requireClientCert ?? false,
  );
}

/** The grpc-js definition of a service whose bytes are (de)coded by our handlers. */
function rawDefinition(service: DescService): ServiceDefinition {
  const identity = (bytes: Buffer): Buffer => bytes;
  const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {};
  for (const method of service.methods) {
    definition[method.name] = {
      path: methodPath(method),
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    };
  }
  return definition;
}

/**
 * A grpc-js server that serves protobuf-es typed services, with
 * grpc.health.v1 (NOT_SERVING until {@link setServing}) and server reflection.
 */
export class GrpcServer {
  private readonly server: Server;
  private readonly services: DescService[] = [];
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private boundPort: number | undefined;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = new Server({
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * MiB,
      'grpc.max_send_message_length': options.maxSendMessageBytes ?? 16 * MiB,
      'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? 30_000,
      'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? 10_000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    this.health.addToServer(this.server);
  }

  /** Registers a typed implementation of a service. Call before {@link start}. */
  addService<S extends DescService>(service: S, implementation: ServiceImpl<S>): void {
    if (this.boundPort !== undefined) throw new Error(`cannot add ${service.typeName} after the server started`);
    const handlers: UntypedServiceImplementation = {};
    const tokens = this.options.bearerTokens ?? [];
    const deps = {
      mappers: this.options.errorMappers ?? [],
      onError: this.options.onCallError ?? (() => undefined),
      onCallEnd: this.options.onCallEnd ?? (() => undefined),
      authenticate: tokens.length > 0 ? bearerTokenAuthenticator(tokens) : () => undefined,
    };
    for (const method of service.methods) {
      const handler = (implementation as Record<string, unknown>)[method.localName];
      if (typeof handler !== 'function') throw new Error(`${service.typeName} has no handler for ${method.localName}`);
      handlers[method.name] = adaptHandler(method, handler.bind(implementation) as never, deps);
    }
    this.server.addService(rawDefinition(service), handlers);
    this.services.push(service);
    this.health.setStatus(service.typeName, 'NOT_SERVING');
  }

  /** Binds the port, registers reflection, and returns the bound port. Health stays NOT_SERVING. */
  async start(): Promise<number> {
    addReflection(this.server, this.services);
    const address = `${this.options.host}:${this.options.port}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, credentialsOf(this.options.tls), (error, port) =>
        error
          ? reject(new Error(`cannot bind gRPC server to ${address}: ${error.message}`, { cause: error }))
          : resolve(port),
      );
    });
    return this.boundPort;
  }

  /** The bound port (after start). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the gRPC server has not started');
    return this.boundPort;
  }

  /** Names of the services registered, for logs. */
  get serviceNames(): string[] {
    return this.services.map((s) => s.typeName);
  }

  /** Sets grpc.health.v1 status of the server ("") and of every service. */
  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    for (const service of this.services) this.health.setStatus(service.typeName, status);
  }

  /**
   * Graceful stop: health goes NOT_SERVING, new calls are refused, calls in
   * flight get the grace period, then the rest are cancelled.
   */
  async shutdown(): Promise<void> {
    this.setServing(false);
    const grace = this.options.shutdownGraceMs ?? 10_000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, grace);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
