/**
 * Public face of the contracts: every generated message, enum and service
 * descriptor of `proto/` (message and service names are unique across the
 * packages, so they are re-exported flat).
 * The files under `gen/` are written by `npm run generate`; never edit them.
 */
export * from './gen/vrft/common/v1/common_pb.js';
export * from './gen/vrft/serving/v1/reasoning_pb.js';
export * from './gen/vrft/policy/v1/policy_pb.js';
export * from './gen/vrft/reference/v1/reference_pb.js';
export * from './gen/vrft/reward/v1/reward_pb.js';
export * from './gen/vrft/learner/v1/learner_pb.js';
export * from './gen/vrft/cluster/v1/cluster_pb.js';
export * from './gen/vrft/bus/v1/bus_pb.js';
export { allServices, allFiles } from './registry.js';
