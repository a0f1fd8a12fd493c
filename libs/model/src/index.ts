/**
 * @vrft/model — the model's contract in code (docs/model.md): config and presets, the weight
 * layout with seeded init, safetensors, checkpoint directories and input sequences. No tensor
 * library: both engines (tfjs training, onnxruntime serving) build on this.
 */
export {
  createModelConfig,
  headDim,
  kvDim,
  LEGACY_PIXEL_NORMALISATION,
  MODEL_PRESETS,
  WORLD_PIXEL_NORMALISATION,
  parseModelConfig,
  patchesPerFrame,
  queryGroupSize,
  unsampledTokenIds,
  visualTokensPerClip,
  visualTokensPerFrame,
  type ModelConfig,
  type ModelPresetName,
  type ModelPresetSizes,
  type ModelSpecialTokens,
  type TokenizerFacts,
} from './config.js';
export {
  CHECKPOINT_FILES,
  fromNamedTensors,
  loadCheckpoint,
  saveCheckpoint,
  toNamedTensors,
  type Checkpoint,
} from './checkpoint.js';
export {
  CheckpointError,
  InputSequenceError,
  ModelConfigError,
  SafetensorsError,
  WeightsMismatchError,
} from './errors.js';
export { INIT_STD, initWeights } from './init-weights.js';
export {
  buildInputSequence,
  DEFAULT_INPUT_SEQUENCE_OPTIONS,
  type InputSequence,
  type InputSequenceOptions,
  type SequenceTokenizer,
} from './input-sequence.js';
export { createSeededRandom, hashString, type SeededRandom } from './random.js';
export {
  decodeSafetensors,
  DEFAULT_SAFETENSORS_READ_OPTIONS,
  encodeSafetensors,
  type NamedTensor,
  type SafetensorsContent,
  type SafetensorsReadOptions,
} from './safetensors-codec.js';
export { readSafetensors, writeSafetensors } from './safetensors-file.js';
export {
  checkWeights,
  countParameters,
  shapeSize,
  weightKind,
  weightSpecs,
  type ModelWeights,
  type WeightKind,
  type WeightSpec,
} from './weight-specs.js';
export {
  type RandomCheckpointOptions,
  MICRO_MODEL_SIZES,
  MICRO_VIDEO_MODEL_SIZES,
  TEST_MODEL_SIZES,
  createRandomModel,
  writeRandomCheckpoint,
} from './random-checkpoint.js';
