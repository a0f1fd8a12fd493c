import type { Deadline, Metadata } from '@grpc/grpc-js';
import { type Context, ROOT_CONTEXT, propagation } from '@opentelemetry/api';

/** What a handler knows about its call besides the request. */
export interface CallContext {
  /** "package.Service/Method". */
  readonly method: string;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** Absolute deadline in ms since the epoch, or Infinity. */
  readonly deadline: number;
  /** Request metadata. */
  readonly metadata: Metadata;
  /** The client's address. */
  readonly peer: string;
  /** Trace context extracted from the request metadata (W3C traceparent). */
  readonly traceContext: Context;
  /** Trailing metadata sent with the status. */
  readonly trailers: Metadata;
}

const metadataGetter = {
  keys: (carrier: Metadata): string[] => Object.keys(carrier.getMap()),
  get: (carrier: Metadata, key: string): string | undefined => {
    const value = carrier.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  },
};

/** Sets W3C trace headers on outgoing metadata. */
export const metadataSetter = {
  set: (carrier: Metadata, key: string, value: string): void => carrier.set(key, value),
};

/** The part of every grpc-js server call that the context needs. */
interface ServerSurfaceCall {
  readonly metadata: Metadata;
  getDeadline(): Deadline;
  getPeer(): string;
  on(event: 'cancelled', listener: () => void): unknown;
}

function deadlineOf(call: ServerSurfaceCall): number {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  return Number.isFinite(deadline) ? deadline : Infinity;
}

/**
 * Builds the context of one server call; the returned controller is aborted
 * by the call's `cancelled` event (client cancel or deadline exceeded).
 */
export function createCallContext(
  call: ServerSurfaceCall,
  method: string,
  trailers: Metadata,
): { context: CallContext; abort: AbortController } {
  const abort = new AbortController();
  call.on('cancelled', () =>
    abort.abort(new DOMException('call cancelled by the client or its deadline', 'AbortError')),
  );
  const context: CallContext = {
    method,
    signal: abort.signal,
    deadline: deadlineOf(call),
    metadata: call.metadata,
    peer: call.getPeer(),
    traceContext: propagation.extract(ROOT_CONTEXT, call.metadata, metadataGetter),
    trailers,
  };
  return { context, abort };
}
