/**
 * Drawing the next token from one row of logits.
 *
 * Log-prob convention (what the learner receives as behaviour log-probs): the log-prob of the
 * drawn token under softmax(z/τ) over the whole vocabulary, before top-k/top-p truncation; τ = 0
 * (greedy) reports it under softmax(z). Truncation is left out because it would make the importance
 * ratio of any token outside the kept set infinite; the method samples at τ = 1 without
 * truncation, where this is exactly the sampling distribution. Scoring mode with the same τ
 * returns the same numbers for the same sequence.
 */
import { type SamplingRng } from './rng.js';

/** The parameters the sampler reads. */
export interface SamplerParams {
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
}

/** A drawn token and its log-prob (see the convention above). */
export interface SampledToken {
  readonly token: number;
  readonly logprob: number;
}

/**
 * log-softmax(z/τ) of logits[offset, offset+size) (τ = 0 counts as 1):
 * log p_i = z_i/τ − max(z/τ) − log Σ_j exp(z_j/τ − max(z/τ)). Computed in float64.
 */
export function logSoftmax(
  logits: Float32Array,
  offset: number,
  size: number,
  temperature: number,
  out: Float64Array = new Float64Array(size),
): Float64Array {
  const inverse = temperature > 0 ? 1 / temperature : 1;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const value = (logits[offset + i] as number) * inverse;
    out[i] = value;
    if (value > max) max = value;
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp((out[i] as number) - max);
  const shift = max + Math.log(sum);
  for (let i = 0; i < size; i++) out[i] = (out[i] as number) - shift;
  return out;
}

/**
 * Sets to −∞ the logits of tokens a completion must never contain (`<video>`, `<pad>`, `<bos>`):
 * a sampled `<video>` would have no visual token to splice in. Applied to sampling and scoring
 * alike, so their log-probs stay equal (the distribution is renormalised over the other tokens).
 */
export function maskUnsampledTokens(logits: Float32Array, offset: number, ids: readonly number[]): void {
  for (const id of ids) logits[offset + id] = Number.NEGATIVE_INFINITY;
}

/** Index of the largest logit (the first one on ties). */
export function argmax(logits: Float32Array, offset: number, size: number): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const value = logits[offset + i] as number;
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  }
  return best;
}

/**
 * The kept tokens under top-k then top-p, most likely first (ties by lower id). top-p keeps the
 * shortest prefix whose mass reaches p. Tokens below (1 − p)/V carry less than 1 − p in total,
 * so the nucleus lies among the others and only those are sorted.
 */
export function keptTokens(logprobs: Float64Array, topK: number, topP: number): number[] {
  const size = logprobs.length;
  const floor = topP < 1 ? Math.log((1 - topP) / size) : Number.NEGATIVE_INFINITY;
  let candidates: number[] = [];
  for (let i = 0; i < size; i++) if ((logprobs[i] as number) >= floor) candidates.push(i);
  const byLikelihood = (a: number, b: number): number => (logprobs[b] as number) - (logprobs[a] as number) || a - b;
  candidates.sort(byLikelihood);
  if (topK > 0 && topK < candidates.length) candidates = candidates.slice(0, topK);
  if (topP < 1) {
    let mass = 0;
    for (let n = 0; n < candidates.length; n++) {
      mass += Math.exp(logprobs[candidates[n] as number] as number);
      if (mass >= topP) return candidates.slice(0, n + 1);
    }
  }
  return candidates;
}

/**
 * The distribution tokens are drawn from: softmax(z/τ) restricted to the kept tokens and
 * renormalised (0 outside). For τ = 0, all mass on the argmax.
 */
export function samplingDistribution(logits: Float32Array, params: SamplerParams): Float64Array {
  const size = logits.length;
  const probs = new Float64Array(size);
  if (params.temperature === 0) {
    probs[argmax(logits, 0, size)] = 1;
    return probs;
  }
  const logprobs = logSoftmax(logits, 0, size, params.temperature);
  const kept = keptTokens(logprobs, params.topK, params.topP);
  let mass = 0;
  for (const i of kept) mass += Math.exp(logprobs[i] as number);
  for (const i of kept) probs[i] = Math.exp(logprobs[i] as number) / mass;
  return probs;
}

/**
 * Inverse CDF over the whole vocabulary with one exp per token: e_i = exp(z_i/τ − max), the
 * token where the running sum of e passes u·Σe, log p = z/τ − max − log Σe.
 */
function sampleFull(
  logits: Float32Array,
  offset: number,
  size: number,
  temperature: number,
  rng: SamplingRng,
  scratch: Float64Array,
): SampledToken {
  const inverse = 1 / temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) max = Math.max(max, (logits[offset + i] as number) * inverse);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const e = Math.exp((logits[offset + i] as number) * inverse - max);
    scratch[i] = e;
    sum += e;
  }
  const u = rng.nextFloat() * sum;
  let mass = 0;
  let token = size - 1;
  for (let i = 0; i < size; i++) {
    mass += scratch[i] as number;
    if (u < mass) {
      token = i;
      break;
    }
  }
  while (token > 0 && scratch[token] === 0) token -= 1; // u past the rounded total
  return { token, logprob: (logits[offset + token] as number) * inverse - max - Math.log(sum) };
}

/**
 * Draws the next token from logits[offset, offset+size) with the request's random stream.
 * `scratch` (length ≥ size) avoids an allocation per token.
 */
export function sampleToken(
  logits: Float32Array,
  offset: number,
  size: number,
  params: SamplerParams,
  rng: SamplingRng,
  scratch: Float64Array = new Float64Array(size),
): SampledToken {
  if (params.temperature === 0) {
    const logprobs = logSoftmax(logits, offset, size, 1, scratch);
    const token = argmax(logits, offset, size);
    return { token, logprob: logprobs[token] as number };
  }
  if (params.topK === 0 && params.topP >= 1) return sampleFull(logits, offset, size, params.temperature, rng, scratch);
  const logprobs = logSoftmax(logits, offset, size, params.temperature, scratch);
  const kept = keptTokens(logprobs.subarray(0, size), params.topK, params.topP);
  let total = 0;
  for (const i of kept) total += Math.exp(logprobs[i] as number);
  const u = rng.nextFloat() * total;
  let mass = 0;
  for (const i of kept) {
    mass += Math.exp(logprobs[i] as number);
    if (u < mass) return { token: i, logprob: logprobs[i] as number };
  }
  const lastKept = kept[kept.length - 1] as number;
  return { token: lastKept, logprob: logprobs[lastKept] as number };
}
