import { type CallContext, GrpcService, type ServiceImpl } from '@vrft/grpc';
import {
  type GenerateRequest,
  type GenerateStreamRequest,
  ReasoningService,
  ReasoningQuerySchema,
  type UploadVideoRequest,
} from '@vrft/proto';
import { create } from '@bufbuild/protobuf';
import { AnswerService, type CallInfo } from './generation/answer.service.js';
import { UploadError } from './upload/upload-store.js';
import { UploadStoreProvider } from './upload/upload-store.provider.js';

function callInfo(context: CallContext): CallInfo {
  return { api: 'grpc', signal: context.signal, deadline: context.deadline };
}

/** ReasoningService: answers questions about videos with the served model (thin: AnswerService does the work). */
@GrpcService(ReasoningService)
export class ReasoningController implements ServiceImpl<typeof ReasoningService> {
  constructor(
    private readonly uploads: UploadStoreProvider,
    private readonly answers: AnswerService,
  ) {}

  async generate(request: GenerateRequest, context: CallContext) {
    const query = request.query ?? create(ReasoningQuerySchema);
    return { result: await this.answers.generate(query, callInfo(context)) };
  }

  generateStream(request: GenerateStreamRequest, context: CallContext) {
    return this.answers.stream(request.query ?? create(ReasoningQuerySchema), callInfo(context));
  }

  modelInfo() {
    return this.answers.modelInfo();
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
