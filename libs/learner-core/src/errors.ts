/** The learner's named errors; each carries the cause it wraps. */

/** A training option is missing or out of range; `field` names it. */
export class TrainingOptionsError extends Error {
  override readonly name = 'TrainingOptionsError';
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** A training checkpoint cannot be written, read or resumed from; `path` names it. */
export class TrainingCheckpointError extends Error {
  override readonly name = 'TrainingCheckpointError';
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** Training data cannot be turned into examples (missing clip, empty dataset, too long). */
export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A rollout group cannot be used for an update (shapes, lengths, versions); `field` names the part. */
export class RolloutInputError extends Error {
  override readonly name = 'RolloutInputError';
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${message}`, options);
  }
}
