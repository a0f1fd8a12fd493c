/**
 * The library's named errors. Both carry the path of the offending field so
 * that a service can answer INVALID_ARGUMENT with a precise message; the
 * mapping to gRPC status codes lives in the service, not here.
 */

/** Bad scoring input: a missing solution, an unknown problem type, oversized text, bad embeddings. */
export class RewardInputError extends Error {
  override readonly name = 'RewardInputError';

  constructor(
    /** Path of the bad field, e.g. `completions[3].text`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** A reward recipe with a bad or unknown field. */
export class RewardRecipeError extends Error {
  override readonly name = 'RewardRecipeError';

  constructor(
    /** Path of the bad field, e.g. `lengthBonus.minTokens`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}
