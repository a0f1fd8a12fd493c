import { Code, type ErrorMapper, RpcError } from '@vrft/grpc';
import { UploadError } from './upload/upload-store.js';

const uploadCodes: Record<UploadError['kind'], Code> = {
  invalid: Code.INVALID_ARGUMENT,
  'digest-mismatch': Code.INVALID_ARGUMENT,
  'too-large': Code.RESOURCE_EXHAUSTED,
  busy: Code.RESOURCE_EXHAUSTED,
  'not-found': Code.NOT_FOUND,
};

/** Statuses of the reasoning-server's own errors. */
export const reasoningServerErrorMapper: ErrorMapper = (error) =>
  error instanceof UploadError ? new RpcError(uploadCodes[error.kind], error.message, { cause: error }) : undefined;
