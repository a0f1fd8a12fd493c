/**
 * The typed client of the reasoning-server: ask a question about a video and get the answer, or
 * stream it as it is sampled. Local videos go inline when small and are uploaded in chunks
 * (UploadVideo, SHA-256 checked by the server) when large, so callers never meet the message
 * size limit.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { type CallOptions, createClient, type ServiceClient } from '@vrft/grpc';
import { type ModelInfoResponse, ReasoningService, type VideoInput } from '@vrft/proto';
import { parseClientOptions, type ReasoningClientOptions } from './client-options.js';
import { ClientOptionsError, IncompleteStreamError } from './errors.js';
import { type Answer, type AnswerEvent, type Question, toAnswer, toQueryMessage, type VideoRef } from './query.js';

type UploadPart = {
  part: { case: 'header'; value: { sizeBytes: bigint; sha256: string } } | { case: 'chunk'; value: Uint8Array };
};

/** A client of ReasoningService. */
export class ReasoningClient {
  private readonly grpc: ServiceClient<typeof ReasoningService>;
  readonly options: ReasoningClientOptions;

  /** Connects lazily (the first call opens the channel). */
  constructor(options: Parameters<typeof parseClientOptions>[0]) {
    this.options = parseClientOptions(options);
    this.grpc = createClient(ReasoningService, this.options);
  }

  /** The whole answer to a question. */
  async ask(question: Question, call: CallOptions = {}): Promise<Answer> {
    const query = toQueryMessage(question, await this.videoSource(question.video, call));
    const response = await this.grpc.generate({ query }, call);
    return toAnswer(response.result);
  }

  /**
   * The answer as it is sampled: `delta` events with new text, then one `answer` event.
   * Breaking out of the loop cancels the generation on the server.
   */
  async *stream(question: Question, call: CallOptions = {}): AsyncGenerator<AnswerEvent> {
    const query = toQueryMessage(question, await this.videoSource(question.video, call));
    for await (const message of this.grpc.generateStream({ query }, call)) {
      const event = message.event;
      if (event.case === 'delta') {
        const { text, tokenIds, logprobs } = event.value;
        yield { type: 'delta', text, tokenIds, logprobs };
      } else if (event.case === 'final') {
        yield { type: 'answer', answer: toAnswer(event.value) };
        return;
      }
    }
    throw new IncompleteStreamError();
  }

  /** Uploads a clip (a path or bytes) in chunks; returns the id to use as `{ uploadId }`. */
  async upload(video: { path: string } | { bytes: Uint8Array }, call: CallOptions = {}): Promise<string> {
    const { sizeBytes, sha256, chunks } =
      'path' in video
        ? await fileParts(video.path, this.options.uploadChunkBytes)
        : bytesParts(video.bytes, this.options.uploadChunkBytes);
    async function* parts(): AsyncGenerator<UploadPart> {
      yield { part: { case: 'header', value: { sizeBytes: BigInt(sizeBytes), sha256 } } };
      for await (const chunk of chunks()) yield { part: { case: 'chunk', value: chunk } };
    }
    const response = await this.grpc.uploadVideo(parts(), call);
    return response.uploadId;
  }

  /** The served model and its limits. */
  modelInfo(call: CallOptions = {}): Promise<ModelInfoResponse> {
    return this.grpc.modelInfo({}, call);
  }

  /** Closes the channel. */
  close(): void {
    this.grpc.close();
  }

  private async videoSource(video: VideoRef | undefined, call: CallOptions): Promise<VideoInput['source'] | undefined> {
    if (!video) return undefined;
    if ('serverUri' in video) return { case: 'fileUri', value: video.serverUri };
    if ('uploadId' in video) return { case: 'uploadId', value: video.uploadId };
    if ('bytes' in video) {
      if (video.bytes.length <= this.options.inlineLimitBytes) return { case: 'inlineBytes', value: video.bytes };
      return { case: 'uploadId', value: await this.upload(video, call) };
    }
    if ('path' in video) {
      const size = await stat(video.path).then(
        (info) => info.size,
        (error: unknown) => {
          throw new ClientOptionsError('video.path', `cannot read ${video.path}: ${(error as Error).message}`, {
            cause: error,
          });
        },
      );
      if (size <= this.options.inlineLimitBytes) {
        return { case: 'inlineBytes', value: new Uint8Array(await readFile(video.path)) };
      }
      return { case: 'uploadId', value: await this.upload(video, call) };
    }
    throw new ClientOptionsError('video', 'expected { path }, { bytes }, { serverUri } or { uploadId }');
  }
}

function bytesParts(bytes: Uint8Array, chunkBytes: number) {
  return {
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    async *chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
    },
  };
}

/** A file read twice in chunks (hash, then send) so a large clip is never held in memory whole. */
async function fileParts(path: string, chunkBytes: number) {
  const read = async function* (): AsyncGenerator<Uint8Array> {
    const handle = await open(path);
    try {
      const buffer = Buffer.alloc(chunkBytes);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
        if (bytesRead === 0) return;
        yield new Uint8Array(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  };
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of read()) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sizeBytes, sha256: hash.digest('hex'), chunks: read };
}
