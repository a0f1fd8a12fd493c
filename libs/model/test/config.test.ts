import { describe, expect, it } from 'vitest';
import {
  countParameters,
  createModelConfig,
  MODEL_PRESETS,
  ModelConfigError,
  parseModelConfig,
  visualTokensPerClip,
  weightSpecs,
  type ModelConfig,
} from '../src/index.js';
import { createTestTokenizer } from './fixtures.js';

const tokenizer = createTestTokenizer();
const tiny = createModelConfig('tiny', tokenizer);

function expectFieldError(change: Record<string, unknown>, field: string): void {
  const bad = { ...tiny, ...change };
  let caught: unknown;
  try {
    parseModelConfig(bad);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelConfigError);
  expect((caught as ModelConfigError).field).toBe(field);
  expect((caught as Error).message).toContain(field);
}

describe('model config', () => {
  it('validates both presets with the numbers of docs/model.md', () => {
    const small = createModelConfig('small', tokenizer);
    expect(visualTokensPerClip(tiny)).toBe(32);
    expect(visualTokensPerClip(small)).toBe(784);
    expect(tiny.vocabSize).toBe(tokenizer.vocabSize);
    expect(tiny.specialTokens.video).toBe(tokenizer.specialId('video'));
    expect(parseModelConfig(JSON.parse(JSON.stringify(small)))).toEqual(small);
    expect(Object.keys(MODEL_PRESETS)).toEqual(['tiny', 'small']);
  });

  it('names the field of every bad value', () => {
    expectFieldError({ numHeads: 3 }, 'dModel'); // 128 % 3
    expectFieldError({ dModel: 12, numHeads: 4 }, 'numHeads'); // head size 3 is odd
    expectFieldError({ visionHeads: 5 }, 'visionDim');
    expectFieldError({ imageHeight: 60 }, 'imageHeight');
    expectFieldError({ imageWidth: 65 }, 'imageWidth');
    expectFieldError({ pool: 3 }, 'pool');
    expectFieldError({ frames: 17 }, 'frames');
    expectFieldError({ contextLength: 64 }, 'contextLength'); // 16 frames × 4 tokens = 64
    expectFieldError({ mlpHidden: 0 }, 'mlpHidden');
    expectFieldError({ dModel: 1.5 }, 'dModel');
    expectFieldError({ vocabSize: '300' }, 'vocabSize');
    expectFieldError({ normEps: -1 }, 'normEps');
    expectFieldError({ ropeTheta: Number.NaN }, 'ropeTheta');
    expectFieldError({ hiddenSize: 3 }, 'hiddenSize');
    expectFieldError({ specialTokens: { ...tiny.specialTokens, video: 10_000 } }, 'specialTokens.video');
    expectFieldError({ specialTokens: { pad: 0, bos: 1, eos: 2 } }, 'specialTokens.video');
    expectFieldError({ specialTokens: undefined }, 'specialTokens');
    expect(() => parseModelConfig(null)).toThrow(ModelConfigError);
  });

  it('lays out the weights of docs/model.md', () => {
    const specs = weightSpecs(tiny);
    const byName = new Map(specs.map((spec) => [spec.name, spec.shape]));
    expect(byName.get('vision.patch_embed.weight')).toEqual([16 * 16 * 3, 96]);
    expect(byName.get('vision.pos_spatial')).toEqual([16, 96]);
    expect(byName.get('vision.pos_temporal')).toEqual([16, 96]);
    expect(byName.get('vision.blocks.1.mlp.w2')).toEqual([256, 96]);
    expect(byName.get('projector.fc1.weight')).toEqual([96, 128]);
    expect(byName.get('lm.embed.weight')).toEqual([tokenizer.vocabSize, 128]);
    expect(byName.get('lm.blocks.3.attn.wo')).toEqual([128, 128]);
    expect(byName.get('lm.blocks.3.mlp.w3')).toEqual([128, 352]);
    expect(byName.has('lm.blocks.4.attn.wq')).toBe(false);
    expect(specs.length).toBe(4 + 2 * 9 + 1 + 4 + 1 + 4 * 9 + 1);
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
    const perBlock = 4 * 128 * 128 + 3 * 128 * 352 + 2 * 128;
    expect(countParameters(tiny)).toBeGreaterThan(4 * perBlock);
  });

  it('is frozen', () => {
    const config: ModelConfig = parseModelConfig({ ...tiny });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
