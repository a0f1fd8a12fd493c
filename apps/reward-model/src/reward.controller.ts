import { type CallContext, GrpcService, type ServiceImpl } from '@vrft/grpc';
import { RewardService, type ScoreRequest, type ScoreStreamRequest } from '@vrft/proto';
import { RewardScoringService } from './reward-scoring.service.js';

/** RewardService: format, accuracy and semantic-consistency rewards of groups of completions. */
@GrpcService(RewardService)
export class RewardController implements ServiceImpl<typeof RewardService> {
  constructor(private readonly scoring: RewardScoringService) {}

  score(request: ScoreRequest, context: CallContext) {
    return this.scoring.score(request, context.signal);
  }

  async *scoreStream(requests: AsyncIterable<ScoreStreamRequest>, context: CallContext) {
    for await (const message of requests) {
      if (message.request) yield { response: await this.scoring.score(message.request, context.signal) };
      else yield { response: { rewards: [] } };
    }
  }
}
