import { type Hash, createHash } from 'node:crypto';

/** Data to store as a blob: bytes, an async iterable of chunks (e.g. a Node Readable), or a web ReadableStream. */
export type BlobSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Running SHA-256 and byte count of data as it streams past. */
export class StreamDigest {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Lower-case hex SHA-256; call once, at the end. */
  hex(): string {
    return this.hash.digest('hex');
  }
}

function isReadableStream(source: BlobSource): source is ReadableStream<Uint8Array> {
  return typeof (source as Partial<ReadableStream<Uint8Array>>).getReader === 'function';
}

async function* sliceBytes(data: Uint8Array, sliceBytes: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += sliceBytes) {
    yield data.subarray(offset, Math.min(offset + sliceBytes, data.length));
  }
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Iterates any {@link BlobSource} as chunks; a large byte array is handed out in `sliceBytes` views. */
export function iterateSource(source: BlobSource, sliceSize: number): AsyncIterator<Uint8Array> {
  if (source instanceof Uint8Array) return sliceBytes(source, sliceSize);
  if (isReadableStream(source)) return readStream(source);
  return source[Symbol.asyncIterator]();
}

/**
 * A web ReadableStream over `source` that feeds every chunk through `digest`
 * on its way to the object store, so the hash costs no second pass.
 */
export function digestingStream(
  source: BlobSource,
  digest: StreamDigest,
  sliceSize: number,
): ReadableStream<Uint8Array> {
  const iterator = iterateSource(source, sliceSize);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) {
        controller.close();
        return;
      }
      if (!(next.value instanceof Uint8Array)) {
        throw new TypeError(`blob source yielded ${typeof next.value}, expected Uint8Array chunks`);
      }
      digest.update(next.value);
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/** Converts the object store's `SHA-256=<base64url>` digest to lower-case hex; undefined if not SHA-256. */
export function hexFromObjectDigest(digest: string): string | undefined {
  const prefix = 'SHA-256=';
  if (!digest.startsWith(prefix)) return undefined;
  const bytes = Buffer.from(digest.slice(prefix.length), 'base64url');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}
