import { DigestMismatchError, InvalidKeyError, PayloadTooLargeError, BlobNotFoundError } from '@vrft/bus';
import { Code, type ErrorMapper, RpcError } from '@vrft/grpc';
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

const classMapper = mapErrorClasses([
  [InvalidKeyError, Code.INVALID_ARGUMENT],
  [PayloadTooLargeError, Code.RESOURCE_EXHAUSTED],
  [BlobNotFoundError, Code.NOT_FOUND],
  [DigestMismatchError, Code.DATA_LOSS],
  [VideoOptionsError, Code.INVALID_ARGUMENT],
]);

/** Statuses of the shared libraries' errors, used by every app (after the app's own mappers). */
export const sharedErrorMapper: ErrorMapper = (error) => videoErrorMapper(error) ?? classMapper(error);
