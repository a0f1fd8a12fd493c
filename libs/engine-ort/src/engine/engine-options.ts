/** Options of the inference engine: documented defaults and one parse function naming the bad field. */
import { availableParallelism } from 'node:os';
import { EngineOptionsError } from '../errors.js';
import { type ExecutionProvider } from '../runtime/model-sessions.js';

/** Engine options. */
export interface EngineOptions {
  /** Execution provider of the sessions: `cpu` (default) or `cuda` (where installed). */
  readonly executionProvider: ExecutionProvider;
  /** Worker threads, each holding its own sessions. Default 1. */
  readonly workers: number;
  /** Operator threads per session; 0 = cores / workers. Default 0. */
  readonly intraOpThreads: number;
  /** onnxruntime graph optimisation level. Default `all`. */
  readonly graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
  /** Idle operator threads spin-wait: faster on a dedicated machine, much slower on a shared one. Default false. */
  readonly allowSpinning: boolean;
  /**
   * Sequences each worker runs at once in its continuous batch (1 turns batching off).
   * Default 64.
   */
  readonly maxBatchSize: number;
  /** Calls that may wait for a batch slot before new ones get QueueFullError. Default 64. */
  readonly maxQueue: number;
  /** The KV cache grows and shrinks by this many slots per row. Default 64. */
  readonly cacheBlock: number;
  /** Most positions (rows × padded length) per prefill run. Default 16384. */
  readonly maxPrefillTokens: number;
  /** Most clips per vision run. Default 16. */
  readonly maxVisionClips: number;
  /** Most completions per request. Default 64. */
  readonly maxSamples: number;
  /** Most stop sequences per request. Default 16. */
  readonly maxStopSequences: number;
  /** Longest stop sequence. Default 256. */
  readonly maxStopLength: number;
  /**
   * Streaming: a running sequence's new tokens go out at most every this many ms, several per
   * delta when steps are faster (0 = a delta after every step). The first token and the end go
   * out at once. Fewer, larger deltas cost a server less per token. Default 0.
   */
  readonly streamIntervalMs: number;
}

/** Defaults of EngineOptions. */
export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  executionProvider: 'cpu',
  workers: 1,
  intraOpThreads: 0,
  graphOptimization: 'all',
  allowSpinning: false,
  maxBatchSize: 64,
  maxQueue: 64,
  cacheBlock: 64,
  maxPrefillTokens: 16384,
  maxVisionClips: 16,
  maxSamples: 64,
  maxStopSequences: 16,
  maxStopLength: 256,
  streamIntervalMs: 0,
};

const POSITIVE_INTEGERS = [
  'workers',
  'maxBatchSize',
  'maxQueue',
  'cacheBlock',
  'maxPrefillTokens',
  'maxVisionClips',
  'maxSamples',
  'maxStopSequences',
  'maxStopLength',
] as const;

/** Validates engine options over the defaults; throws EngineOptionsError naming the field. */
export function parseEngineOptions(input: Partial<EngineOptions> = {}): EngineOptions {
  const options = { ...DEFAULT_ENGINE_OPTIONS, ...input };
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_ENGINE_OPTIONS)) throw new EngineOptionsError(key, 'unknown option');
  }
  for (const field of POSITIVE_INTEGERS) {
    const value = options[field];
    if (!Number.isInteger(value) || value < 1)
      throw new EngineOptionsError(field, `expected an integer ≥ 1, got ${value}`);
  }
  if (!Number.isFinite(options.streamIntervalMs) || options.streamIntervalMs < 0) {
    throw new EngineOptionsError('streamIntervalMs', `expected a number ≥ 0, got ${options.streamIntervalMs}`);
  }
  if (!Number.isInteger(options.intraOpThreads) || options.intraOpThreads < 0) {
    throw new EngineOptionsError('intraOpThreads', `expected an integer ≥ 0, got ${options.intraOpThreads}`);
  }
  if (options.executionProvider !== 'cpu' && options.executionProvider !== 'cuda') {
    throw new EngineOptionsError('executionProvider', `expected cpu or cuda, got ${String(options.executionProvider)}`);
  }
  if (typeof options.allowSpinning !== 'boolean') {
    throw new EngineOptionsError('allowSpinning', `expected a boolean, got ${String(options.allowSpinning)}`);
  }
  if (!['disabled', 'basic', 'extended', 'all'].includes(options.graphOptimization)) {
    throw new EngineOptionsError(
      'graphOptimization',
      `expected disabled, basic, extended or all, got ${options.graphOptimization}`,
    );
  }
  const intraOpThreads =
    options.intraOpThreads === 0 && options.executionProvider === 'cpu'
      ? Math.max(1, Math.floor(availableParallelism() / options.workers))
      : options.intraOpThreads;
  return { ...options, intraOpThreads };
}
