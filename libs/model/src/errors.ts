/**
 * The model library's named errors. Each names what is wrong (a config field, a tensor, a file)
 * so a caller can report it without reading a stack trace.
 */

/** A model config field is missing or invalid. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';

  /** @param field the config field at fault, e.g. `numHeads` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`model config ${field}: ${message}`, options);
  }
}

/** A safetensors file or buffer is malformed: truncated, bad header, bad offsets, unsupported dtype. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';

  /**
   * @param source the file path (or `<buffer>`)
   * @param tensor the tensor at fault, when one is
   */
  constructor(
    readonly source: string,
    readonly tensor: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${tensor === undefined ? '' : `tensor "${tensor}": `}${message}`, options);
  }
}

/** Weights do not match the config: a tensor is missing, unexpected, or has the wrong shape. */
export class WeightsMismatchError extends Error {
  override readonly name = 'WeightsMismatchError';

  /** @param tensor the weight name at fault */
  constructor(
    readonly tensor: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`weight "${tensor}": ${message}`, options);
  }
}

/** A checkpoint directory is missing, incomplete or inconsistent. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';

  /** @param path the directory or file at fault */
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`checkpoint ${path}: ${message}`, options);
  }
}

/** A prompt cannot be turned into an input sequence (no or several `<video>` tokens, too long). */
export class InputSequenceError extends Error {
  override readonly name = 'InputSequenceError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
