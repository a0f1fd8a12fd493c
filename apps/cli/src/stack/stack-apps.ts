/** One app of the local stack. */
export interface StackApp {
  name: string;
  /** The gRPC service it serves. */
  service: string;
  /** Port used when the stack runs on fixed ports (--base-port). */
  portOffset: number;
  /** Gets the stack's NATS URL (VRFT_NATS__SERVERS); apps without a nats config section would reject it. */
  usesNats: boolean;
  /** The variable that names the model checkpoint the app loads, if it loads one. */
  checkpointVariable?: string;
}

/** Every deployable of apps/, in start order (dependencies first). */
export const stackApps: readonly StackApp[] = [
  { name: 'reward-model', service: 'vrft.reward.v1.RewardService', portOffset: 3, usesNats: false },
  {
    name: 'reference-model',
    service: 'vrft.reference.v1.ReferenceService',
    portOffset: 2,
    usesNats: false,
    checkpointVariable: 'VRFT_REFERENCE__CHECKPOINT',
  },
  { name: 'policy-actor', service: 'vrft.policy.v1.PolicyService', portOffset: 1, usesNats: false },
  { name: 'learner', service: 'vrft.learner.v1.LearnerService', portOffset: 4, usesNats: false },
  { name: 'controller', service: 'vrft.cluster.v1.ClusterService', portOffset: 5, usesNats: true },
  {
    name: 'reasoning-server',
    service: 'vrft.serving.v1.ReasoningService',
    portOffset: 0,
    usesNats: false,
    checkpointVariable: 'VRFT_MODEL__CHECKPOINT_DIR',
  },
];
