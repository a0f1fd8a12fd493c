import { describe, expect, it } from 'vitest';
import { plainPrompt, reasoningPrompt, sampleModelFrames, tokenizeExample } from '@vrft/learner-core';
import { createModelConfig, visualTokensPerClip } from '@vrft/model';
import { trainBpe } from '@vrft/tokenizer';
import { MICRO_MODEL } from './fixtures.js';

describe('training examples', () => {
  const tokenizer = trainBpe(['How many circles appear in the video?', '<answer>3</answer>', 'Answer the question'], {
    vocabSize: 300,
  });
  const config = createModelConfig('tiny', tokenizer, MICRO_MODEL);
  const frames = new Uint8Array(config.frames * 64 * 64 * 3);
  const sample = { problem: 'How many circles appear in the video?', problem_type: 'numerical' as const, options: [] };

  it('masks the prompt and the visual positions; learns the completion and its <eos>', () => {
    const example = tokenizeExample(tokenizer, config, {
      promptText: plainPrompt(sample),
      completionText: '<answer>3</answer>',
      frames,
    });
    expect(example).toBeDefined();
    const { tokenIds, lossMask, promptLength, videoStart } = example!;
    expect(tokenIds.slice(videoStart, videoStart + visualTokensPerClip(config))).toEqual(
      new Array(visualTokensPerClip(config)).fill(config.specialTokens.video),
    );
    expect(lossMask.slice(0, promptLength).every((m) => m === 0)).toBe(true);
    expect(lossMask.slice(promptLength).every((m) => m === 1)).toBe(true);
    expect(tokenIds.at(-1)).toBe(config.specialTokens.eos);
    expect(tokenizer.decode(tokenIds.slice(promptLength, -1))).toBe('<answer>3</answer>');
  });

  it('trains on the prompt text when asked, never on <bos> or visual tokens', () => {
    const example = tokenizeExample(
      tokenizer,
      config,
      { promptText: reasoningPrompt(sample), completionText: 'x', frames },
      { trainOnPrompt: true },
    )!;
    expect(example.lossMask[0]).toBe(0);
    const visual = example.lossMask.slice(example.videoStart, example.videoStart + visualTokensPerClip(config));
    expect(visual.every((m) => m === 0)).toBe(true);
    expect(example.lossMask.slice(example.videoStart + visualTokensPerClip(config)).every((m) => m === 1)).toBe(true);
  });

  it('gives undefined for an example longer than the limit', () => {
    expect(
      tokenizeExample(
        tokenizer,
        config,
        { promptText: plainPrompt(sample), completionText: 'x', frames },
        {
          trainOnPrompt: false,
          maxLength: 10,
        },
      ),
    ).toBeUndefined();
  });

  it('samples frames uniformly and resizes by nearest pixel', () => {
    // 4 frames of 2×2, frame f filled with value f·10.
    const source = new Uint8Array(4 * 2 * 2 * 3).map((_, i) => Math.floor(i / 12) * 10);
    const out = sampleModelFrames({ data: source, shape: [4, 2, 2, 3] }, 2, 4, 4);
    expect(out.length).toBe(2 * 4 * 4 * 3);
    expect(out[0]).toBe(10); // frame ⌊0.5·4/2⌋ = 1
    expect(out[out.length - 1]).toBe(30); // frame ⌊1.5·4/2⌋ = 3
  });
});
