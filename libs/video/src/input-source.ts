/**
 * Turns what a caller hands in (bytes, a stream of chunks, a path or file:// URI) into input
 * ffmpeg can read, with its SHA-256 digest for the cache. Streams are gathered into memory (the
 * clip is probed and then decoded, so it is read twice) under the byte limit.
 */
import { createHash } from 'node:crypto';
import { type AllowedFile, openAllowedFile } from './allowed-roots.js';
import { VideoInputError } from './errors.js';

/** A video to read: bytes (Buffer or Uint8Array), an async iterable of byte chunks (e.g. a Node Readable), or a path / file:// URI inside the allowed roots. */
export type VideoSource = Uint8Array | AsyncIterable<Uint8Array> | string | URL;

/** Input ready for ffmpeg, with the SHA-256 (hex) of its bytes. */
export type MaterialisedInput =
  { kind: 'bytes'; bytes: Uint8Array; digest: string } | { kind: 'file'; file: AllowedFile; digest: string };

/** Limits that apply while reading a source. */
export interface SourceLimits {
  maxInputBytes: number;
  allowedRoots: readonly string[];
}

const FILE_CHUNK_BYTES = 1 << 20;

function cancelled(signal: AbortSignal): VideoInputError {
  return new VideoInputError('CANCELLED', 'video request was cancelled', { cause: signal.reason });
}

function checkSize(size: number, maxBytes: number): void {
  if (size > maxBytes)
    throw new VideoInputError('TOO_LARGE', `video input is larger than the limit of ${maxBytes} bytes`);
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function readStream(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const step = await raceAbort(iterator.next(), signal);
      if (step.done) break;
      const chunk: unknown = step.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new VideoInputError('INVALID_ARGUMENT', 'video stream must yield bytes (Uint8Array/Buffer), not text', {
          field: 'source',
        });
      }
      total += chunk.length;
      checkSize(total, maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    // Stop the producer (a Node Readable is destroyed by return()); its own errors are secondary.
    await iterator.return?.().catch(() => undefined);
    throw error;
  }
  return Buffer.concat(chunks, total);
}

async function digestFile(file: AllowedFile, maxBytes: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
  let position = 0;
  for (;;) {
    if (signal?.aborted) throw cancelled(signal);
    const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    checkSize(position, maxBytes); // the file may have grown since it was opened
    hash.update(buffer.subarray(0, bytesRead));
  }
  if (position === 0) throw new VideoInputError('EMPTY_INPUT', 'video file is empty');
  return hash.digest('hex');
}

/** Reads or opens a source, enforcing the byte limit and roots; the caller must {@link releaseInput} it. */
export async function materialiseSource(
  source: VideoSource,
  limits: SourceLimits,
  signal?: AbortSignal,
): Promise<MaterialisedInput> {
  if (signal?.aborted) throw cancelled(signal);
  if (typeof source === 'string' || source instanceof URL) {
    const file = await openAllowedFile(source, limits.allowedRoots, limits.maxInputBytes);
    try {
      return { kind: 'file', file, digest: await digestFile(file, limits.maxInputBytes, signal) };
    } catch (error) {
      await file.handle.close();
      throw error;
    }
  }
  let bytes: Uint8Array;
  if (source instanceof Uint8Array) {
    bytes = source;
  } else if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
    bytes = await readStream(source, limits.maxInputBytes, signal);
  } else {
    throw new VideoInputError('INVALID_ARGUMENT', 'video source must be bytes, an async iterable of bytes, or a path', {
      field: 'source',
    });
  }
  if (bytes.length === 0) throw new VideoInputError('EMPTY_INPUT', 'video input is empty');
  checkSize(bytes.length, limits.maxInputBytes);
  return { kind: 'bytes', bytes, digest: createHash('sha256').update(bytes).digest('hex') };
}

/** Closes what {@link materialiseSource} opened. */
export async function releaseInput(input: MaterialisedInput): Promise<void> {
  if (input.kind === 'file') await input.file.handle.close();
}
