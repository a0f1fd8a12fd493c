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
