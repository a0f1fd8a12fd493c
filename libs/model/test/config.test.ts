import { describe, expect, it } from 'vitest';
import {
  countParameters,
  createModelConfig,
  headDim,
  kvDim,
  MODEL_PRESETS,
  ModelConfigError,
  parseModelConfig,
  queryGroupSize,
  visualTokensPerClip,
  weightSpecs,
  WORLD_PIXEL_NORMALISATION,
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

  it('shares K/V heads among query heads with numKvHeads (grouped-query attention)', () => {
    const small = createModelConfig('small', tokenizer);
    expect([small.numHeads, small.numKvHeads]).toEqual([8, 2]);
    expect([tiny.numHeads, tiny.numKvHeads]).toEqual([4, 4]);
    expect([headDim(small), kvDim(small), queryGroupSize(small)]).toEqual([64, 128, 4]);
    const byName = new Map(weightSpecs(small).map((spec) => [spec.name, spec.shape]));
    expect(byName.get('lm.blocks.0.attn.wq')).toEqual([512, 512]);
    expect(byName.get('lm.blocks.0.attn.wk')).toEqual([512, 128]);
    expect(byName.get('lm.blocks.7.attn.wv')).toEqual([512, 128]);
    expect(byName.get('lm.blocks.0.attn.wo')).toEqual([512, 512]);
    expect(byName.get('vision.blocks.0.attn.wk')).toEqual([256, 256]); // the vision encoder stays multi-head
    const multiHead = parseModelConfig({ ...small, numKvHeads: 8 });
    expect(countParameters(multiHead) - countParameters(small)).toBe(8 * 2 * 512 * (512 - 128));
    // A preset without numKvHeads follows an overridden numHeads; one with it keeps its own.
    expect(createModelConfig('tiny', tokenizer, { numHeads: 2 }).numKvHeads).toBe(2);
    expect(createModelConfig('small', tokenizer, { numHeads: 4 }).numKvHeads).toBe(2);
  });

  it('reads a config written before numKvHeads existed as multi-head attention', () => {
    const { numKvHeads, ...old } = tiny;
    expect(numKvHeads).toBe(4);
    const parsed = parseModelConfig(JSON.parse(JSON.stringify(old)));
    expect(parsed).toEqual(tiny);
    expect(weightSpecs(parsed)).toEqual(weightSpecs(tiny));
    // Written back, numKvHeads sits next to numHeads.
    const keys = Object.keys(parsed);
    expect(keys.indexOf('numKvHeads')).toBe(keys.indexOf('numHeads') + 1);
  });

  it('names numKvHeads when it does not divide numHeads or is not a positive integer', () => {
    expectFieldError({ numKvHeads: 3 }, 'numKvHeads'); // 4 query heads
    expectFieldError({ numKvHeads: 8 }, 'numKvHeads');
    expectFieldError({ numKvHeads: 0 }, 'numKvHeads');
    expectFieldError({ numKvHeads: 1.5 }, 'numKvHeads');
    expectFieldError({ numKvHeads: null }, 'numKvHeads');
    expectFieldError({ numKvHeads: '2' }, 'numKvHeads');
    expect(() => createModelConfig('small', tokenizer, { numHeads: 4, numKvHeads: 3 })).toThrow(/numKvHeads.*divide/);
    expect(parseModelConfig({ ...tiny, numKvHeads: 1 }).numKvHeads).toBe(1);
  });

  it('normalises pixels with the world statistics in the presets, and reads an older config as 0.5/0.5', () => {
    for (const config of [tiny, createModelConfig('small', tokenizer)]) {
      expect(config.pixelMean).toEqual([...WORLD_PIXEL_NORMALISATION.mean]);
      expect(config.pixelStd).toEqual([...WORLD_PIXEL_NORMALISATION.std]);
    }
    const { pixelMean: _m, pixelStd: _s, ...old } = tiny;
    const parsed = parseModelConfig(JSON.parse(JSON.stringify(old)));
    expect(parsed.pixelMean).toEqual([0.5, 0.5, 0.5]);
    expect(parsed.pixelStd).toEqual([0.5, 0.5, 0.5]);
    expect(weightSpecs(parsed)).toEqual(weightSpecs(tiny)); // normalisation has no weights
    expect(parseModelConfig(JSON.parse(JSON.stringify(tiny)))).toEqual(tiny); // round trip
  });

  it('names pixelMean or pixelStd when they are not three finite numbers (std positive)', () => {
    expectFieldError({ pixelMean: [0.5, 0.5] }, 'pixelMean');
    expectFieldError({ pixelMean: [0.5, 0.5, Number.NaN] }, 'pixelMean');
    expectFieldError({ pixelMean: '0.5' }, 'pixelMean');
    expectFieldError({ pixelStd: [0.5, 0, 0.5] }, 'pixelStd');
    expectFieldError({ pixelStd: [0.5, -1, 0.5] }, 'pixelStd');
    expectFieldError({ pixelStd: null }, 'pixelStd');
    expect(parseModelConfig({ ...tiny, pixelMean: [-0.1, 0, 1.5] }).pixelMean).toEqual([-0.1, 0, 1.5]);
  });

  it('is frozen', () => {
    const config: ModelConfig = parseModelConfig({ ...tiny });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
