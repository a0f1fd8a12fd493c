/**
 * What callers ask the engine for (generation and scoring), what they get back, and the checks
 * that turn a request into a clear InvalidInputError before any session runs.
 */
import { unsampledTokenIds, visualTokensPerFrame, type ModelConfig } from '@vrft/model';
import { InvalidInputError } from '../errors.js';
import { deriveSampleSeed } from '../sampling/rng.js';
import {
  parseSamplingParams,
  type SamplingLimits,
  type SamplingParams,
  type SamplingParamsInput,
} from '../sampling/sampling-params.js';

/** A clip at the model's resolution: frameCount·H·W·3 bytes of RGB, frame-major, row-major. */
export interface ClipFrames {
  readonly frames: Uint8Array;
  readonly frameCount: number;
}

/** One prompt to complete. */
export interface GenerateRequest {
  /**
   * The expanded prompt ids (`buildInputSequence(...).tokenIds` of @vrft/model): with a video,
   * one `<video>` id per visual token, in place of the single placeholder.
   */
  readonly promptIds: readonly number[];
  /** The clip whose visual tokens fill the `<video>` positions. */
  readonly video?: ClipFrames;
  /** Visual tokens [N·D] computed before (a feature cache), instead of `video`. */
  readonly visualTokens?: Float32Array;
  /** Sampling parameters; defaults in DEFAULT_SAMPLING_PARAMS. */
  readonly sampling?: SamplingParamsInput;
  /** Completions to draw for this prompt (GRPO's group size G). Default 1. */
  readonly samples?: number;
}

/** Why a completion ended. */
export type FinishReason = 'eos' | 'length' | 'stop';

/** One completion with the log-prob of each of its tokens (sampler.ts states the convention). */
export interface Completion {
  readonly tokenIds: number[];
  readonly logprobs: number[];
  /** Decoded text, cut before the stop sequence when one matched (token ids are not cut). */
  readonly text: string;
  readonly finishReason: FinishReason;
  /** The stop sequence that ended it, when finishReason is 'stop'. */
  readonly stop?: string;
  /** The seed of this completion's random stream (replaying it gives the same tokens). */
  readonly seed: bigint;
}

/** The completions of one GenerateRequest. */
export interface GenerateResult {
  readonly completions: Completion[];
  /** Expanded prompt length (visual tokens included). */
  readonly promptTokens: number;
}

/** A prompt and completion whose completion tokens are scored. */
export interface ScoreRequest {
  /** Expanded prompt ids, as in GenerateRequest. */
  readonly promptIds: readonly number[];
  /** The completion's ids; one log-prob is returned for each. */
  readonly completionIds: readonly number[];
  readonly video?: ClipFrames;
  readonly visualTokens?: Float32Array;
  /** Temperature of the log-softmax (1 = the model's own distribution). Default 1. */
  readonly temperature?: number;
}

/** Per-token log-probs of a completion: log softmax(z/τ)[token] at each completion position. */
export interface ScoreResult {
  readonly logprobs: number[];
}

/** A generation request after validation, with every sample's seed fixed. */
export interface PreparedGenerate {
  readonly promptIds: readonly number[];
  readonly video?: ClipFrames;
  readonly visualTokens?: Float32Array;
  readonly sampling: SamplingParams;
  readonly seeds: readonly bigint[];
}

/** Limits applied to every request. */
export interface RequestLimits extends SamplingLimits {
  /** Most completions per request. */
  readonly maxSamples: number;
}

function checkIds(ids: readonly number[], field: string, config: ModelConfig): void {
  if (!Array.isArray(ids)) throw new InvalidInputError(field, 'expected an array of token ids');
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
      throw new InvalidInputError(`${field}[${i}]`, `token id ${String(id)} is outside [0, ${config.vocabSize})`);
    }
  });
}

/** Refuses completions with a token the model cannot emit (a `<video>` has no frames to splice in). */
function checkCompletionIds(ids: readonly number[], field: string, config: ModelConfig): void {
  const unsampled = unsampledTokenIds(config);
  ids.forEach((id, i) => {
    if (unsampled.includes(id)) {
      throw new InvalidInputError(
        `${field}[${i}]`,
        `token id ${id} is a special token (<video>, <pad> or <bos>) that completions cannot contain`,
      );
    }
  });
}

