import { status as Code, Metadata } from '@grpc/grpc-js';

export { Code };

/**
 * An error that carries a gRPC status code. Handlers throw it (or an error
 * that an {@link ErrorMapper} turns into one); clients receive it.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';

  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown; metadata?: Metadata },
  ) {
    super(message, options);
    this.metadata = options?.metadata ?? new Metadata();
  }

  /** Trailing metadata sent with (or received with) the status. */
  readonly metadata: Metadata;

  /** Name of the status code, e.g. "INVALID_ARGUMENT". */
  get codeName(): string {
    return Code[this.code] ?? `CODE_${this.code}`;
  }
}

/** Turns a domain error into an RpcError, or returns undefined to pass it on. */
export type ErrorMapper = (error: unknown) => RpcError | undefined;

/** Builds the UNIMPLEMENTED error of a method that a later piece of work provides. */
export function unimplemented(method: string, reason: string): RpcError {
  return new RpcError(Code.UNIMPLEMENTED, `${method} is not implemented yet: ${reason}`);
}

/**
 * The one place where errors become gRPC statuses: RpcError keeps its code,
 * app-specific mappers run next, aborts become CANCELLED, and anything else is
 * INTERNAL with a generic message (the cause is logged, not sent).
 */
export function toRpcError(error: unknown, mappers: readonly ErrorMapper[] = []): RpcError {
  if (error instanceof RpcError) return error;
  for (const map of mappers) {
    const mapped = map(error);
    if (mapped) return mapped;
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new RpcError(Code.CANCELLED, 'the call was cancelled', { cause: error });
  }
  return new RpcError(Code.INTERNAL, 'internal error', { cause: error });
}

/** Shape of the error objects @grpc/grpc-js hands to clients. */
interface GrpcJsServiceError {
  code: number;
  details: string;
  metadata?: Metadata;
}

function isGrpcJsServiceError(error: unknown): error is GrpcJsServiceError {
  return typeof error === 'object' && error !== null && 'code' in error && 'details' in error;
}

/** Converts what @grpc/grpc-js reports to a client into an RpcError. */
export function fromServiceError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (isGrpcJsServiceError(error)) {
    return new RpcError(error.code as Code, error.details, { cause: error, metadata: error.metadata });
  }
  return new RpcError(Code.UNKNOWN, error instanceof Error ? error.message : String(error), { cause: error });
}
