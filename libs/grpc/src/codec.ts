import {
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
  create,
  fromBinary,
  toBinary,
} from '@bufbuild/protobuf';
import { Code, RpcError } from './errors.js';

/**
 * Decodes a request; bytes that are not a valid message of the schema are the
 * client's fault, so they become INVALID_ARGUMENT rather than grpc-js's INTERNAL.
 */
export function decodeRequest<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RpcError(Code.INVALID_ARGUMENT, `malformed ${schema.typeName}: ${reason}`, { cause: error });
  }
}

/** Encodes a message or a message init shape. */
export function encodeMessage<D extends DescMessage>(schema: D, message: MessageInitShape<D>): Buffer {
  const bytes = toBinary(schema, create(schema, message));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
