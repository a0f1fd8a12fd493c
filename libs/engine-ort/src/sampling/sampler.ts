/**
 * Drawing the next token from one row of logits.
 *
 * Log-prob convention (what the learner receives as behaviour log-probs): the log-prob of the
 * drawn token under softmax(z/τ) over the whole vocabulary, before top-k/top-p truncation; τ = 0
 * (greedy) reports it under softmax(z). Truncation is left out because it would make the importance
 * ratio of any token outside the kept set infinite; the method samples at τ = 1 without
 * truncation, where this is exactly the sampling distribution. Scoring mode with the same τ
 * returns the same numbers for the same sequence, up to rounding: decode steps take log p from
 * the decode graph's float32 softmax (sampleFromProbs), scoring computes it in float64.
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
export function maskUnsampledTokens(
  logits: Float32Array,
  offset: number,
  ids: readonly number[],
  value = Number.NEGATIVE_INFINITY, // 0 for probabilities
): void {
  for (const id of ids) logits[offset + id] = value;
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
 * The kept set of top-k then top-p over non-negative weights w (probabilities up to one common
 * factor) as a threshold: every token with w > `above`, plus the first `tiesKept` tokens (in id
 * order) with w = `above`. This is the set of the most likely tokens first, ties by lower id:
 * top-k keeps k of them, top-p the shortest prefix whose mass reaches p·Σw. Nothing is sorted
 * (a native sort of 4096 values took 0.8 ms per row): top-k keeps the k largest in a size-k
 * min-heap in one pass, top-p finds its cut by partitioning around pivots (massCut). Without
 * top-k, top-p looks only at tokens at or above (1 − p)/V of the mass: the others carry less than
 * 1 − p in total, so the nucleus lies among the rest.
 */
interface KeptThreshold {
  readonly above: number;
  readonly tiesKept: number;
}

function keptThreshold(
  weights: ArrayLike<number>,
  offset: number,
  size: number,
  total: number,
  topK: number,
  topP: number,
  scratch: Float64Array, // room for `size` values
): KeptThreshold {
  const floor = topP < 1 ? (total * (1 - topP)) / size : 0;
  let n = 0;
  if (topK > 0 && topK < size) {
    // Min-heap of the k largest weights so far: scratch[0] is the smallest of them.
    for (let i = 0; i < size; i++) {
      const w = weights[offset + i] as number;
      if (!(w > 0 && w >= floor)) continue;
      if (n < topK) {
        let at = n++;
        while (at > 0) {
          const parent = (at - 1) >> 1;
          if ((scratch[parent] as number) <= w) break;
          scratch[at] = scratch[parent] as number;
          at = parent;
        }
        scratch[at] = w;
      } else if (w > (scratch[0] as number)) {
        let at = 0;
        for (;;) {
          const left = 2 * at + 1;
          if (left >= n) break;
          const right = left + 1;
          const child = right < n && (scratch[right] as number) < (scratch[left] as number) ? right : left;
          if ((scratch[child] as number) >= w) break;
          scratch[at] = scratch[child] as number;
          at = child;
        }
        scratch[at] = w;
      }
    }
  } else {
    for (let i = 0; i < size; i++) {
      const w = weights[offset + i] as number;
      if (w > 0 && w >= floor) scratch[n++] = w;
    }
  }
  if (topP < 1) return massCut(scratch, n, topP * total);
  // Top-k alone: all n candidates are kept; the smallest may be tied with tokens left out.
  let above = Number.POSITIVE_INFINITY;
  let tiesKept = 0;
  for (let j = 0; j < n; j++) {
    const w = scratch[j] as number;
    if (w < above) {
      above = w;
      tiesKept = 1;
    } else if (w === above) tiesKept += 1;
  }
  return { above, tiesKept };
}

/**
 * The cut of the shortest largest-first prefix of values[0, n) whose sum reaches `wanted`: its
 * smallest value and how many values equal to it the prefix takes. Quickselect on mass:
 * partition around a pivot into (> pivot | = pivot | < pivot); when the larger part alone
 * reaches what is still wanted the cut lies in it, when the equal part completes it the pivot is
 * the cut, otherwise the cut lies among the smaller values. Expected O(n); values is reordered.
 */
function massCut(values: Float64Array, n: number, wanted: number): KeptThreshold {
  let lo = 0;
  let hi = n;
  let need = wanted;
  let smallest = Number.POSITIVE_INFINITY;
  let smallestCount = 0;
  while (hi > lo) {
    const a = values[lo] as number;
    const b = values[(lo + hi) >> 1] as number;
    const c = values[hi - 1] as number;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)); // median of three
    let greater = lo; // values[lo, greater) > pivot
    let i = lo; // values[greater, i) = pivot
    let less = hi; // values[less, hi) < pivot
    let greaterMass = 0;
    let equalMass = 0;
    while (i < less) {
      const v = values[i] as number;
      if (v > pivot) {
        values[i] = values[greater] as number;
        values[greater++] = v;
        i += 1;
        greaterMass += v;
      } else if (v < pivot) {
        values[i] = values[--less] as number;
        values[less] = v;
      } else {
        i += 1;
        equalMass += v;
      }
    }
    if (greaterMass >= need) {
      hi = greater;
      continue;
    }
    if (greaterMass + equalMass >= need) {
      const equal = less - greater;
      return { above: pivot, tiesKept: Math.min(equal, Math.max(1, Math.ceil((need - greaterMass) / pivot))) };
    }
    need -= greaterMass + equalMass;
    smallest = pivot;
    smallestCount = less - greater;
    lo = less;
  }
  // Rounding kept the sum just short of `wanted`: every value is kept.
  return { above: smallest, tiesKept: smallestCount };
}

