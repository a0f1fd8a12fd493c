/** Options of trainDualEncoder, with defaults and the parse function that names a bad field. */
import { type BackendCandidate, type OptimizerOptions, parseOptimizerOptions } from '@vrft/engine-tfjs';
import { type Difficulty } from '@vrft/data';
import { DEFAULT_ENCODER_SIZES, type DualEncoderConfig } from './encoder-config.js';
import { EncoderOptionsError } from './errors.js';

/** How the dual encoder is trained. */
export interface TrainEncoderOptions {
  /** Architecture (vocabSize and padId come from the tokenizer). Default DEFAULT_ENCODER_SIZES. */
  readonly sizes: Partial<Omit<DualEncoderConfig, 'vocabSize' | 'padId'>>;
  /** Vocabulary of the BPE trained on the training descriptions. Default 1024. */
  readonly tokenizerVocabSize: number;
  /** Training clips (train split, local seeds from 0). Default 800. */
  readonly trainClips: number;
  /** Frames (pairs) per training clip. Default 4. */
  readonly framesPerClip: number;
  /** Held-out clips (validation split), one pair each, for retrieval accuracy. Default 200. */
  readonly evalClips: number;
  /** Optimizer steps. Default 400. */
  readonly steps: number;
  /** Pairs per step, each from a different clip (so no batch holds two near-identical pairs). Default 64. */
  readonly batchSize: number;
  /** Seed of the init and of batch sampling. Default 1. */
  readonly seed: number;
  /**
   * AdamW and schedule; totalSteps defaults to `steps`. Peak learning rate 5e-4: at 2e-3 the
   * held-out ranking froze at a coarse split (top-1 2 %, mean rank 25.6 after 200–300 steps at
   * B = 32); 1e-3 gave 39 %, 5e-4 55 %, 2.5e-4 44 % after 200 steps (measured,
   * docs/benchmarks.md); at B = 64, 3.5e-4 and 5e-4 did alike and 7e-4 fell back to 27 %.
   */
  readonly optimizer: OptimizerOptions;
  /** tfjs backends to try in order. Default: @vrft/engine-tfjs's order. */
  readonly backendOrder?: readonly BackendCandidate[];
  /** Synthetic world difficulty. Default 'medium'. */
  readonly difficulty: Difficulty;
  /** Retrieval accuracy on the held-out pairs every N steps (0 = only at the end). Default 0. */
  readonly evalEvery: number;
  /**
   * Learning-rate multiplier of t and b. Default 100, so that t can grow with the towers'
   * separation (t 10 → 25 over 400 steps) instead of capping the logits; at the peak rate of 5e-4
   * it beat ×1 slightly (held-out top-1 57 % against 55 % after 200 steps at B = 32, measured).
   */
  readonly logitLearningRateScale: number;
}

/** Caller input: any subset; optimizer fields one by one. */
export type TrainEncoderOptionsInput = Partial<Omit<TrainEncoderOptions, 'optimizer'>> & {
  readonly optimizer?: Partial<OptimizerOptions>;
};

const DEFAULTS = {
  tokenizerVocabSize: 1024,
  trainClips: 800,
  framesPerClip: 4,
  evalClips: 200,
  steps: 400,
  batchSize: 64,
  seed: 1,
  difficulty: 'medium' as Difficulty,
  evalEvery: 0,
  logitLearningRateScale: 100,
};

const OPTIMIZER_DEFAULTS: Partial<OptimizerOptions> = {
  learningRate: 5e-4,
  minLearningRate: 1e-4,
  warmupSteps: 20,
  weightDecay: 0.01,
  beta2: 0.99,
  maxGradNorm: 1,
};

/** Validates training options over the defaults; throws EncoderOptionsError naming the field. */
export function parseTrainEncoderOptions(input: TrainEncoderOptionsInput = {}): TrainEncoderOptions {
  const known = new Set(['sizes', 'optimizer', 'backendOrder', ...Object.keys(DEFAULTS)]);
  for (const key of Object.keys(input)) if (!known.has(key)) throw new EncoderOptionsError(key, 'unknown option');
  const merged = { ...DEFAULTS, ...withoutUndefined(input) };
  const integer = (field: keyof typeof DEFAULTS, min: number, max: number): number => {
    const value = merged[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new EncoderOptionsError(field, `expected an integer in [${min}, ${max}], got ${String(value)}`);
    }
    return value;
  };
  const trainClips = integer('trainClips', 2, 1e7);
  const batchSize = integer('batchSize', 2, 65536);
  if (batchSize > trainClips) {
    throw new EncoderOptionsError(
      'batchSize',
      `${batchSize} pairs from different clips need trainClips ≥ ${batchSize}`,
    );
  }
  const steps = integer('steps', 1, 1e9);
  let optimizer: OptimizerOptions;
  try {
    const given = { ...OPTIMIZER_DEFAULTS, totalSteps: steps, ...input.optimizer };
    optimizer = parseOptimizerOptions({
      ...given,
      warmupSteps: Math.min(given.warmupSteps ?? 0, given.totalSteps ?? steps),
    });
  } catch (cause) {
    throw new EncoderOptionsError(`optimizer.${(cause as { field?: string }).field ?? ''}`, (cause as Error).message, {
      cause,
    });
  }
  const unknownSize = Object.keys(input.sizes ?? {}).find((k) => !(k in DEFAULT_ENCODER_SIZES));
  if (unknownSize !== undefined) throw new EncoderOptionsError(`sizes.${unknownSize}`, 'unknown field');
  if (!['easy', 'medium', 'hard'].includes(merged.difficulty)) {
    throw new EncoderOptionsError('difficulty', `expected easy, medium or hard, got ${String(merged.difficulty)}`);
  }
  return {
    sizes: { ...input.sizes },
    tokenizerVocabSize: integer('tokenizerVocabSize', 300, 1 << 20),
    trainClips,
    framesPerClip: integer('framesPerClip', 1, 1000),
    evalClips: integer('evalClips', 2, 1e6),
    steps,
    batchSize,
    seed: integer('seed', 0, 2 ** 31 - 1),
    optimizer,
    ...(input.backendOrder ? { backendOrder: input.backendOrder } : {}),
    difficulty: merged.difficulty,
    evalEvery: integer('evalEvery', 0, 1e9),
    logitLearningRateScale: positive(merged.logitLearningRateScale, 'logitLearningRateScale'),
  };
}

function positive(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new EncoderOptionsError(field, `expected a finite number > 0, got ${String(value)}`);
  }
  return value;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
