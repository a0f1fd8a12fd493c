import { describe, expect, it } from 'vitest';
import { createBatch, MASKED_SCORE, ModelInputError } from '../src/index.js';
import { config, makeFrames, makeSequence } from './fixtures.js';

describe('createBatch', () => {
  const short = makeSequence('<video> how many?', '<answer>2</answer>', 1);
  const long = makeSequence(
    'watch <video> which way does the red ball move?',
    '<think>left</think><answer>A</answer>',
    2,
  );

  it('pads, masks and positions rows on either side', () => {
    const right = createBatch(config, [short, long]);
    const t = right.seqLen;
    expect(t).toBe(long.tokenIds.length);
    const n = short.tokenIds.length;
    expect(right.attentionMask[n - 1]).toBe(1);
    expect(right.attentionMask[n]).toBe(0);
    expect(right.tokenIds[n]).toBe(config.specialTokens.pad);
    expect(right.positions[n - 1]).toBe(n - 1);
    const left = createBatch(config, [short, long], { padSide: 'left' });
    const pad = t - n;
    expect(left.attentionMask[pad - 1]).toBe(0);
    expect(left.positions[pad]).toBe(0);
    expect(left.tokenIds[pad]).toBe(short.tokenIds[0]);
    expect(left.video?.spliceIndex[pad + short.videoStart]).toBe(2 * t); // first visual token of row 0
    // Row 0, query at its first real token: sees itself, not the padding before it.
    expect(left.attentionBias[pad * t + pad]).toBe(0);
    expect(left.attentionBias[pad * t + 0]).toBe(MASKED_SCORE);
    expect(left.attentionBias[pad * t + pad + 1]).toBe(MASKED_SCORE); // causal
  });

  it('names the row and field of bad input', () => {
    const outOfRange = { ...short, tokenIds: [...short.tokenIds.slice(0, -1), config.vocabSize] };
    expect(() => createBatch(config, [outOfRange])).toThrow(ModelInputError);
    expect(() => createBatch(config, [long, outOfRange])).toThrow(
      new RegExp(`sequences\\[1\\]\\.tokenIds\\[\\d+\\]: ${config.vocabSize} is not a token id`),
    );
    const tooLong = { ...short, tokenIds: new Array<number>(config.contextLength + 1).fill(9) };
    expect(() => createBatch(config, [tooLong])).toThrow(/exceeds contextLength/);
    expect(() => createBatch(config, [short, { tokenIds: [1, 9, 10], videoStart: -1 }])).toThrow(/all or none/);
    expect(() => createBatch(config, [{ ...short, frames: makeFrames(1, config.maxFrames + 1) }])).toThrow(
      /sequences\[0\]\.frames/,
    );
    expect(() => createBatch(config, [short, { ...long, frames: makeFrames(2, 1) }])).toThrow(/sequences\[1\]\.frames/);
    expect(() => createBatch(config, [{ ...short, videoStart: short.videoStart + 1 }])).toThrow(/videoStart/);
    expect(() => createBatch(config, [{ ...short, lossMask: [1] }])).toThrow(/lossMask/);
    expect(() => createBatch(config, [])).toThrow(/sequences: is empty/);
  });
});
