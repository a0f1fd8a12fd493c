import { DigestMismatchError, InvalidKeyError, PayloadTooLargeError, BlobNotFoundError } from '@vrft/bus';
import { Code, type ErrorMapper, RpcError } from '@vrft/grpc';

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

/** Statuses of the shared libraries' errors, used by every app. */
export const sharedErrorMapper: ErrorMapper = mapErrorClasses([
  [InvalidKeyError, Code.INVALID_ARGUMENT],
  [PayloadTooLargeError, Code.RESOURCE_EXHAUSTED],
  [BlobNotFoundError, Code.NOT_FOUND],
  [DigestMismatchError, Code.DATA_LOSS],
]);
