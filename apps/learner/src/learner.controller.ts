import { type CallContext, GrpcService, type ServiceImpl } from '@vrft/grpc';
import { LearnerService, type StreamMetricsRequest } from '@vrft/proto';
import { GrpoLearner } from './grpo-learner.service.js';
import { LearnerState } from './learner-state.service.js';
import { MetricsHub } from './metrics-hub.service.js';

/** LearnerService: status, the per-step metrics stream and checkpoint-now; the work is in GrpoLearner. */
@GrpcService(LearnerService)
export class LearnerController implements ServiceImpl<typeof LearnerService> {
  constructor(
    private readonly state: LearnerState,
    private readonly hub: MetricsHub,
    private readonly learner: GrpoLearner,
  ) {}

  getStatus() {
    const { runId, phase, step, rolloutGroupsConsumed, rolloutGroupsDroppedStale, weightsVersion, lastCheckpoint } =
      this.state;
    return { runId, phase, step, rolloutGroupsConsumed, rolloutGroupsDroppedStale, weightsVersion, lastCheckpoint };
  }

  async *streamMetrics(request: StreamMetricsRequest, context: CallContext) {
    this.learner.requireRun(request.runId);
    for await (const metrics of this.hub.follow(context.signal)) yield { metrics };
  }

  async createCheckpoint() {
    return { checkpoint: await this.learner.checkpointNow() };
  }
}
