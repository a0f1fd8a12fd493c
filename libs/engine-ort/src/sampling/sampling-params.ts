/** Sampling parameters: defaults and the one parse function that names the bad field. */
import { SamplingParamsError } from '../errors.js';
import { MAX_SEED } from './rng.js';

/** Validated sampling parameters of one request. */
export interface SamplingParams {
  /** Softmax temperature τ ≥ 0; 0 picks the argmax (greedy). Default 1 (the method's). */
  readonly temperature: number;
  /** Nucleus mass in (0, 1]; 1 disables top-p. Default 1. */
  readonly topP: number;
  /** Keep the k most likely tokens; 0 disables top-k. Default 0. */
  readonly topK: number;
  /** Tokens to generate at most, in [1, contextLength]. Default 128 (or the context length if shorter). */
  readonly maxNewTokens: number;
  /** Seed of the request's random stream; undefined draws one from the engine's source. */
  readonly seed: bigint | undefined;
  /** Generation stops when the decoded completion contains one of these. */
  readonly stop: readonly string[];
}

/** Sampling parameters as callers give them (every field optional). */
export interface SamplingParamsInput {
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly maxNewTokens?: number;
  readonly seed?: number | bigint;
  readonly stop?: readonly string[];
}

/** Limits that bound sampling parameters. */
export interface SamplingLimits {
  /** The model's context length: max_new_tokens may not exceed it. */
  readonly contextLength: number;
  /** Most stop sequences per request. */
  readonly maxStopSequences: number;
  /** Longest stop sequence, in UTF-16 code units. */
  readonly maxStopLength: number;
}

/** Defaults of SamplingParams. */
export const DEFAULT_SAMPLING_PARAMS: SamplingParams = {
  temperature: 1,
  topP: 1,
  topK: 0,
  maxNewTokens: 128,
  seed: undefined,
  stop: [],
};

function finite(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SamplingParamsError(field, `expected a finite number, got ${String(value)}`);
  }
  return value;
}

/** Validates sampling parameters against the limits; throws SamplingParamsError naming the field. */
export function parseSamplingParams(input: SamplingParamsInput = {}, limits: SamplingLimits): SamplingParams {
  // The default length never exceeds a short context; an explicit one must fit.
  const defaults = {
    ...DEFAULT_SAMPLING_PARAMS,
    maxNewTokens: Math.min(DEFAULT_SAMPLING_PARAMS.maxNewTokens, limits.contextLength),
  };
  const merged = { ...defaults, ...stripUndefined(input) };
  const temperature = finite('temperature', merged.temperature);
  if (temperature < 0) throw new SamplingParamsError('temperature', `must be ≥ 0, got ${temperature}`);
  const topP = finite('topP', merged.topP);
  if (!(topP > 0 && topP <= 1)) throw new SamplingParamsError('topP', `must be in (0, 1], got ${topP}`);
  const topK = finite('topK', merged.topK);
  if (!Number.isInteger(topK) || topK < 0) throw new SamplingParamsError('topK', `must be an integer ≥ 0, got ${topK}`);
  const maxNewTokens = finite('maxNewTokens', merged.maxNewTokens);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > limits.contextLength) {
    throw new SamplingParamsError(
      'maxNewTokens',
      `must be an integer in [1, ${limits.contextLength}] (the context length), got ${maxNewTokens}`,
    );
  }
  let seed: bigint | undefined;
  if (merged.seed !== undefined) {
    if (typeof merged.seed === 'number' && !Number.isSafeInteger(merged.seed)) {
      throw new SamplingParamsError('seed', `must be an integer, got ${merged.seed}`);
    }
    seed = BigInt(merged.seed);
    if (seed < 0n || seed > MAX_SEED) throw new SamplingParamsError('seed', `must be in [0, 2^64), got ${seed}`);
  }
  const stop = [...merged.stop];
  if (stop.length > limits.maxStopSequences) {
    throw new SamplingParamsError('stop', `${stop.length} stop sequences, at most ${limits.maxStopSequences} allowed`);
  }
  stop.forEach((text, i) => {
    if (typeof text !== 'string' || text.length === 0)
      throw new SamplingParamsError(`stop[${i}]`, 'must be a non-empty string');
    if (text.length > limits.maxStopLength) {
      throw new SamplingParamsError(`stop[${i}]`, `is ${text.length} long, at most ${limits.maxStopLength} allowed`);
    }
  });
  return { temperature, topP, topK, maxNewTokens, seed, stop };
}

function stripUndefined(input: SamplingParamsInput): Partial<SamplingParamsInput> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
