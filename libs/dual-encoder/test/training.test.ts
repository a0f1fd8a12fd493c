import { describe, expect, it } from 'vitest';
import { generateClip, parseSyntheticOptions } from '@vrft/data';
import {
  EncoderOptionsError,
  describeFrame,
  measureRetrieval,
  parseTrainEncoderOptions,
  trainDualEncoder,
} from '@vrft/dual-encoder';

describe('frame descriptions', () => {
  it('name every visible object, the sign and the counter from the scene graph', () => {
    const clip = generateClip('train', 2, parseSyntheticOptions({}));
    const frame = clip.scene.frames[0];
    const text = describeFrame(clip.scene, 0);
    for (const o of frame?.objects.filter((s) => s.visible) ?? []) expect(text).toContain(o.colour);
    expect(text).toContain(`The sign reads ${frame?.sign.trim() ?? ''}`);
    expect(text).toMatch(/the counter shows \d+\.$/);
    expect(() => describeFrame(clip.scene, clip.scene.frameCount)).toThrow(RangeError);
  });
});

describe('retrieval accuracy', () => {
  it('is perfect for matching directions and counts ties against the query', () => {
    const eye = [0, 1, 2].map((i) => Float32Array.from([0, 1, 2], (j) => (i === j ? 1 : 0)));
    expect(measureRetrieval(eye, eye).textToFrame).toEqual({ top1: 1, top5: 1, meanRank: 1 });
    const same = [0, 1, 2].map(() => Float32Array.of(1, 1));
    const collapsed = measureRetrieval(same, same);
    expect(collapsed.textToFrame.top1).toBe(0);
    expect(collapsed.frameToText.meanRank).toBe(3);
  });
});

describe('training', () => {
  it('names bad options', () => {
    expect(() => parseTrainEncoderOptions({ batchSize: 9, trainClips: 4 })).toThrow(/batchSize/);
    expect(() => parseTrainEncoderOptions({ optimizer: { learningRate: -1 } })).toThrow(EncoderOptionsError);
    expect(() => parseTrainEncoderOptions({ sizes: { depth: 3 } as never })).toThrow(/sizes\.depth/);
  });

  it('runs steps with progress and returns weights, tokenizer and held-out retrieval', async () => {
    const steps: number[] = [];
    const trained = await trainDualEncoder(
      {
        sizes: {
          imageSize: 16,
          patchSize: 4,
          visionDim: 16,
          textDim: 16,
          visionLayers: 1,
          textLayers: 1,
          embedDim: 8,
          maxTextTokens: 32,
        },
        tokenizerVocabSize: 320,
        trainClips: 6,
        framesPerClip: 2,
        evalClips: 4,
        steps: 3,
        batchSize: 4,
        backendOrder: ['cpu'],
      },
      { onProgress: (p) => steps.push(p.step) },
    );
    expect(steps).toEqual([1, 2, 3]);
    expect(trained.losses.every(Number.isFinite)).toBe(true);
    expect(trained.retrieval.pairs).toBe(4);
    expect(trained.weights.get('logit_bias')?.[0]).not.toBe(-10); // balanced from the first batch, then trained
    expect(trained.config.vocabSize).toBe(trained.tokenizer.vocabSize);
  });
});
