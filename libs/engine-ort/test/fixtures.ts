/** Shared test fixtures: a small trained tokenizer, a config far smaller than `tiny`, weights. */
import { MICRO_MODEL_SIZES, createModelConfig, initWeights, type ModelConfig, type ModelWeights } from '@vrft/model';
import { trainBpe, type Tokenizer } from '@vrft/tokenizer';

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
export function createTestConfig(tokenizer: Tokenizer = createTestTokenizer(), contextLength = 64): ModelConfig {
  return createModelConfig('tiny', tokenizer, { ...MICRO_MODEL_SIZES, contextLength });
}

/**
 * Seeded weights with matrices scaled up from the init's std 0.02, so that logits are far from
 * uniform and numeric comparisons have something to compare.
 */
export function createTestWeights(config: ModelConfig, seed = 1, scale = 10): ModelWeights {
  const weights = initWeights(config, seed);
  for (const [name, data] of weights) {
    if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name.endsWith('norm.weight')) continue;
    for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) * scale;
  }
  return weights;
}
