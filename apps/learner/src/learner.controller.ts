import { GrpcService, type ServiceImpl, unimplemented } from '@vrft/grpc';
import { LearnerService } from '@vrft/proto';
import { LearnerState } from './learner-state.service.js';

/** LearnerService: status now; metrics and checkpoints arrive with the learner loop (issue #6). */
@GrpcService(LearnerService)
export class LearnerController implements ServiceImpl<typeof LearnerService> {
  constructor(private readonly state: LearnerState) {}

  getStatus() {
    const { runId, phase, step, rolloutGroupsConsumed, rolloutGroupsDroppedStale } = this.state;
    return { runId, phase, step, rolloutGroupsConsumed, rolloutGroupsDroppedStale };
  }

  // eslint-disable-next-line require-yield
  async *streamMetrics(): AsyncGenerator<never> {
    throw unimplemented('LearnerService.StreamMetrics', 'training metrics arrive with the learner loop (issue #6)');
  }

  createCheckpoint(): never {
    throw unimplemented('LearnerService.CreateCheckpoint', 'checkpoints arrive with the learner loop (issue #6)');
  }
}
