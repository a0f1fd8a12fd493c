import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { DescMessage, DescMethod } from '@bufbuild/protobuf';
import {
  Metadata,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import { type CallContext, createCallContext } from './call-context.js';
import { decodeRequest, encodeMessage } from './codec.js';
import { Code, type ErrorMapper, type RpcError, toRpcError } from './errors.js';

/** An untyped view of a handler; the typed ServiceImpl guarantees the shapes. */
type AnyHandler = (input: unknown, context: CallContext) => unknown;

/** Called for every call that ends with an error status. */
export type CallErrorListener = (error: RpcError, method: string) => void;

/** Called when any call ends: its method, status code and duration (for metrics). */
export type CallEndListener = (method: string, code: Code, seconds: number) => void;

interface HandlerDeps {
  mappers: readonly ErrorMapper[];
  onError: CallErrorListener;
  onCallEnd: CallEndListener;
  /** Throws UNAUTHENTICATED when the call's metadata does not authenticate it. */
  authenticate: (metadata: Metadata) => void;
}

const tracer = trace.getTracer('@vrft/grpc');

/** Runs fn inside a SERVER span that is a child of the caller's trace context. */
function traced<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
  return otelContext.with(ctx.traceContext, () =>
    tracer.startActiveSpan(
      ctx.method,
      { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc' } },
      async (span) => {
        try {
          return await fn();
        } catch (error) {
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          throw error;
        } finally {
          span.end();
        }
      },
    ),
  );
}

/** Decodes a request stream; the call itself is not destroyed at its end (a bidi call still has to write). */
async function* decodeStream(schema: DescMessage, stream: Readable, signal: AbortSignal): AsyncGenerator<unknown> {
  for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    if (signal.aborted) return;
    yield decodeRequest(schema, chunk);
  }
}

/** Writes every response, waiting for 'drain' when the transport buffer is full. */
async function writeStream(
  call: ServerWritableStream<Buffer, Buffer> | ServerDuplexStream<Buffer, Buffer>,
  schema: DescMessage,
  responses: AsyncIterable<unknown>,
  signal: AbortSignal,
): Promise<void> {
  for await (const response of responses) {
    if (signal.aborted) return;
    if (!call.write(encodeMessage(schema, response as never))) {
      await Promise.race([once(call, 'drain'), once(signal, 'abort')]);
    }
  }
}

function statusOf(error: RpcError, trailers: Metadata) {
  trailers.merge(error.metadata);
  return { code: error.code, details: error.message, metadata: trailers };
}

/** Adapts one typed handler to the grpc-js handler of its method kind. */
export function adaptHandler(method: DescMethod, handler: AnyHandler, deps: HandlerDeps): UntypedHandleCall {
  const name = `${method.parent.typeName}/${method.name}`;
  const fail = (error: unknown, trailers: Metadata, started: number) => {
    const rpcError = toRpcError(error, deps.mappers);
    deps.onError(rpcError, name);
    deps.onCallEnd(name, rpcError.code, (performance.now() - started) / 1000);
    return statusOf(rpcError, trailers);
  };
  const succeed = (started: number) => deps.onCallEnd(name, Code.OK, (performance.now() - started) / 1000);
  /** Authenticates, then runs the call body in its span. */
  const run = <T>(context: CallContext, body: () => Promise<T>) =>
    traced(context, async () => {
      deps.authenticate(context.metadata);
      return body();
    });

  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const trailers = new Metadata();
        const { context } = createCallContext(call, name, trailers);
        const started = performance.now();
        run(context, async () => {
          const request = decodeRequest(method.input, call.request);
          return encodeMessage(method.output, (await handler(request, context)) as never);
        }).then(
          (bytes) => {
            succeed(started);
            callback(null, bytes, trailers);
          },
          (error: unknown) => callback(fail(error, trailers, started)),
        );
      };
    case 'server_streaming':
      return (call: ServerWritableStream<Buffer, Buffer>) => {
        const trailers = new Metadata();
        const { context } = createCallContext(call, name, trailers);
        const started = performance.now();
        run(context, async () => {
          const request = decodeRequest(method.input, call.request);
          await writeStream(call, method.output, handler(request, context) as AsyncIterable<unknown>, context.signal);
        }).then(
          () => {
            succeed(started);
            call.end(trailers);
          },
          (error: unknown) => call.emit('error', fail(error, trailers, started)),
        );
      };
    case 'client_streaming':
      return (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const trailers = new Metadata();
        const { context } = createCallContext(call, name, trailers);
        const started = performance.now();
        run(context, async () => {
          const requests = decodeStream(method.input, call, context.signal);
          return encodeMessage(method.output, (await handler(requests, context)) as never);
        }).then(
          (bytes) => {
            succeed(started);
            callback(null, bytes, trailers);
          },
          (error: unknown) => callback(fail(error, trailers, started)),
        );
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<Buffer, Buffer>) => {
        const trailers = new Metadata();
        const { context } = createCallContext(call, name, trailers);
        const started = performance.now();
        run(context, async () => {
          const requests = decodeStream(method.input, call, context.signal);
          await writeStream(call, method.output, handler(requests, context) as AsyncIterable<unknown>, context.signal);
        }).then(
          () => {
            succeed(started);
            call.end(trailers);
          },
          (error: unknown) => call.emit('error', fail(error, trailers, started)),
        );
      };
  }
}
