/**
 * @vrft/engine-tfjs — the training engine: the model of docs/model.md in TensorFlow.js with its
 * loss and gradients, AdamW with clipping and a warm-up + cosine schedule, gradient accumulation,
 * and the backend chosen at start (tfjs-node-gpu → tfjs-node → wasm → cpu).
 */
export {
  DEFAULT_BACKEND_ORDER,
  parseBackendOptions,
  selectBackend,
  type BackendAttempt,
  type BackendCandidate,
  type BackendOptions,
  type BackendSelection,
} from './backend.js';
export {
  createBatch,
  DEFAULT_BATCH_OPTIONS,
  MASKED_SCORE,
  type BatchOptions,
  type BatchSequence,
  type BatchVideo,
  type ModelBatch,
} from './batch.js';
export { BackendUnavailableError, EngineOptionsError, GradientError, ModelInputError } from './errors.js';
export { GRADIENT_KERNELS, registerTrainingGradients } from './gradients.js';
export {
  completionLoss,
  countTargets,
  maskedNllSum,
  pickTokenLogProbs,
  sampledLogSoftmax,
  tokenLogProbs,
} from './loss.js';
export {
  createMatMulOps,
  MATMUL_MODES,
  matMulExplicit,
  swapLastAxes,
  type MatMulMode,
  type MatMulOps,
} from './matmul.js';
export {
  ATTENTION_PRODUCTS,
  DEFAULT_TFJS_MODEL_OPTIONS,
  parseTfjsModelOptions,
  TfjsModel,
  type AttentionProducts,
  type TfjsModelOptions,
} from './model.js';
export {
  adamWStep,
  DEFAULT_OPTIMIZER_OPTIONS,
  globalNormClipScale,
  isDecayed,
  learningRateAt,
  parseOptimizerOptions,
  type AdamMoments,
  type OptimizerOptions,
} from './optimizer.js';
export { Trainer, type OptimizerState, type TrainStepStats, type UpdateStats } from './trainer.js';
