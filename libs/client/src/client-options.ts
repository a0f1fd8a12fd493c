/** Options of the reasoning client: documented defaults and one parse function naming the bad field. */
import { type GrpcClientOptions } from '@vrft/grpc';
import { ClientOptionsError } from './errors.js';

const MiB = 1024 * 1024;

/** Options of a ReasoningClient: the gRPC connection plus how videos travel. */
export interface ReasoningClientOptions extends GrpcClientOptions {
  /**
   * Videos up to this size go inline in the request; larger ones are uploaded in chunks first
   * (UploadVideo) and referenced by id. Default 4 MiB (the server's message limit is 16 MiB).
   */
  readonly inlineLimitBytes: number;
  /** Chunk size of uploads. Default 1 MiB. */
  readonly uploadChunkBytes: number;
}

/** Defaults of the video options. */
export const DEFAULT_CLIENT_OPTIONS = { inlineLimitBytes: 4 * MiB, uploadChunkBytes: 1 * MiB } as const;

/** Validates the options over the defaults; throws ClientOptionsError naming the field. */
export function parseClientOptions(
  input: GrpcClientOptions & Partial<Pick<ReasoningClientOptions, 'inlineLimitBytes' | 'uploadChunkBytes'>>,
): ReasoningClientOptions {
  const options = { ...DEFAULT_CLIENT_OPTIONS, ...input };
  if (typeof options.address !== 'string' || options.address.trim() === '') {
    throw new ClientOptionsError('address', `expected host:port, got ${JSON.stringify(options.address)}`);
  }
  for (const field of ['inlineLimitBytes', 'uploadChunkBytes'] as const) {
    if (!Number.isSafeInteger(options[field]) || options[field] < 1) {
      throw new ClientOptionsError(field, `expected an integer ≥ 1, got ${options[field]}`);
    }
  }
  return options;
}
