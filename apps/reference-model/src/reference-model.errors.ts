import { Code, type ErrorMapper, RpcError } from '@vrft/grpc';
import { ReferenceInputError, ReferenceNotReadyError } from './reference-scoring.service.js';

/** Statuses of the reference-model's own errors (engine and video errors go through the shared mapper). */
export const referenceModelErrorMapper: ErrorMapper = (error) => {
  if (error instanceof ReferenceInputError) return new RpcError(Code.INVALID_ARGUMENT, error.message, { cause: error });
  if (error instanceof ReferenceNotReadyError) {
    return new RpcError(error.retryable ? Code.UNAVAILABLE : Code.FAILED_PRECONDITION, error.message, { cause: error });
  }
  return undefined;
};
