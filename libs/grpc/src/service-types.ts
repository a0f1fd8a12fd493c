import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { CallContext } from './call-context.js';

/** What a handler may return for a response: a message or its init shape. */
export type ResponseInit<O extends DescMessage> = MessageInitShape<O>;

type Awaitable<T> = T | Promise<T>;

/** The server-side signature of one method, by its kind. */
export type MethodHandler<M> = M extends {
  methodKind: 'unary';
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? (request: MessageShape<I>, context: CallContext) => Awaitable<ResponseInit<O>>
  : M extends {
        methodKind: 'server_streaming';
        input: infer I extends DescMessage;
        output: infer O extends DescMessage;
      }
    ? (request: MessageShape<I>, context: CallContext) => AsyncIterable<ResponseInit<O>>
    : M extends {
          methodKind: 'client_streaming';
          input: infer I extends DescMessage;
          output: infer O extends DescMessage;
        }
      ? (requests: AsyncIterable<MessageShape<I>>, context: CallContext) => Awaitable<ResponseInit<O>>
      : M extends {
            methodKind: 'bidi_streaming';
            input: infer I extends DescMessage;
            output: infer O extends DescMessage;
          }
        ? (requests: AsyncIterable<MessageShape<I>>, context: CallContext) => AsyncIterable<ResponseInit<O>>
        : never;

/** A full implementation of a generated service: one handler per method (keyed by localName). */
export type ServiceImpl<S extends DescService> = {
  [K in keyof S['method']]: MethodHandler<S['method'][K]>;
};

/** Per-call options of a client method. */
export interface CallOptions {
  /** Deadline relative to now; overrides the client's default. */
  timeoutMs?: number;
  /** Aborting cancels the call (the server sees CANCELLED). */
  signal?: AbortSignal;
  /** Extra request metadata (e.g. authorization). */
  metadata?: Record<string, string>;
}

/** The client-side signature of one method, by its kind. */
export type ClientMethod<M> = M extends {
  methodKind: 'unary';
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? (request: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>
  : M extends {
        methodKind: 'server_streaming';
        input: infer I extends DescMessage;
        output: infer O extends DescMessage;
      }
    ? (request: MessageInitShape<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>
    : M extends {
          methodKind: 'client_streaming';
          input: infer I extends DescMessage;
          output: infer O extends DescMessage;
        }
      ? (requests: AsyncIterable<MessageInitShape<I>>, options?: CallOptions) => Promise<MessageShape<O>>
      : M extends {
            methodKind: 'bidi_streaming';
            input: infer I extends DescMessage;
            output: infer O extends DescMessage;
          }
        ? (requests: AsyncIterable<MessageInitShape<I>>, options?: CallOptions) => AsyncIterable<MessageShape<O>>
        : never;

/** A typed client of a generated service. */
export type ServiceClient<S extends DescService> = {
  [K in keyof S['method']]: ClientMethod<S['method'][K]>;
} & { close(): void; waitForReady(timeoutMs: number): Promise<void> };

/** The grpc-js path of a method: "/package.Service/Method". */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}
