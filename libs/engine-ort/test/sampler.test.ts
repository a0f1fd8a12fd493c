import { describe, expect, it } from 'vitest';
import { SamplingParamsError } from '../src/errors.js';
import { createSamplingRng, deriveSampleSeed } from '../src/sampling/rng.js';
import { keptTokens, logSoftmax, sampleFromProbs, sampleToken, samplingDistribution } from '../src/sampling/sampler.js';
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

/** The kept set by the definition: sort by likelihood (ties by lower id), top-k, shortest prefix reaching p. */
function keptBySorting(logprobs: Float64Array, topK: number, topP: number): number[] {
  let order = Array.from(logprobs.keys()).sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
  if (topK > 0) order = order.slice(0, topK);
  if (topP >= 1) return order;
  let mass = 0;
  for (let n = 0; n < order.length; n++) {
    mass += Math.exp(logprobs[order[n]!]!);
    if (mass >= topP) return order.slice(0, n + 1);
  }
  return order;
}

describe('truncation without sorting the vocabulary', () => {
  it('keeps the same tokens as sorting, with ties taken by lower id', () => {
    const rng = createSamplingRng(11);
    for (let trial = 0; trial < 300; trial++) {
      const size = 1 + (rng.nextUint32() % 300);
      // Few distinct values, so ties at the cut are common.
      const row = Float32Array.from({ length: size }, () => (rng.nextUint32() % 7) * 0.5);
      const logprobs = logSoftmax(row, 0, size, 1);
      const topK = rng.nextUint32() % 3 === 0 ? 0 : 1 + (rng.nextUint32() % size);
      const topP = rng.nextUint32() % 3 === 0 ? 1 : 0.05 + 0.9 * rng.nextFloat();
      expect(keptTokens(logprobs, topK, topP)).toEqual(keptBySorting(logprobs, topK, topP));
    }
  });

  it('draws from probabilities computed elsewhere with the truncated, renormalised frequencies', () => {
    const probs = Float32Array.from([8, 4, 2, 1, 1].map((x) => x / 16));
    const draw = (params: { temperature: number; topK: number; topP: number }, draws: number): number[] => {
      const rng = createSamplingRng(5);
      const scratch = new Float64Array(5);
      const counts = new Array<number>(5).fill(0);
      for (let i = 0; i < draws; i++) {
        const { token, logprob } = sampleFromProbs(probs, logits, 0, 5, params, rng, scratch);
        expect(logprob).toBeCloseTo(logSoftmax(logits, 0, 5, 1)[token] as number, 6);
        counts[token] = (counts[token] as number) + 1;
      }
      return counts.map((c) => c / draws);
    };
    const full = draw({ temperature: 1, topK: 0, topP: 1 }, 40000);
    [0.5, 0.25, 0.125, 0.0625, 0.0625].forEach((p, i) => expect(Math.abs(full[i]! - p)).toBeLessThan(0.01));
    const truncated = draw({ temperature: 1, topK: 3, topP: 0.7 }, 20000); // keeps tokens 0 and 1
    const expected = samplingDistribution(logits, { temperature: 1, topK: 3, topP: 0.7 });
    expected.forEach((p, i) => expect(Math.abs(truncated[i]! - p)).toBeLessThan(0.015));
    expect(truncated[2]! + truncated[3]! + truncated[4]!).toBe(0);
    // Greedy takes the argmax of the logits and reports log p of softmax(z).
    expect(draw({ temperature: 0, topK: 0, topP: 1 }, 10)).toEqual([1, 0, 0, 0, 0]);
  });

  it('renormalises over the tokens whose probability was zeroed (never-sampled tokens)', () => {
    const probs = Float32Array.from([0.5, 0.25, 0.25]);
    probs[0] = 0; // masked: the rest is renormalised, log p = log(0.25 / 0.5)
    const row = Float32Array.from([Number.NEGATIVE_INFINITY, 0, 0]);
    const rng = createSamplingRng(3);
    for (let i = 0; i < 50; i++) {
      const { token, logprob } = sampleFromProbs(
        probs,
        row,
        0,
        3,
        { temperature: 1, topK: 0, topP: 1 },
        rng,
        new Float64Array(3),
      );
      expect(token).not.toBe(0);
      expect(logprob).toBeCloseTo(Math.log(0.5), 12);
    }
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
