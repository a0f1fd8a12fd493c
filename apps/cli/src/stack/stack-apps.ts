/** One app of the local stack. */
export interface StackApp {
  name: string;
  /** The gRPC service it serves. */
  service: string;
  /** Port used when the stack runs on fixed ports (--base-port). */
  portOffset: number;
}

/** Every deployable of apps/, in start order (dependencies first). */
export const stackApps: readonly StackApp[] = [
  { name: 'reward-model', service: 'vrft.reward.v1.RewardService', portOffset: 3 },
  { name: 'reference-model', service: 'vrft.reference.v1.ReferenceService', portOffset: 2 },
  { name: 'policy-actor', service: 'vrft.policy.v1.PolicyService', portOffset: 1 },
  { name: 'learner', service: 'vrft.learner.v1.LearnerService', portOffset: 4 },
  { name: 'controller', service: 'vrft.cluster.v1.ClusterService', portOffset: 5 },
  { name: 'reasoning-server', service: 'vrft.serving.v1.ReasoningService', portOffset: 0 },
];
