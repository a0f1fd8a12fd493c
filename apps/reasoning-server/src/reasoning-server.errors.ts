import { Code, type ErrorMapper, RpcError } from '@vrft/grpc';
import { UploadError } from './upload/upload-store.js';

const uploadCodes: Record<UploadError['kind'], Code> = {
  invalid: Code.INVALID_ARGUMENT,
  'digest-mismatch': Code.INVALID_ARGUMENT,
  'too-large': Code.RESOURCE_EXHAUSTED,
  busy: Code.RESOURCE_EXHAUSTED,
  'not-found': Code.NOT_FOUND,
};

/** A query field is missing, malformed or over a configured limit (INVALID_ARGUMENT). */
export class QueryError extends Error {
  override readonly name = 'QueryError';

  /** @param field the request field at fault, e.g. `query.sampling.max_new_tokens` */
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** No model is loaded yet, or none is configured (UNAVAILABLE). */
export class ModelNotLoadedError extends Error {
  override readonly name = 'ModelNotLoadedError';

  constructor(checkpointDir: string | undefined) {
    super(
      checkpointDir
        ? `the model from ${checkpointDir} is not loaded yet`
        : 'no model is configured on this server (model.checkpointDir)',
    );
  }
}

/** Statuses of the reasoning-server's own errors. */
export const reasoningServerErrorMapper: ErrorMapper = (error) => {
  if (error instanceof UploadError) return new RpcError(uploadCodes[error.kind], error.message, { cause: error });
  if (error instanceof QueryError) return new RpcError(Code.INVALID_ARGUMENT, error.message, { cause: error });
  if (error instanceof ModelNotLoadedError) return new RpcError(Code.UNAVAILABLE, error.message, { cause: error });
  return undefined;
};
