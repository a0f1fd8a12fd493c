import { type CallContext, GrpcService, type ServiceImpl } from '@vrft/grpc';
import { type ComputeLogprobsRequest, ReferenceService } from '@vrft/proto';
import { ReferenceScoringService } from './reference-scoring.service.js';

/** ReferenceService: per-token log-probs of completions under the frozen reference model. */
@GrpcService(ReferenceService)
export class ReferenceController implements ServiceImpl<typeof ReferenceService> {
  constructor(private readonly scoring: ReferenceScoringService) {}

  computeLogprobs(request: ComputeLogprobsRequest, context: CallContext) {
    return this.scoring.computeLogprobs(request, { signal: context.signal, deadline: context.deadline });
  }
}
