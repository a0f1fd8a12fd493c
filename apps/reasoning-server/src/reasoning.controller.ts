import { type CallContext, GrpcService, type ServiceImpl, unimplemented } from '@vrft/grpc';
import { ReasoningService, type UploadVideoRequest } from '@vrft/proto';
import { UploadError } from './upload/upload-store.js';
import { UploadStoreProvider } from './upload/upload-store.provider.js';

/**
 * ReasoningService: serving the trained model to clients. Chunked video uploads
 * work; generation and model info arrive with the serving work (issue #7) on the
 * engine of issue #3, and say so.
 */
@GrpcService(ReasoningService)
export class ReasoningController implements ServiceImpl<typeof ReasoningService> {
  constructor(private readonly uploads: UploadStoreProvider) {}

  generate(): never {
    throw unimplemented('ReasoningService.Generate', 'serving arrives with issue #7');
  }

  // eslint-disable-next-line require-yield
  async *generateStream(): AsyncGenerator<never> {
    throw unimplemented('ReasoningService.GenerateStream', 'serving arrives with issue #7');
  }

  modelInfo(): never {
    throw unimplemented('ReasoningService.ModelInfo', 'no model engine yet (issue #3), serving with issue #7');
  }

  /** Header first, then chunks; the returned id is usable as VideoInput.upload_id. */
  async uploadVideo(requests: AsyncIterable<UploadVideoRequest>, context: CallContext) {
    const messages = requests[Symbol.asyncIterator]();
    const first = await messages.next();
    if (first.done || first.value.part.case !== 'header') {
      throw new UploadError('invalid', 'the first UploadVideoRequest must carry the header');
    }
    const header = first.value.part.value;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let next = await messages.next(); !next.done; next = await messages.next()) {
        if (next.value.part.case !== 'chunk') throw new UploadError('invalid', 'only chunks may follow the header');
        yield next.value.part.value;
      }
    }
    const stored = await this.uploads.receive(
      { sizeBytes: Number(header.sizeBytes), sha256: header.sha256 },
      chunks(),
      context.signal,
    );
    return { uploadId: stored.uploadId, sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes) };
  }
}
