import { describe, expect, it } from 'vitest';
import { DigestMismatchError, InvalidKeyError } from '@vrft/bus';
import { Code, RpcError, toRpcError } from '@vrft/grpc';
import { sharedErrorMapper } from '@vrft/runtime';
import { VideoInputError, type VideoErrorCode } from '@vrft/video';

describe('sharedErrorMapper', () => {
  it.each<[VideoErrorCode, Code]>([
    ['EMPTY_INPUT', Code.INVALID_ARGUMENT],
    ['INVALID_VIDEO', Code.INVALID_ARGUMENT],
    ['TOO_LARGE', Code.RESOURCE_EXHAUSTED],
    ['TIMEOUT', Code.DEADLINE_EXCEEDED],
    ['PATH_NOT_ALLOWED', Code.PERMISSION_DENIED],
    ['NOT_FOUND', Code.NOT_FOUND],
    ['BUSY', Code.RESOURCE_EXHAUSTED],
  ])('maps video error %s to %s, keeping the message', (code, status) => {
    const mapped = toRpcError(new VideoInputError(code, `video: ${code}`), [sharedErrorMapper]);
    expect(mapped.code).toBe(status);
    expect(mapped.message).toBe(`video: ${code}`);
  });

  it('maps bus errors and leaves unknown errors INTERNAL', () => {
    expect(toRpcError(new InvalidKeyError('a b', 'spaces are not allowed'), [sharedErrorMapper]).code).toBe(
      Code.INVALID_ARGUMENT,
    );
    const digest = Object.create(DigestMismatchError.prototype) as DigestMismatchError;
    expect(toRpcError(digest, [sharedErrorMapper]).code).toBe(Code.DATA_LOSS);
    const unknown = toRpcError(new Error('boom'), [sharedErrorMapper]);
    expect(unknown).toBeInstanceOf(RpcError);
    expect(unknown.code).toBe(Code.INTERNAL);
  });
});
