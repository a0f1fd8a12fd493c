/** Shared test fixtures: a tiny config and tokenizer over synthetic-world descriptions. */
import { trainBpe, type Tokenizer } from '@vrft/tokenizer';
import { generateFramePairs, parseEncoderConfig, type DualEncoderConfig, type FramePairs } from '@vrft/dual-encoder';

/** Pairs of 6 training clips at 16×16. */
export function createTestPairs(clips = 6, split: 'train' | 'validation' = 'train'): FramePairs {
  return generateFramePairs({ split, clips, framesPerClip: 2, imageSize: 16 });
}

/** A BPE tokenizer trained on the pairs' texts. */
export function createTestTokenizer(pairs: FramePairs = createTestPairs()): Tokenizer {
  return trainBpe(pairs.texts, { vocabSize: 320 });
}

/** A config far smaller than the default, for fast tests. */
export function createTestConfig(tokenizer: Tokenizer): DualEncoderConfig {
  return parseEncoderConfig({
    imageSize: 16,
    patchSize: 4,
    visionDim: 16,
    visionLayers: 1,
    visionHeads: 2,
    textDim: 16,
    textLayers: 1,
    textHeads: 2,
    embedDim: 8,
    maxTextTokens: 24,
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.specialId('pad'),
  });
}
