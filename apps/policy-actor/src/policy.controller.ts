import { GrpcService, type ServiceImpl, unimplemented } from '@vrft/grpc';
import { PolicyService, WeightsState } from '@vrft/proto';

/**
 * PolicyService: rollouts with the current policy weights. No weights can be
 * loaded before the inference engine exists (issue #3), so the status is EMPTY.
 */
@GrpcService(PolicyService)
export class PolicyController implements ServiceImpl<typeof PolicyService> {
  generateRollouts(): never {
    throw unimplemented('PolicyService.GenerateRollouts', 'the inference engine arrives with issue #3');
  }

  getWeightsStatus() {
    return { state: WeightsState.EMPTY };
  }

  loadWeights(): never {
    throw unimplemented('PolicyService.LoadWeights', 'weights loading arrives with issue #3');
  }
}
