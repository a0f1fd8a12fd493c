/**
 * A checkpoint with seeded random weights and a tokenizer trained on a small corpus: its
 * answers are gibberish, but every serving and scoring path (video, prefill, batching,
 * streaming, limits) runs on it exactly as on a trained model. Tests, benchmarks and the
 * local stack use it before a trained checkpoint exists.
 */
import { type Tokenizer, trainBpe } from '@vrft/tokenizer';
import { createModelConfig, type ModelConfig, type ModelPresetSizes } from './config.js';
import { saveCheckpoint } from './checkpoint.js';
import { initWeights } from './init-weights.js';
import type { ModelWeights } from './weight-specs.js';

/** What random checkpoint to write. */
export interface RandomCheckpointOptions {
  /** Size preset. Default 'tiny'. */
  readonly preset: 'tiny' | 'small';
  /** Overrides of the preset's sizes (tests use far smaller ones). */
  readonly sizes: Partial<ModelPresetSizes>;
  /** Seed of the weights. Default 1. */
  readonly seed: number;
  /** Tokenizer vocabulary. Default 512. */
  readonly vocabSize: number;
  /** Extra tokenizer training text (e.g. the prompt template's wording). */
  readonly corpus: readonly string[];
}

/**
 * The smallest sizes the tests use (D 16, 2 layers, 8×8 frames of 4×4 patches): unit tests of
 * the model, both engines and the apps build on these so their numbers stay comparable.
 */
export const MICRO_MODEL_SIZES: Partial<ModelPresetSizes> = {
  dModel: 16,
  numLayers: 2,
  numHeads: 2,
  mlpHidden: 24,
  frames: 2,
  maxFrames: 3,
  imageHeight: 8,
  imageWidth: 8,
  patchSize: 4,
  pool: 1,
  visionDim: 12,
  visionLayers: 1,
  visionHeads: 2,
  visionMlpHidden: 16,
  contextLength: 64,
};

/**
 * A micro model that keeps the `tiny` preset's 64×64 frames (2 of them → 8 visual tokens), so
 * the synthetic world's clips feed it unchanged: the learner's and the CLI's training tests.
 */
export const MICRO_VIDEO_MODEL_SIZES: Partial<ModelPresetSizes> = {
  dModel: 32,
  numLayers: 1,
  numHeads: 2,
  mlpHidden: 64,
  frames: 2,
  maxFrames: 2,
  visionDim: 16,
  visionLayers: 1,
  visionHeads: 2,
  visionMlpHidden: 32,
  contextLength: 256,
};

/** Sizes far below `tiny`, for tests that start a server in well under a second. */
export const TEST_MODEL_SIZES: Partial<ModelPresetSizes> = {
  dModel: 32,
  numLayers: 2,
  numHeads: 2,
  mlpHidden: 64,
  frames: 2,
  maxFrames: 4,
  imageHeight: 16,
  imageWidth: 16,
  patchSize: 8,
  pool: 1,
  visionDim: 16,
  visionLayers: 1,
  visionHeads: 2,
  visionMlpHidden: 32,
  contextLength: 256,
};

const CORPUS = [
  'A red ball moves left and bounces off the wall. How many objects are visible at the end of the video?',
  'The blue square enters from the right, then the counter shows 42. What colour is the cube?',
  '<think>the ball moves left, then it stops near the wall</think><answer>A</answer>',
  '<think>two objects remain on screen</think><answer>2</answer>',
];

/** A random-weight model in memory: its config, weights and tokenizer. */
export function createRandomModel(options: Partial<RandomCheckpointOptions> = {}): {
  config: ModelConfig;
  weights: ModelWeights;
  tokenizer: Tokenizer;
} {
  const { preset, sizes, seed, vocabSize, corpus } = {
    preset: 'tiny' as const,
    sizes: {},
    seed: 1,
    vocabSize: 512,
    corpus: [],
    ...options,
  };
  const tokenizer = trainBpe([...CORPUS, ...corpus], { vocabSize });
  const config = createModelConfig(preset, tokenizer, sizes);
  return { config, weights: initWeights(config, seed), tokenizer };
}

/** Writes a random-weight checkpoint to `dir` and returns `dir`. */
export async function writeRandomCheckpoint(
  dir: string,
  options: Partial<RandomCheckpointOptions> = {},
): Promise<string> {
  await saveCheckpoint(dir, createRandomModel(options));
  return dir;
}
