import { BusOptionsError } from './errors.js';
import { readChoice, readInt } from './validate.js';

/** Settings of an Object Store bucket created on demand. */
export interface BlobBucketOptions {
  /** `file` (default) survives restarts; `memory` does not. */
  storage?: 'file' | 'memory';
  /** Cap on the bucket's total bytes; -1 (default) is unlimited. */
  maxBucketBytes?: number;
  /** Age after which blobs expire, in ms; 0 (default) keeps them. */
  ttlMs?: number;
  /** Chunk size when storing, in bytes. Default 128 KiB; capped at the server's max_payload. */
  chunkBytes?: number;
}

/** Bucket options after defaults and validation. */
export type ResolvedBlobBucketOptions = Required<BlobBucketOptions>;

/** Applies defaults over `base` and validates; errors name `prefix.field`. */
export function parseBlobBucketOptions(
  options: BlobBucketOptions | undefined,
  prefix: string,
  base?: ResolvedBlobBucketOptions,
): ResolvedBlobBucketOptions {
  const o = options ?? {};
  const maxBucketBytes = readInt(`${prefix}.maxBucketBytes`, o.maxBucketBytes, base?.maxBucketBytes ?? -1, -1);
  if (maxBucketBytes === 0) throw new BusOptionsError(`${prefix}.maxBucketBytes`, 'must be -1 (unlimited) or > 0');
  return {
    storage: readChoice(`${prefix}.storage`, o.storage, base?.storage ?? 'file', ['file', 'memory']),
    maxBucketBytes,
    ttlMs: readInt(`${prefix}.ttlMs`, o.ttlMs, base?.ttlMs ?? 0, 0),
    chunkBytes: readInt(`${prefix}.chunkBytes`, o.chunkBytes, base?.chunkBytes ?? 128 * 1024, 1),
  };
}
