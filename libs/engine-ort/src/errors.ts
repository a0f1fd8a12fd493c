/**
 * The engine's named errors. Each carries a `code` named after the gRPC status it maps to, so the
 * gRPC layer maps errors in one place without parsing messages. Errors cross the worker boundary
 * as plain objects (toWireError) and are rebuilt as the same class on the other side.
 */

/** gRPC-style codes the engine's errors map to. */
export type EngineErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'CANCELLED'
  | 'DEADLINE_EXCEEDED';

/** Base class of the engine's errors. */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A sampling parameter is invalid (temperature < 0, top_p ∉ (0, 1], top_k < 0, …). */
export class SamplingParamsError extends EngineError {
  override readonly name = 'SamplingParamsError';

  /** @param field the parameter at fault, e.g. `topP` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_ARGUMENT', `sampling ${field}: ${message}`, options);
  }
}

/** A request's input is invalid: token ids out of range, a sequence too long, bad frames. */
export class InvalidInputError extends EngineError {
  override readonly name = 'InvalidInputError';

  /** @param field the request field at fault, e.g. `requests[2].promptIds[5]` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_ARGUMENT', `${field}: ${message}`, options);
  }
}

/** A checkpoint cannot be loaded: unknown path, missing file, corrupt weights, config mismatch. */
export class CheckpointLoadError extends EngineError {
  override readonly name = 'CheckpointLoadError';

  /** @param path the checkpoint directory */
  constructor(
    code: 'NOT_FOUND' | 'FAILED_PRECONDITION',
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `checkpoint ${path}: ${message}`, options);
  }
}

/** The configured execution provider is not available in this onnxruntime build. */
export class ExecutionProviderError extends EngineError {
  override readonly name = 'ExecutionProviderError';

  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('FAILED_PRECONDITION', `execution provider ${provider}: ${message}`, options);
  }
}

/** The engine's queue is full; the caller should back off (RESOURCE_EXHAUSTED). */
export class QueueFullError extends EngineError {
  override readonly name = 'QueueFullError';

  constructor(readonly limit: number) {
    super('RESOURCE_EXHAUSTED', `the engine is at capacity (every batch slot busy and ${limit} calls waiting)`);
  }
}

/** The caller cancelled a generation; its slots were freed. */
export class RequestCancelledError extends EngineError {
  override readonly name = 'RequestCancelledError';

  constructor(options?: { cause?: unknown }) {
    super('CANCELLED', 'the generation was cancelled by the caller', options);
  }
}

/** A generation ran past its deadline; its slots were freed. */
export class DeadlineExceededError extends EngineError {
  override readonly name = 'DeadlineExceededError';

  constructor(readonly deadline: number) {
    super('DEADLINE_EXCEEDED', `the generation ran past its deadline (${new Date(deadline).toISOString()})`);
  }
}

/** The engine is closed or closing. */
export class EngineClosedError extends EngineError {
  override readonly name = 'EngineClosedError';

  constructor() {
    super('UNAVAILABLE', 'the engine is closed');
  }
}

/** A worker thread died while running a job (the pool replaces it). */
export class WorkerCrashError extends EngineError {
  override readonly name = 'WorkerCrashError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}

/** An engine option is invalid. */
export class EngineOptionsError extends EngineError {
  override readonly name = 'EngineOptionsError';

  /** @param field the option at fault */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_ARGUMENT', `engine option ${field}: ${message}`);
  }
}

/** An error as it crosses a worker boundary. */
export interface WireError {
  readonly name: string;
  readonly code: EngineErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly stack?: string;
}

function fieldOf(error: EngineError): string | undefined {
  if (error instanceof SamplingParamsError || error instanceof InvalidInputError) return error.field;
  if (error instanceof EngineOptionsError) return error.field;
  if (error instanceof ExecutionProviderError) return error.provider;
  if (error instanceof CheckpointLoadError) return error.path;
  return undefined;
}

/** The plain form of any thrown value; unknown errors become INTERNAL. */
export function toWireError(error: unknown): WireError {
  if (error instanceof EngineError) {
    const field = fieldOf(error);
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      ...(field === undefined ? {} : { field }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : 'Error';
  return { name, code: 'INTERNAL', message, ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) };
}

/** Rebuilds an error that crossed a worker boundary, with the same class where it is one of ours. */
export function fromWireError(wire: WireError): EngineError {
  const field = wire.field ?? '';
  const rebuild: Record<string, () => EngineError> = {
    SamplingParamsError: () => new SamplingParamsError(field, ''),
    InvalidInputError: () => new InvalidInputError(field, ''),
    EngineOptionsError: () => new EngineOptionsError(field, ''),
    ExecutionProviderError: () => new ExecutionProviderError(field, ''),
    CheckpointLoadError: () =>
      new CheckpointLoadError(wire.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'FAILED_PRECONDITION', field, ''),
  };
  const error = rebuild[wire.name]?.() ?? new EngineError(wire.code, '');
  if (!(wire.name in rebuild)) Object.defineProperty(error, 'name', { value: wire.name });
  // The worker's message, verbatim.
  Object.defineProperty(error, 'message', { value: wire.message, enumerable: false, writable: true });
  if (wire.stack) error.stack = wire.stack;
  return error;
}