/**
 * The kept tokens under top-k then top-p, most likely first (ties by lower id). top-p keeps the
 * shortest prefix whose mass reaches p.
 */
export function keptTokens(logprobs: Float64Array, topK: number, topP: number): number[] {
  const size = logprobs.length;
  const weights = logprobs.map(Math.exp);
  // Normalised log-probs: the mass is 1 by definition (not the rounded sum of the exps).
  const threshold = keptThreshold(weights, 0, size, 1, topK, topP, new Float64Array(size));
  const kept: number[] = [];
  let ties = threshold.tiesKept;
  for (let i = 0; i < size; i++) {
    const w = weights[i] as number;
    if (w > threshold.above || (w === threshold.above && ties-- > 0)) kept.push(i);
  }
  return kept.sort((a, b) => (logprobs[b] as number) - (logprobs[a] as number) || a - b);
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
 * Inverse CDF over non-negative weights w[offset, offset+size) (the sampling distribution up to
 * a factor, Σw = total): with top-k/top-p only the kept tokens count. Tokens are visited in id
 * order, which changes which token a given u maps to, not the distribution.
 */
function drawByWeight(
  weights: ArrayLike<number>,
  offset: number,
  size: number,
  total: number,
  params: SamplerParams,
  rng: SamplingRng,
  scratch: () => Float64Array, // room for `size` values, asked for only with truncation
): number {
  if (params.topK === 0 && params.topP >= 1) {
    const u = rng.nextFloat() * total;
    let mass = 0;
    let last = -1;
    for (let i = 0; i < size; i++) {
      const w = weights[offset + i] as number;
      if (w <= 0) continue;
      mass += w;
      last = i;
      if (u < mass) return i;
    }
    return last; // u past the rounded total
  }
  const { above, tiesKept } = keptThreshold(weights, offset, size, total, params.topK, params.topP, scratch());
  let keptMass = 0;
  let ties = tiesKept;
  for (let i = 0; i < size; i++) {
    const w = weights[offset + i] as number;
    if (w > above || (w === above && ties-- > 0)) keptMass += w;
  }
  const u = rng.nextFloat() * keptMass;
  let mass = 0;
  let token = -1;
  ties = tiesKept;
  for (let i = 0; i < size; i++) {
    const w = weights[offset + i] as number;
    if (w > above || (w === above && ties-- > 0)) {
      mass += w;
      token = i;
      if (u < mass) break;
    }
  }
  return token;
}

/**
 * Draws the next token from logits[offset, offset+size) with the request's random stream:
 * e_i = exp(z_i/τ − max) (one exp per token, in float64), drawn by inverse CDF, with
 * log p = z/τ − max − log Σe. `scratch` (length ≥ 2·size) avoids allocations per token.
 */
export function sampleToken(
  logits: Float32Array,
  offset: number,
  size: number,
  params: SamplerParams,
  rng: SamplingRng,
  scratch: Float64Array = new Float64Array(2 * size),
): SampledToken {
  if (params.temperature === 0) {
    const logprobs = logSoftmax(logits, offset, size, 1, scratch);
    const token = argmax(logits, offset, size);
    return { token, logprob: logprobs[token] as number };
  }
  const inverse = 1 / params.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) max = Math.max(max, (logits[offset + i] as number) * inverse);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const e = Math.exp((logits[offset + i] as number) * inverse - max);
    scratch[i] = e;
    total += e;
  }
  let token = drawByWeight(scratch, 0, size, total, params, rng, () => scratch.subarray(size));
  if (token < 0) token = argmax(logits, offset, size); // no weight above 0 (non-finite logits)
  return { token, logprob: (logits[offset + token] as number) * inverse - max - Math.log(total) };
}

/**
 * Draws the next token from probabilities computed in the decode graph,
 * probs = softmax(z·(1/τ)) in float32 (τ = 0 rows get 1/τ = 1), with no exp in JavaScript.
 * Tokens to leave out must already be 0 in `probs` and −∞ in `logits` (maskUnsampledTokens);
 * Σp is recomputed in float64 so the log-prob is renormalised over the rest:
 * log p_t = log(probs_t / Σprobs). τ = 0 takes the argmax of the logits.
 */
export function sampleFromProbs(
  probs: Float32Array,
  logits: Float32Array,
  offset: number,
  size: number,
  params: SamplerParams,
  rng: SamplingRng,
  scratch: Float64Array,
): SampledToken {
  let total = 0;
  for (let i = 0; i < size; i++) total += probs[offset + i] as number;
  let token =
    params.temperature === 0
      ? argmax(logits, offset, size)
      : drawByWeight(probs, offset, size, total, params, rng, () => scratch);
  if (token < 0) token = argmax(logits, offset, size); // no probability above 0 (non-finite logits)
  return { token, logprob: Math.log((probs[offset + token] as number) / total) };
}
