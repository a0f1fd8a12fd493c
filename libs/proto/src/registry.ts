import type { DescFile, DescService } from '@bufbuild/protobuf';
import { file_vrft_bus_v1_bus } from './gen/vrft/bus/v1/bus_pb.js';
import { ClusterService, file_vrft_cluster_v1_cluster } from './gen/vrft/cluster/v1/cluster_pb.js';
import { file_vrft_common_v1_common } from './gen/vrft/common/v1/common_pb.js';
import { LearnerService, file_vrft_learner_v1_learner } from './gen/vrft/learner/v1/learner_pb.js';
import { PolicyService, file_vrft_policy_v1_policy } from './gen/vrft/policy/v1/policy_pb.js';
import { ReferenceService, file_vrft_reference_v1_reference } from './gen/vrft/reference/v1/reference_pb.js';
import { RewardService, file_vrft_reward_v1_reward } from './gen/vrft/reward/v1/reward_pb.js';
import { ReasoningService, file_vrft_serving_v1_reasoning } from './gen/vrft/serving/v1/reasoning_pb.js';

/** Every service of the contracts, for reflection and the docs. */
export const allServices: readonly DescService[] = [
  ReasoningService,
  PolicyService,
  ReferenceService,
  RewardService,
  LearnerService,
  ClusterService,
];

/** Every proto file of the contracts. */
export const allFiles: readonly DescFile[] = [
  file_vrft_common_v1_common,
  file_vrft_serving_v1_reasoning,
  file_vrft_policy_v1_policy,
  file_vrft_reference_v1_reference,
  file_vrft_reward_v1_reward,
  file_vrft_learner_v1_learner,
  file_vrft_cluster_v1_cluster,
  file_vrft_bus_v1_bus,
];
