/**
 * @vrft/dual-encoder — the SigLIP-style image/text encoder pair behind R_s (method.md §4):
 * trained by the project with the sigmoid contrastive loss on (frame, description) pairs of the
 * synthetic world in TensorFlow.js, exported to ONNX with @vrft/engine-ort's GraphBuilder, and
 * run on onnxruntime-node in worker threads; the same adapter loads external SigLIP-style ONNX
 * exports (Unigram tokenizer.json, preprocessing from their side files).
 */
export {
  EncoderCancelledError,
  EncoderInputError,
  EncoderLoadError,
  EncoderOptionsError,
  EncoderRunError,
} from './errors.js';
export {
  DEFAULT_ENCODER_SIZES,
  parseEncoderConfig,
  patchCount,
  type DualEncoderConfig,
  type DualEncoderConfigInput,
} from './encoder-config.js';
export {
  checkEncoderWeights,
  encoderWeightSpecs,
  initEncoderWeights,
  INITIAL_LOGIT_BIAS,
  INITIAL_LOGIT_SCALE,
  type EncoderWeights,
  type EncoderWeightSpec,
} from './encoder-weights.js';
export { describeFrame } from './frame-description.js';
export { generateFramePairs, type FramePairOptions, type FramePairs } from './frame-pairs.js';
export {
  patchify,
  toPixelValues,
  tokenizeTexts,
  truncateToTokens,
  type PixelSettings,
  type TextTokenizer,
} from './preprocess.js';
export {
  batchLossTf,
  encodeImagesTf,
  encodeTextsTf,
  l2NormalizeTf,
  sigmoidLossTf,
  type TensorWeights,
} from './tfjs-encoder.js';
export { embedFramesTf, embedTextsTf } from './tfjs-embed.js';
export { measureRetrieval, type DirectionAccuracy, type RetrievalAccuracy } from './retrieval.js';
export { parseTrainEncoderOptions, type TrainEncoderOptions, type TrainEncoderOptionsInput } from './train-options.js';
export {
  trainDualEncoder,
  WORLD_PIXEL_STATS,
  type TrainedEncoder,
  type TrainHooks,
  type TrainProgress,
} from './train-encoder.js';
export {
  buildTextGraph,
  buildVisionGraph,
  ENCODER_IO,
  ENCODER_METADATA_KEY,
  exportEncoderOnnx,
  type EncoderOnnx,
  type ExportIoNames,
} from './onnx-export.js';
export {
  ENCODER_FILES,
  loadEncoderCheckpoint,
  readEncoderManifest,
  saveEncoderCheckpoint,
  type EncoderCheckpoint,
  type EncoderManifest,
} from './encoder-checkpoint.js';
export {
  DEFAULT_IO_NAMES,
  MAX_ENCODER_WORKERS,
  parseOnnxEncoderOptions,
  type EncoderIoNames,
  type OnnxEncoderOptions,
  type OnnxEncoderOptionsInput,
} from './encoder-options.js';
export { MICRO_ENCODER_SIZES, writeSeededEncoder, type SeededEncoderOptions } from './seeded-encoder.js';
export { type EncoderWorkerInfo } from './graph-runner.js';
export { OnnxDualEncoder, type DualEncoder, type EncodeOptions } from './onnx-dual-encoder.js';
