/**
 * The library's named errors. Both carry the path of the offending field so that a caller
 * (the learner, a CLI) can say exactly what is wrong; mapping to gRPC codes happens elsewhere.
 */

/** A GRPO config with a bad, unknown or contradictory field. */
export class GrpoConfigError extends Error {
  override readonly name = 'GrpoConfigError';

  constructor(
    /** Path of the bad field, e.g. `clipEpsilon`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** Inputs to an advantage or loss function with a bad shape, length or value. */
export class GrpoInputError extends Error {
  override readonly name = 'GrpoInputError';

  constructor(
    /** Path of the bad input, e.g. `mask[2]` or `logpRef`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** The GRPO loss cannot be differentiated: gradients of some tfjs kernels are not registered. */
export class GrpoGradientError extends Error {
  override readonly name = 'GrpoGradientError';

  constructor(
    /** Kernel names without a registered gradient, e.g. `ClipByValue`. */
    readonly missingKernels: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `no gradient registered for tfjs kernel(s) ${missingKernels.join(', ')}: register the training ` +
        'gradients (the training engine does) before differentiating the GRPO loss',
      options,
    );
  }
}