/** Checks the video part of a request against the `<video>` positions of its prompt. */
export function checkVisualInput(
  config: ModelConfig,
  field: string,
  promptIds: readonly number[],
  video: ClipFrames | undefined,
  visualTokens: Float32Array | undefined,
): void {
  const positions = promptIds.reduce((n, id) => n + (id === config.specialTokens.video ? 1 : 0), 0);
  if (video && visualTokens) throw new InvalidInputError(field, 'give video or visualTokens, not both');
  if (video) {
    const { frameCount, frames } = video;
    if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > config.maxFrames) {
      throw new InvalidInputError(`${field}.video.frameCount`, `${frameCount} is outside [1, ${config.maxFrames}]`);
    }
    const expected = frameCount * config.imageHeight * config.imageWidth * 3;
    if (!(frames instanceof Uint8Array) || frames.length !== expected) {
      throw new InvalidInputError(
        `${field}.video.frames`,
        `expected ${expected} bytes (${frameCount}×${config.imageHeight}×${config.imageWidth}×3), got ${frames?.length}`,
      );
    }
    const tokens = frameCount * visualTokensPerFrame(config);
    if (positions !== tokens) {
      throw new InvalidInputError(
        `${field}.promptIds`,
        `holds ${positions} <video> positions, the clip gives ${tokens} visual tokens`,
      );
    }
  } else if (visualTokens) {
    if (
      !(visualTokens instanceof Float32Array) ||
      visualTokens.length !== positions * config.dModel ||
      positions === 0
    ) {
      throw new InvalidInputError(
        `${field}.visualTokens`,
        `expected ${positions} × ${config.dModel} values for the prompt's <video> positions, got ${visualTokens?.length}`,
      );
    }
  } else if (positions > 0) {
    throw new InvalidInputError(`${field}.promptIds`, `holds ${positions} <video> positions but no video was given`);
  }
}

/** Validates a generation request; `drawSeed` supplies the seed when the request has none. */
export function prepareGenerate(
  config: ModelConfig,
  limits: RequestLimits,
  request: GenerateRequest,
  field: string,
  drawSeed: () => bigint,
): PreparedGenerate {
  checkIds(request.promptIds, `${field}.promptIds`, config);
  if (request.promptIds.length === 0) throw new InvalidInputError(`${field}.promptIds`, 'is empty');
  checkVisualInput(config, field, request.promptIds, request.video, request.visualTokens);
  const sampling = parseSamplingParams(request.sampling, limits);
  if (request.promptIds.length >= config.contextLength) {
    throw new InvalidInputError(
      `${field}.promptIds`,
      `the prompt has ${request.promptIds.length} positions; the context length ${config.contextLength} leaves no room to generate`,
    );
  }
  const samples = request.samples ?? 1;
  if (!Number.isInteger(samples) || samples < 1 || samples > limits.maxSamples) {
    throw new InvalidInputError(`${field}.samples`, `must be an integer in [1, ${limits.maxSamples}], got ${samples}`);
  }
  const seed = sampling.seed ?? drawSeed();
  const seeds = Array.from({ length: samples }, (_, i) => (i === 0 ? seed : deriveSampleSeed(seed, i)));
  return {
    promptIds: request.promptIds,
    sampling,
    seeds,
    ...(request.video ? { video: request.video } : {}),
    ...(request.visualTokens ? { visualTokens: request.visualTokens } : {}),
  };
}

/** Validates a scoring request. */
export function checkScoreRequest(config: ModelConfig, request: ScoreRequest, field: string): void {
  checkIds(request.promptIds, `${field}.promptIds`, config);
  checkIds(request.completionIds, `${field}.completionIds`, config);
  checkCompletionIds(request.completionIds, `${field}.completionIds`, config);
  if (request.promptIds.length === 0) throw new InvalidInputError(`${field}.promptIds`, 'is empty');
  checkVisualInput(config, field, request.promptIds, request.video, request.visualTokens);
  const total = request.promptIds.length + request.completionIds.length;
  if (total > config.contextLength) {
    throw new InvalidInputError(
      field,
      `prompt plus completion is ${total} positions, more than the context length ${config.contextLength}`,
    );
  }
  const temperature = request.temperature ?? 1;
  if (!Number.isFinite(temperature) || temperature <= 0) {
    throw new InvalidInputError(`${field}.temperature`, `must be a finite number > 0, got ${temperature}`);
  }
}
