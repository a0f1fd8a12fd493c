import { create } from '@bufbuild/protobuf';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { type ObjectStore, type ObjectStoreOptions, Objm, StorageType } from '@nats-io/obj';
import { type ObjectRef, ObjectRefSchema } from '@vrft/proto';
import { type BlobBucketOptions, type ResolvedBlobBucketOptions, parseBlobBucketOptions } from './blob-options.js';
import { type BlobSource, StreamDigest, digestingStream, hexFromObjectDigest } from './blob-source.js';
import { BlobNotFoundError, BusOptionsError, DigestMismatchError } from './errors.js';
import { readName } from './validate.js';

const sha256Pattern = /^[0-9a-f]{64}$/;

interface OpenBucket {
  store: ObjectStore;
  options: ResolvedBlobBucketOptions;
}

function readObjectName(field: string, name: string): string {
  if (typeof name !== 'string' || name === '') throw new BusOptionsError(field, 'must be a non-empty object name');
  return name;
}

function readRef(ref: ObjectRef): ObjectRef {
  readName('ref.bucket', ref.bucket);
  readObjectName('ref.name', ref.name);
  if (!sha256Pattern.test(ref.sha256)) throw new BusOptionsError('ref.sha256', 'must be 64 lower-case hex digits');
  return ref;
}

function toStoreOptions(o: ResolvedBlobBucketOptions): Partial<ObjectStoreOptions> {
  return {
    storage: o.storage === 'file' ? StorageType.File : StorageType.Memory,
    ...(o.maxBucketBytes > 0 ? { max_bytes: o.maxBucketBytes } : {}),
    ...(o.ttlMs > 0 ? { ttl: nanos(o.ttlMs) } : {}),
  };
}

/**
 * Blobs in JetStream Object Store buckets, addressed by {@link ObjectRef}s that
 * carry the content's SHA-256 and size; reads verify both.
 */
export class BlobStore {
  private readonly objm: Objm;
  private readonly stores = new Map<string, Promise<OpenBucket>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly defaults: ResolvedBlobBucketOptions,
  ) {
    this.objm = new Objm(nc);
  }

  /** Creates the bucket if missing (settings of an existing bucket are left as they are). */
  async ensureBucket(bucket: string, options?: BlobBucketOptions): Promise<void> {
    await this.createdBucket(bucket, options);
  }

  private createdBucket(bucket: string, options?: BlobBucketOptions): Promise<OpenBucket> {
    readName('bucket', bucket);
    const cached = this.stores.get(bucket);
    if (cached !== undefined) return cached;
    const resolved = parseBlobBucketOptions(options, 'bucket', this.defaults);
    const opened = this.objm.create(bucket, toStoreOptions(resolved)).then((store) => ({ store, options: resolved }));
    this.stores.set(bucket, opened);
    // A failed creation is not cached: the next call tries again.
    opened.catch(() => this.stores.delete(bucket));
    return opened;
  }

  private async existingStore(bucket: string, name: string): Promise<ObjectStore> {
    const cached = this.stores.get(bucket);
    if (cached !== undefined) return (await cached).store;
    try {
      return await this.objm.open(bucket);
    } catch (err) {
      if (err instanceof Error && /not found/i.test(err.message))
        throw new BlobNotFoundError(bucket, name, { cause: err });
      throw err;
    }
  }

  /** Streams `data` into `bucket/name` (replacing an older version), hashing on the way. */
  async put(bucket: string, name: string, data: BlobSource): Promise<ObjectRef> {
    readObjectName('name', name);
    const { store, options } = await this.createdBucket(bucket);
    const maxPayload = this.nc.info?.max_payload ?? options.chunkBytes;
    const chunkBytes = Math.min(options.chunkBytes, maxPayload);
    const digest = new StreamDigest();
    const info = await store.put(
      { name, options: { max_chunk_size: chunkBytes } },
      digestingStream(data, digest, chunkBytes),
    );
    const sha256 = digest.hex();
    // The store hashed the same bytes; disagreement means data was lost in between.
    if (info.size !== digest.sizeBytes || hexFromObjectDigest(info.digest) !== sha256) {
      throw new DigestMismatchError(
        bucket,
        name,
        { sha256, sizeBytes: BigInt(digest.sizeBytes) },
        { sha256: hexFromObjectDigest(info.digest) ?? info.digest, sizeBytes: BigInt(info.size) },
      );
    }
    return create(ObjectRefSchema, { bucket, name, sha256, sizeBytes: BigInt(digest.sizeBytes) });
  }

  /**
   * Streams a blob's chunks. The stored size and digest are checked against the
   * ref before the first chunk, and the received bytes after the last: a
   * {@link DigestMismatchError} thrown at the end means the data already
   * yielded must be discarded.
   */
  async *stream(ref: ObjectRef): AsyncGenerator<Uint8Array> {
    readRef(ref);
    const store = await this.existingStore(ref.bucket, ref.name);
    const result = await store.get(ref.name);
    if (result === null) throw new BlobNotFoundError(ref.bucket, ref.name);
    const expected = { sha256: ref.sha256, sizeBytes: ref.sizeBytes };
    const storedSha = hexFromObjectDigest(result.info.digest) ?? result.info.digest;
    if (BigInt(result.info.size) !== ref.sizeBytes || storedSha !== ref.sha256) {
      await result.data.cancel();
      throw new DigestMismatchError(ref.bucket, ref.name, expected, {
        sha256: storedSha,
        sizeBytes: BigInt(result.info.size),
      });
    }
    const digest = new StreamDigest();
    const reader = result.data.getReader();
    let finished = false;
    try {
      for (;;) {
        const next = await reader.read().catch((err: unknown) => {
          if (!(err instanceof Error) || !/corrupt|digests do not match/i.test(err.message)) throw err;
          // The store's own chunk check failed: report it against the ref.
          const actual = { sha256: digest.hex(), sizeBytes: BigInt(digest.sizeBytes) };
          throw new DigestMismatchError(ref.bucket, ref.name, expected, actual, { cause: err });
        });
        if (next.done) break;
        digest.update(next.value);
        yield next.value;
      }
      finished = true;
    } finally {
      // A caller that stops early must not leave the store's consumer running.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
    const actual = { sha256: digest.hex(), sizeBytes: BigInt(digest.sizeBytes) };
    if (actual.sizeBytes !== ref.sizeBytes || actual.sha256 !== ref.sha256) {
      throw new DigestMismatchError(ref.bucket, ref.name, expected, actual);
    }
  }

  /** Reads a whole blob into memory, verified against the ref. */
  async get(ref: ObjectRef): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.stream(ref)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** Deletes a blob; false when there was none. */
  async delete(bucket: string, name: string): Promise<boolean> {
    readName('bucket', bucket);
    readObjectName('name', name);
    let store: ObjectStore;
    try {
      store = await this.existingStore(bucket, name);
    } catch (err) {
      if (err instanceof BlobNotFoundError) return false;
      throw err;
    }
    const info = await store.info(name);
    if (info === null || info.deleted) return false;
    await store.delete(name);
    return true;
  }
}
