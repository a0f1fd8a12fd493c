/**
 * Small encoder directories for tests and demos, as @vrft/model's writeRandomCheckpoint is for the
 * policy: seeded (untrained) weights written by the project's own exporter, so every consumer of
 * an encoder directory (reward-model, the local GRPO loop, the CLI) loads a real one in milliseconds.
 */
import { trainBpe } from '@vrft/tokenizer';
import { parseEncoderConfig, type DualEncoderConfig } from './encoder-config.js';
import { saveEncoderCheckpoint } from './encoder-checkpoint.js';
import { initEncoderWeights } from './encoder-weights.js';
import { generateFramePairs } from './frame-pairs.js';

/** Sizes far below the default, for tests: 16×16 frames, one 16-wide block per tower, 8-dim embeddings. */
export const MICRO_ENCODER_SIZES = Object.freeze({
  imageSize: 16,
  patchSize: 4,
  visionDim: 16,
  visionLayers: 1,
  visionHeads: 2,
  textDim: 16,
  textLayers: 1,
  textHeads: 2,
  embedDim: 8,
}) satisfies Partial<DualEncoderConfig>;

/** Options of writeSeededEncoder. */
export interface SeededEncoderOptions {
  /** Weight seed. */
  readonly seed: number;
  /** M: text positions. */
  readonly maxTextTokens: number;
  /** Tower weights are multiplied by this (untrained towers at init give near-equal embeddings; ×8 spreads them). Default 1. */
  readonly weightScale?: number;
  /** Synthetic train clips whose frame descriptions train the BPE tokenizer. Default 4. */
  readonly clips?: number;
  /** BPE vocabulary size. Default 320. */
  readonly vocabSize?: number;
  /** More texts for the tokenizer's corpus. */
  readonly extraTexts?: readonly string[];
  /** Sizes replacing MICRO_ENCODER_SIZES. */
  readonly sizes?: Partial<DualEncoderConfig>;
}

/** Writes a seeded encoder (ONNX, weights, tokenizer.json, encoder.json) to `dir`; returns `dir`. */
export async function writeSeededEncoder(dir: string, options: SeededEncoderOptions): Promise<string> {
  const sizes = { ...MICRO_ENCODER_SIZES, ...options.sizes };
  const pairs = generateFramePairs({
    split: 'train',
    clips: options.clips ?? 4,
    framesPerClip: 2,
    imageSize: sizes.imageSize,
  });
  const tokenizer = trainBpe([...pairs.texts, ...(options.extraTexts ?? [])], { vocabSize: options.vocabSize ?? 320 });
  const config = parseEncoderConfig({
    ...sizes,
    maxTextTokens: options.maxTextTokens,
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.specialId('pad'),
  });
  const weights = initEncoderWeights(config, options.seed);
  const scale = options.weightScale ?? 1;
  if (scale !== 1) {
    // The logit scale and bias keep their init: only the towers spread.
    for (const [name, data] of weights) if (!name.startsWith('logit')) data.forEach((v, i) => (data[i] = v * scale));
  }
  await saveEncoderCheckpoint(dir, { config, weights, tokenizer, metadata: { seed: options.seed } });
  return dir;
}
