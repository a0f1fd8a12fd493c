/**
 * @vrft/rl — the GRPO math of method.md §5, in one place and with the paper's symbols:
 * group advantages, the k3 KL to the reference, the clipped and unclipped policy terms,
 * sequence-mean and token-mean aggregation, truncated importance weights for stale rollouts,
 * and the training metrics.
 *
 * Two layers with the same equations: plain Float64 reference functions (grpo-reference.ts,
 * the place to read and check the math) and TensorFlow.js ops through which gradients flow
 * (grpo-tf.ts, what the learner calls). No I/O; the tf backend is the caller's choice.
 */
export { GrpoConfigError, GrpoGradientError, GrpoInputError } from './errors.js';
export { assertGrpoGradientsRegistered, findMissingGradients, GRPO_LOSS_GRADIENT_KERNELS } from './gradient-kernels.js';
export {
  DEFAULT_GRPO_CONFIG,
  type GrpoConfig,
  type GrpoConfigInput,
  LOSS_AGGREGATIONS,
  type LossAggregation,
  parseGrpoConfig,
  POLICY_OBJECTIVES,
  type PolicyObjective,
} from './grpo-config.js';
export {
  type AdvantageOptions,
  computeBatchAdvantages,
  computeGroupAdvantages,
  computeGroupStats,
  type GroupStats,
} from './advantages.js';
export { GRPO_METRIC_GLOSSARY, type GrpoMetrics } from './grpo-metrics.js';
export {
  aggregateTokenValues,
  computeAggregationWeights,
  computeGrpoGradientReference,
  computeGrpoLossReference,
  computeImportanceWeight,
  computeK3Kl,
  computeMaskedEntropy,
  computePolicyTerm,
  computeTokenEntropy,
  type GrpoLossConfig,
  type GrpoReferenceInputs,
  type GrpoReferenceResult,
  type PolicyTerm,
  type TokenRows,
} from './grpo-reference.js';
export {
  aggregateTokenLosses,
  computeGrpoLoss,
  computeTokenEntropies,
  computeTokenEntropiesFromLogProbs,
  type GrpoLossOutput,
  type GrpoLossTensors,
  type GrpoMetricTensors,
  readGrpoMetrics,
  stopGradient,
} from './grpo-tf.js';
