import { GrpcService, type ServiceImpl } from '@vrft/grpc';
import { RewardService, type ScoreRequest, type ScoreStreamRequest } from '@vrft/proto';
import { RewardScoringService } from './reward-scoring.service.js';

/** RewardService: format and accuracy rewards now; semantic consistency with the dual encoder (issue #5). */
@GrpcService(RewardService)
export class RewardController implements ServiceImpl<typeof RewardService> {
  constructor(private readonly scoring: RewardScoringService) {}

  score(request: ScoreRequest) {
    return this.scoring.score(request);
  }

  async *scoreStream(requests: AsyncIterable<ScoreStreamRequest>) {
    for await (const message of requests) {
      if (message.request) yield { response: this.scoring.score(message.request) };
      else yield { response: { rewards: [] } };
    }
  }
}
