import { GrpcService, type ServiceImpl, unimplemented } from '@vrft/grpc';
import { ReferenceService } from '@vrft/proto';

/** ReferenceService: frozen reference log-probs (issue #5, on the engine of issue #3). */
@GrpcService(ReferenceService)
export class ReferenceController implements ServiceImpl<typeof ReferenceService> {
  computeLogprobs(): never {
    throw unimplemented('ReferenceService.ComputeLogprobs', 'the reference model arrives with issue #5');
  }
}
