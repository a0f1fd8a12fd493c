import { DigestMismatchError, InvalidKeyError, PayloadTooLargeError, BlobNotFoundError } from '@vrft/bus';
// The errors subpath only: the engine itself (onnxruntime) is not loaded by apps that do not serve.
import { EngineError, type EngineErrorCode } from '@vrft/engine-ort/errors';
import { Code, type ErrorMapper, RpcError } from '@vrft/grpc';
import { InputSequenceError } from '@vrft/model';
import { type VideoErrorCode, VideoInputError, VideoOptionsError } from '@vrft/video';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Builds a mapper from a table of error classes to status codes; the message is kept. */
export function mapErrorClasses(table: ReadonlyArray<readonly [ErrorClass, Code]>): ErrorMapper {
  return (error) => {
    for (const [errorClass, code] of table) {
      if (error instanceof errorClass) return new RpcError(code, error.message, { cause: error });
    }
    return undefined;
  };
}

const videoCodes: Record<VideoErrorCode, Code> = {
  EMPTY_INPUT: Code.INVALID_ARGUMENT,
  INVALID_VIDEO: Code.INVALID_ARGUMENT,
  INVALID_ARGUMENT: Code.INVALID_ARGUMENT,
  TOO_LARGE: Code.RESOURCE_EXHAUSTED,
  TOO_LONG: Code.INVALID_ARGUMENT,
  TIMEOUT: Code.DEADLINE_EXCEEDED,
  PATH_NOT_ALLOWED: Code.PERMISSION_DENIED,
  NOT_FOUND: Code.NOT_FOUND,
  CANCELLED: Code.CANCELLED,
  BUSY: Code.RESOURCE_EXHAUSTED,
};

/** Video input errors carry a code; each maps to one status. */
const videoErrorMapper: ErrorMapper = (error) =>
  error instanceof VideoInputError ? new RpcError(videoCodes[error.code], error.message, { cause: error }) : undefined;

const engineCodes: Record<EngineErrorCode, Code> = {
  INVALID_ARGUMENT: Code.INVALID_ARGUMENT,
  NOT_FOUND: Code.NOT_FOUND,
  FAILED_PRECONDITION: Code.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: Code.RESOURCE_EXHAUSTED,
  UNAVAILABLE: Code.UNAVAILABLE,
  INTERNAL: Code.INTERNAL,
  CANCELLED: Code.CANCELLED,
  DEADLINE_EXCEEDED: Code.DEADLINE_EXCEEDED,
};

/**
 * Inference engine errors carry the status they map to. INTERNAL keeps a generic message (the
 * cause is logged, not sent), as for any unexpected error.
 */
const engineErrorMapper: ErrorMapper = (error) => {
  if (!(error instanceof EngineError)) return undefined;
  const code = engineCodes[error.code];
  return new RpcError(code, code === Code.INTERNAL ? 'internal error' : error.message, { cause: error });
};

const classMapper = mapErrorClasses([
  [InputSequenceError, Code.INVALID_ARGUMENT],
  [InvalidKeyError, Code.INVALID_ARGUMENT],
  [PayloadTooLargeError, Code.RESOURCE_EXHAUSTED],
  [BlobNotFoundError, Code.NOT_FOUND],
  [DigestMismatchError, Code.DATA_LOSS],
  [VideoOptionsError, Code.INVALID_ARGUMENT],
]);

/** Statuses of the shared libraries' errors, used by every app (after the app's own mappers). */
export const sharedErrorMapper: ErrorMapper = (error) =>
  videoErrorMapper(error) ?? engineErrorMapper(error) ?? classMapper(error);
