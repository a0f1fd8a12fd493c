import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DescMethod, type DescService, type MessageInitShape, fromBinary } from '@bufbuild/protobuf';
import { Client, type ClientWritableStream, type ClientDuplexStream, credentials, Metadata } from '@grpc/grpc-js';
import { context as otelContext, propagation } from '@opentelemetry/api';
import { metadataSetter } from './call-context.js';
import { encodeMessage } from './codec.js';
import { Code, RpcError, fromServiceError } from './errors.js';
import { type CallOptions, type ServiceClient, methodPath } from './service-types.js';

/** Bounded retries of unary calls that fail with UNAVAILABLE (exponential backoff with full jitter). */
export interface RetryOptions {
  /** Total attempts including the first. Default 4. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  multiplier: number;
}

/** Options of a typed client. */
export interface GrpcClientOptions {
  /** host:port */
  address: string;
  /** Server CA, and a client certificate for mTLS; absent = plaintext. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Deadline of each call unless the call sets one. Default 30 s. */
  defaultTimeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** Keepalive ping interval and timeout. Defaults 30 s / 10 s. */
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  /** Default 16 MiB. */
  maxReceiveMessageBytes?: number;
  /** Sent with every call. */
  metadata?: Record<string, string>;
  /** Sent as `authorization: Bearer <token>` with every call. */
  bearerToken?: string;
}

const defaultRetry: RetryOptions = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 2_000, multiplier: 2 };

function channelCredentials(tls: GrpcClientOptions['tls']) {
  if (!tls) return credentials.createInsecure();
  const read = (file: string | undefined) => (file ? readFileSync(file) : null);
  return credentials.createSsl(read(tls.caFile), read(tls.keyFile), read(tls.certFile));
}

/** Builds call metadata: defaults, per-call entries and the active W3C trace context. */
function buildMetadata(
  defaults: Record<string, string> | undefined,
  extra: Record<string, string> | undefined,
): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries({ ...defaults, ...extra })) metadata.set(key, value);
  propagation.inject(otelContext.active(), metadata, metadataSetter);
  return metadata;
}

async function* readStream<T>(stream: AsyncIterable<unknown> & { cancel(): void }): AsyncGenerator<T> {
  let finished = false;
  try {
    for await (const message of stream) yield message as T;
    finished = true;
  } catch (error) {
    finished = true;
    throw fromServiceError(error);
  } finally {
    if (!finished) stream.cancel(); // the consumer stopped early
  }
}

async function pumpRequests(
  call: ClientWritableStream<unknown> | ClientDuplexStream<unknown, unknown>,
  requests: AsyncIterable<unknown>,
): Promise<void> {
  try {
    for await (const request of requests) {
      if (!call.write(request)) await once(call, 'drain');
    }
    call.end();
  } catch {
    call.cancel(); // the request source failed: the server sees CANCELLED
  }
}

/**
 * Creates a typed client of a generated service. Unary calls are retried on
 * UNAVAILABLE within their deadline; streams are not retried.
 */
export function createClient<S extends DescService>(service: S, options: GrpcClientOptions): ServiceClient<S> {
  const client = new Client(options.address, channelCredentials(options.tls), {
    'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? 30_000,
    'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? 10_000,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * 1024 * 1024,
    'grpc.enable_retries': 0, // retries are ours, bounded and visible
  });
  const retry = { ...defaultRetry, ...options.retry };
  const defaultTimeout = options.defaultTimeoutMs ?? 30_000;

  const defaults = options.bearerToken
    ? { ...options.metadata, authorization: `Bearer ${options.bearerToken}` }
    : options.metadata;
  const prepare = (callOptions: CallOptions | undefined) => {
    const deadline = Date.now() + (callOptions?.timeoutMs ?? defaultTimeout);
    return { deadline, metadata: buildMetadata(defaults, callOptions?.metadata) };
  };
  const cancelOnAbort = (signal: AbortSignal | undefined, call: { cancel(): void }) => {
    if (!signal) return;
    if (signal.aborted) call.cancel();
    else signal.addEventListener('abort', () => call.cancel(), { once: true });
  };

  const methods: Record<string, unknown> = {};
  for (const method of service.methods) {
    const path = methodPath(method);
    const serialize = (message: unknown) =>
      encodeMessage(method.input, message as MessageInitShape<DescMethod['input']>);
    const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);

    switch (method.methodKind) {
      case 'unary':
        methods[method.localName] = async (request: unknown, callOptions?: CallOptions) => {
          const { deadline, metadata } = prepare(callOptions);
          for (let attempt = 1; ; attempt++) {
            try {
              return await new Promise((resolve, reject) => {
                const call = client.makeUnaryRequest(
                  path,
                  serialize,
                  deserialize,
                  request,
                  metadata,
                  { deadline },
                  (error, response) => (error ? reject(fromServiceError(error)) : resolve(response)),
                );
                cancelOnAbort(callOptions?.signal, call);
              });
            } catch (error) {
              const backoff = Math.min(retry.maxBackoffMs, retry.initialBackoffMs * retry.multiplier ** (attempt - 1));
              const retryable =
                error instanceof RpcError && error.code === Code.UNAVAILABLE && !callOptions?.signal?.aborted;
              if (!retryable || attempt >= retry.maxAttempts || Date.now() + backoff >= deadline) throw error;
              await sleep(Math.random() * backoff);
            }
          }
        };
        break;
      case 'server_streaming':
        methods[method.localName] = (request: unknown, callOptions?: CallOptions) => {
          const { deadline, metadata } = prepare(callOptions);
          const call = client.makeServerStreamRequest(path, serialize, deserialize, request, metadata, { deadline });
          cancelOnAbort(callOptions?.signal, call);
          return readStream(call);
        };
        break;
      case 'client_streaming':
        methods[method.localName] = (requests: AsyncIterable<unknown>, callOptions?: CallOptions) => {
          const { deadline, metadata } = prepare(callOptions);
          return new Promise((resolve, reject) => {
            const call = client.makeClientStreamRequest(
              path,
              serialize,
              deserialize,
              metadata,
              { deadline },
              (error, response) => (error ? reject(fromServiceError(error)) : resolve(response)),
            );
            cancelOnAbort(callOptions?.signal, call);
            void pumpRequests(call, requests);
          });
        };
        break;
      case 'bidi_streaming':
        methods[method.localName] = (requests: AsyncIterable<unknown>, callOptions?: CallOptions) => {
          const { deadline, metadata } = prepare(callOptions);
          const call = client.makeBidiStreamRequest(path, serialize, deserialize, metadata, { deadline });
          cancelOnAbort(callOptions?.signal, call);
          void pumpRequests(call, requests);
          return readStream(call);
        };
        break;
    }
  }
  methods['close'] = () => client.close();
  methods['waitForReady'] = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
  return methods as ServiceClient<S>;
}
