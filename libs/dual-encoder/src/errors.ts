/**
 * The library's named errors. Each names what is at fault (a field, a file) so that a service can
 * answer with a precise status; the mapping to gRPC codes lives in the apps.
 */

/** A config or option with a bad or unknown field. */
export class EncoderOptionsError extends Error {
  override readonly name = 'EncoderOptionsError';

  constructor(
    /** The field at fault, e.g. `visionLayers`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** Bad input to an encoder: wrong frame size, an empty text, a text longer than allowed. */
export class EncoderInputError extends Error {
  override readonly name = 'EncoderInputError';

  constructor(
    /** The input at fault, e.g. `texts[2]`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** An encoder directory or file that cannot be loaded (missing, corrupt, or not matching its config). */
export class EncoderLoadError extends Error {
  override readonly name = 'EncoderLoadError';

  constructor(
    /** The path at fault. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** The encoder was closed, or a call was cancelled by its AbortSignal. */
export class EncoderCancelledError extends Error {
  override readonly name = 'EncoderCancelledError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A graph run failed in onnxruntime (inputs the graph does not take, or its worker thread died). */
export class EncoderRunError extends Error {
  override readonly name = 'EncoderRunError';

  constructor(
    /** The graph file that was running. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** An error as it crosses the worker-thread boundary (structured clone keeps no class). */
export interface WireError {
  readonly name: string;
  /** The message without the field or path prefix the constructor adds. */
  readonly detail: string;
  readonly message: string;
  /** The field (options, input errors) or path (load, run errors). */
  readonly subject?: string;
}

function withoutPrefix(message: string, subject: string): string {
  return message.startsWith(`${subject}: `) ? message.slice(subject.length + 2) : message;
}

/** The plain form of a thrown value. */
export function toWireError(error: unknown): WireError {
  if (error instanceof EncoderOptionsError || error instanceof EncoderInputError) {
    return {
      name: error.name,
      subject: error.field,
      message: error.message,
      detail: withoutPrefix(error.message, error.field),
    };
  }
  if (error instanceof EncoderLoadError || error instanceof EncoderRunError) {
    return {
      name: error.name,
      subject: error.path,
      message: error.message,
      detail: withoutPrefix(error.message, error.path),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: error instanceof Error ? error.name : 'Error', message, detail: message };
}

/** Rebuilds an error that crossed the worker boundary as the same class (other errors as EncoderRunError of `path`). */
export function fromWireError(wire: WireError, path: string): Error {
  const subject = wire.subject ?? '';
  switch (wire.name) {
    case 'EncoderOptionsError':
      return new EncoderOptionsError(subject, wire.detail);
    case 'EncoderInputError':
      return new EncoderInputError(subject, wire.detail);
    case 'EncoderLoadError':
      return new EncoderLoadError(subject, wire.detail);
    case 'EncoderRunError':
      return new EncoderRunError(subject, wire.detail);
    case 'EncoderCancelledError':
      return new EncoderCancelledError(wire.message);
    default:
      return new EncoderRunError(path, `${wire.name}: ${wire.message}`);
  }
}
