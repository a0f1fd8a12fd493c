/** Errors of the client's own checks (server errors arrive as RpcError of @vrft/grpc). */

/** An option or a query field given to the client is invalid. */
export class ClientOptionsError extends Error {
  override readonly name = 'ClientOptionsError';

  /** @param field the option at fault */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** The server ended a stream without its final result. */
export class IncompleteStreamError extends Error {
  override readonly name = 'IncompleteStreamError';

  constructor() {
    super('the server ended the stream without a final result');
  }
}
