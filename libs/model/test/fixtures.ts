/** Shared test fixtures: a small trained tokenizer and a config smaller than `tiny`. */
import { trainBpe, type Tokenizer } from '@vrft/tokenizer';
import { MICRO_MODEL_SIZES, createModelConfig, type ModelConfig } from '../src/index.js';

const CORPUS = [
  'a red ball moves left and bounces off the wall',
  'the blue square enters from the right, then the counter shows 42',
  'how many objects are visible at the end of the video?',
  '<think>the ball moves left</think><answer>A</answer>',
];

/** A tokenizer trained on a few sentences (vocabulary 300). */
export function createTestTokenizer(): Tokenizer {
  return trainBpe(CORPUS, { vocabSize: 300 });
}

/** A config far smaller than tiny, for fast tests. */
export function createTestConfig(tokenizer: Tokenizer = createTestTokenizer()): ModelConfig {
  return createModelConfig('tiny', tokenizer, MICRO_MODEL_SIZES);
}
