/** The training engine's named errors; each names what is wrong. */

/** An engine option (trainer, backend, model) is invalid. */
export class EngineOptionsError extends Error {
  override readonly name = 'EngineOptionsError';

  /** @param field the option at fault, e.g. `warmupSteps` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** No TensorFlow.js backend of the configured order could be started. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A batch does not fit the model: token ids out of range, wrong frame count, too long. */
export class ModelInputError extends Error {
  override readonly name = 'ModelInputError';

  /** @param field the batch field at fault, e.g. `sequences[2].tokenIds` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** A gradient was asked of an operation the engine cannot differentiate (or not in that form). */
export class GradientError extends Error {
  override readonly name = 'GradientError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
