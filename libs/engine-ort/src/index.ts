/**
 * @vrft/engine-ort — the onnxruntime inference engine: the project's own ONNX export of the
 * model (vision, prefill and decode graphs), sessions in worker threads, continuous batching
 * over a slot KV cache with streaming, cancellation and deadlines, batched sampling, scoring,
 * and weight hot-swap.
 */
export {
  CheckpointLoadError,
  DeadlineExceededError,
  EngineClosedError,
  EngineError,
  EngineOptionsError,
  ExecutionProviderError,
  InvalidInputError,
  QueueFullError,
  RequestCancelledError,
  SamplingParamsError,
  WorkerCrashError,
  type EngineErrorCode,
} from './errors.js';
export { DEFAULT_ENGINE_OPTIONS, parseEngineOptions, type EngineOptions } from './engine/engine-options.js';
export { type LoadedModel, type ModelSource } from './engine/model-source.js';
export { type GenerateOptions } from './engine/call-control.js';
export {
  OrtEngine,
  randomSeed,
  type EngineStepStats,
  type GenerationEvent,
  type SeedSource,
  type VersionedResults,
} from './engine/ort-engine.js';
export {
  buildOnnxModels,
  EXTERNAL_WEIGHTS_FILE,
  exportOnnx,
  GRAPH_NAMES,
  ONNX_OPSET,
  type ExportedOnnx,
  type GraphName,
} from './export/export-onnx.js';
export { LM_IO } from './export/lm-graphs.js';
export { VISION_IO } from './export/vision-graph.js';
export { GraphBuilder } from './onnx/graph-builder.js';
export { locateWorkerScript, workerExecArgv } from './worker/worker-script.js';
export { encodeOnnxModel, type OnnxModel } from './onnx/onnx-proto.js';
export { type ExecutionProvider } from './runtime/model-sessions.js';
export {
  type ClipFrames,
  type Completion,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type ScoreRequest,
  type ScoreResult,
} from './runtime/requests.js';
export { createSamplingRng, deriveSampleSeed, type SamplingRng } from './sampling/rng.js';
export {
  argmax,
  keptTokens,
  logSoftmax,
  sampleToken,
  samplingDistribution,
  type SampledToken,
} from './sampling/sampler.js';
export {
  DEFAULT_SAMPLING_PARAMS,
  parseSamplingParams,
  type SamplingParams,
  type SamplingParamsInput,
} from './sampling/sampling-params.js';
