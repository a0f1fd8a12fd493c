/** Shared test fixtures: a small tokenizer, a config far smaller than `tiny`, batches. */
import {
  LEGACY_PIXEL_NORMALISATION,
  MICRO_MODEL_SIZES,
  buildInputSequence,
  createModelConfig,
  visualTokensPerClip,
  type ModelConfig,
} from '@vrft/model';
import { trainBpe, type Tokenizer } from '@vrft/tokenizer';
import { createBatch, type BatchSequence, type ModelBatch } from '../src/index.js';

const CORPUS = [
  'a red ball moves left and bounces off the wall',
  'the blue square enters from the right, then the counter shows 42',
  'how many objects are visible at the end of the video?',
  '<think>the ball moves left</think><answer>A</answer>',
];

/** A tokenizer trained on a few sentences (vocabulary 300). */
export const tokenizer: Tokenizer = trainBpe(CORPUS, { vocabSize: 300 });

/**
 * The test frames are uniform noise over 0–255, which the legacy 0.5/0.5 normalisation maps onto
 * [−1, 1]; the presets' world statistics would stretch them to 3.8 and roughen the loss that the
 * gradient checks probe by central differences. (Parity of both normalisations: engine-ort tests.)
 */
const NOISE_NORMALISATION = { pixelMean: LEGACY_PIXEL_NORMALISATION.mean, pixelStd: LEGACY_PIXEL_NORMALISATION.std };

/** A config far smaller than tiny: D 16, 2 layers, 8×8 frames of 4×4 patches pooled 2×2. */
export const config: ModelConfig = createModelConfig('tiny', tokenizer, {
  ...MICRO_MODEL_SIZES,
  ...NOISE_NORMALISATION,
  pool: 2,
});

/**
 * The same with grouped-query attention: 4 query heads (Dh 4) sharing 2 K/V heads. Same
 * visual tokens per clip as `config`, so makeSequence serves both.
 */
export const gqaConfig: ModelConfig = createModelConfig('tiny', tokenizer, {
  ...MICRO_MODEL_SIZES,
  ...NOISE_NORMALISATION,
  pool: 2,
  numHeads: 4,
  numKvHeads: 2,
});

/** Deterministic frames: pixel values from a seed. */
export function makeFrames(seed: number, frames = config.frames): Uint8Array {
  const data = new Uint8Array(frames * config.imageHeight * config.imageWidth * 3);
  let state = seed * 2654435761;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return data;
}

/** A prompt with video plus a completion whose tokens are the loss targets. */
export function makeSequence(prompt: string, completion: string, frameSeed: number): BatchSequence {
  const input = buildInputSequence(tokenizer, prompt, visualTokensPerClip(config));
  const answer = tokenizer.encode(completion);
  const tokenIds = [...input.tokenIds, ...answer];
  const lossMask = tokenIds.map((_, i) => (i >= input.tokenIds.length ? 1 : 0));
  return { tokenIds, videoStart: input.videoStart, lossMask, frames: makeFrames(frameSeed) };
}

/** Two sequences of different lengths, right-padded. */
export function makeBatch(batchConfig: ModelConfig = config): ModelBatch {
  return createBatch(batchConfig, [
    makeSequence('<video> how many objects?', '<answer>2</answer>', 1),
    makeSequence('watch <video> which way does the red ball move?', '<think>left</think><answer>A</answer>', 2),
  ]);
}
