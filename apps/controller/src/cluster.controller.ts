import { type CallContext, GrpcService, type ServiceImpl, unimplemented } from '@vrft/grpc';
import { ClusterService, type GetRunRequest, type ListRunsRequest, type WatchRunRequest } from '@vrft/proto';
import { RunRegistry } from './run-registry.service.js';

/**
 * ClusterService: reads and watches the run registry. Launching and stopping
 * runs needs the actor-learner cluster (roadmap step 7) and says so.
 */
@GrpcService(ClusterService)
export class ClusterController implements ServiceImpl<typeof ClusterService> {
  constructor(private readonly registry: RunRegistry) {}

  launchRun(): never {
    throw unimplemented(
      'ClusterService.LaunchRun',
      'launching runs arrives with the actor-learner cluster (roadmap step 7)',
    );
  }

  async getRun(request: GetRunRequest) {
    return { run: await this.registry.get(request.runId) };
  }

  listRuns(request: ListRunsRequest) {
    return this.registry.list(request.pageSize, request.pageToken);
  }

  async *watchRun(request: WatchRunRequest, context: CallContext) {
    for await (const run of this.registry.watch(request.runId, context.signal))
      yield { event: { case: 'run' as const, value: run } };
  }

  stopRun(): never {
    throw unimplemented(
      'ClusterService.StopRun',
      'stopping runs arrives with the actor-learner cluster (roadmap step 7)',
    );
  }
}
