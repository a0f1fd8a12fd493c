/**
 * The tokenizer's named errors. Each names what was wrong (a JSON field, an option, an id) so a
 * caller can report it without reading a stack trace.
 */

/** A tokenizer.json (or its in-memory object) is malformed or uses an unsupported feature. */
export class TokenizerFormatError extends Error {
  override readonly name = 'TokenizerFormatError';

  /** @param field dotted path of the bad field, e.g. `model.merges[3]` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** An option passed to training or loading is invalid. */
export class TokenizerOptionsError extends Error {
  override readonly name = 'TokenizerOptionsError';

  /** @param field the option's name, e.g. `vocabSize` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** A token id given to decode (or a lookup) is not an id of this tokenizer. */
export class TokenIdError extends Error {
  override readonly name = 'TokenIdError';

  constructor(
    readonly id: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Text cannot be encoded: a symbol has no token, or a requested special token is missing. */
export class TokenEncodeError extends Error {
  override readonly name = 'TokenEncodeError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A special-token role (bos, eos, …) was asked for but this tokenizer has no such token. */
export class MissingSpecialTokenError extends Error {
  override readonly name = 'MissingSpecialTokenError';

  constructor(
    readonly role: string,
    readonly content: string,
    options?: { cause?: unknown },
  ) {
    super(
      `tokenizer has no special token for role "${role}" (looked for the added token ${JSON.stringify(content)})`,
      options,
    );
  }
}
