import { describe, expect, it } from 'vitest';
import { SamplingParamsError } from '../src/errors.js';
import { createSamplingRng, deriveSampleSeed } from '../src/sampling/rng.js';
import { keptTokens, logSoftmax, sampleToken, samplingDistribution } from '../src/sampling/sampler.js';
import { parseSamplingParams } from '../src/sampling/sampling-params.js';
import { StopMatcher } from '../src/sampling/stop-matcher.js';

// A crafted distribution: softmax gives p ∝ [8, 4, 2, 1, 1] / 16.
const logits = Float32Array.from([8, 4, 2, 1, 1].map(Math.log));
const limits = { contextLength: 64, maxStopSequences: 4, maxStopLength: 16 };

function frequencies(params: { temperature: number; topK: number; topP: number }, draws: number, seed = 7): number[] {
  const rng = createSamplingRng(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) {
    const { token } = sampleToken(logits, 0, logits.length, params, rng);
    counts[token] = (counts[token] as number) + 1;
  }
  return counts.map((c) => c / draws);
}

describe('sampling rng', () => {
  it('is deterministic per seed and differs between seeds, including the high 32 bits', () => {
    const draw = (seed: bigint): number[] => {
      const rng = createSamplingRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42n)).toEqual(draw(42n));
    expect(draw(42n)).not.toEqual(draw(43n));
    expect(draw(42n)).not.toEqual(draw(42n + (1n << 40n)));
    expect(deriveSampleSeed(5n, 1)).not.toBe(deriveSampleSeed(5n, 2));
  });

  it('gives doubles in [0, 1) with mean near 1/2', () => {
    const rng = createSamplingRng(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
  });
});

describe('sampler', () => {
  it('log-softmax sums to one in probability and shifts by temperature', () => {
    const lp = logSoftmax(logits, 0, 5, 1);
    expect(Array.from(lp).reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 12);
    expect(Math.exp(lp[0] as number)).toBeCloseTo(0.5, 6);
    const hot = logSoftmax(logits, 0, 5, 2); // p ∝ sqrt([8, 4, 2, 1, 1])
    const norm = [8, 4, 2, 1, 1].map(Math.sqrt).reduce((a, b) => a + b);
    expect(Math.exp(hot[0] as number)).toBeCloseTo(Math.sqrt(8) / norm, 6);
  });

  it('greedy (temperature 0) picks the argmax and reports its log-prob under softmax(z)', () => {
    const rng = createSamplingRng(1);
    const row = Float32Array.from([0.1, 3, -2, 2.9]);
    const { token, logprob } = sampleToken(row, 0, 4, { temperature: 0, topK: 0, topP: 1 }, rng);
    expect(token).toBe(1);
    expect(logprob).toBeCloseTo(logSoftmax(row, 0, 4, 1)[1] as number, 12);
  });

  it('draws with the frequencies of softmax(z/τ) without truncation', () => {
    const f = frequencies({ temperature: 1, topK: 0, topP: 1 }, 40000);
    [0.5, 0.25, 0.125, 0.0625, 0.0625].forEach((p, i) => expect(Math.abs((f[i] as number) - p)).toBeLessThan(0.01));
  });

  it('top-k restricts the support to the k most likely tokens, renormalised', () => {
    const dist = samplingDistribution(logits, { temperature: 1, topK: 2, topP: 1 });
    [2 / 3, 1 / 3, 0, 0, 0].forEach((p, i) => expect(dist[i]).toBeCloseTo(p, 7));
    const f = frequencies({ temperature: 1, topK: 2, topP: 1 }, 20000);
    expect(f[2]! + f[3]! + f[4]!).toBe(0);
    expect(Math.abs(f[0]! - 2 / 3)).toBeLessThan(0.015);
  });

  it('top-p keeps the shortest prefix reaching p', () => {
    expect(keptTokens(logSoftmax(logits, 0, 5, 1), 0, 0.5)).toEqual([0]);
    expect(keptTokens(logSoftmax(logits, 0, 5, 1), 0, 0.6)).toEqual([0, 1]);
    expect(keptTokens(logSoftmax(logits, 0, 5, 1), 0, 0.8)).toEqual([0, 1, 2]);
    const f = frequencies({ temperature: 1, topK: 0, topP: 0.8 }, 20000);
    expect(f[3]! + f[4]!).toBe(0);
    expect(Math.abs(f[0]! - 0.5 / 0.875)).toBeLessThan(0.015);
    // top-k then top-p
    expect(keptTokens(logSoftmax(logits, 0, 5, 1), 1, 0.99)).toEqual([0]);
  });

  it('returns the log-prob of the drawn token under softmax(z/τ) before truncation', () => {
    const rng = createSamplingRng(9);
    const { token, logprob } = sampleToken(logits, 0, 5, { temperature: 0.7, topK: 2, topP: 1 }, rng);
    expect(logprob).toBeCloseTo(logSoftmax(logits, 0, 5, 0.7)[token] as number, 12);
  });
});

describe('sampling parameters', () => {
  it('fills defaults', () => {
    expect(parseSamplingParams({}, limits)).toMatchObject({ temperature: 1, topP: 1, topK: 0, maxNewTokens: 64 });
    expect(parseSamplingParams({}, { ...limits, contextLength: 512 }).maxNewTokens).toBe(128);
  });

  it.each([
    [{ temperature: -0.1 }, 'temperature'],
    [{ temperature: Number.NaN }, 'temperature'],
    [{ topP: 0 }, 'topP'],
    [{ topP: 1.5 }, 'topP'],
    [{ topK: -1 }, 'topK'],
    [{ topK: 1.5 }, 'topK'],
    [{ maxNewTokens: 0 }, 'maxNewTokens'],
    [{ maxNewTokens: 65 }, 'maxNewTokens'],
    [{ seed: -1 }, 'seed'],
    [{ seed: 1n << 64n }, 'seed'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ stop: [''] }, 'stop[0]'],
    [{ stop: ['x'.repeat(17)] }, 'stop[0]'],
  ])('rejects %o naming %s', (input, field) => {
    try {
      parseSamplingParams({ maxNewTokens: 8, ...input }, limits);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SamplingParamsError);
      expect((error as SamplingParamsError).field).toBe(field);
      expect((error as SamplingParamsError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('stop matcher', () => {
  const pieces = ['The', ' answer', ' is', '</', 'answer', '>', ' tail'];
  const decode = (ids: readonly number[]): string => ids.map((id) => pieces[id]).join('');

  it('finds a stop sequence spanning several tokens and cuts the text before it', () => {
    const matcher = new StopMatcher(['</answer>'], decode);
    const ids: number[] = [];
    let match;
    for (let id = 0; id < pieces.length && !match; id++) {
      ids.push(id);
      match = matcher.check(ids);
    }
    expect(ids.length).toBe(6);
    expect(match).toEqual({ stop: '</answer>', text: 'The answer is' });
  });

  it('reports the earliest of several stops', () => {
    const matcher = new StopMatcher(['is', 'answer'], decode);
    expect(matcher.check([0, 1, 2])).toEqual({ stop: 'answer', text: 'The ' });
  });
});
