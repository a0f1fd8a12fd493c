import { GrpcService, type ServiceImpl, unimplemented } from '@vrft/grpc';
import { ReasoningService } from '@vrft/proto';

/**
 * ReasoningService: serving the trained model to clients.
 * Nothing here pretends to work: generation, model info and uploads arrive with
 * the serving work (issue #7), on the engine of issue #3.
 */
@GrpcService(ReasoningService)
export class ReasoningController implements ServiceImpl<typeof ReasoningService> {
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

  uploadVideo(): never {
    throw unimplemented('ReasoningService.UploadVideo', 'chunked video uploads arrive with issue #7');
  }
}
