/** Option pieces shared by the training stages, with their checks. */
import { type OptimizerOptions } from '@vrft/engine-tfjs';
import { TrainingOptionsError } from './errors.js';

/** How updates are formed and recorded; shared by pretrain and SFT. */
export interface LoopOptions {
  /** Optimizer updates in all. */
  readonly steps: number;
  /** Micro-batches per update. Default 1. */
  readonly accumulation: number;
  /** Most rows per micro-batch. Default 16. */
  readonly batchRows: number;
  /** Most padded positions per micro-batch. Default 4096. */
  readonly batchTokens: number;
  /** Examples sorted by length together (length bucketing); 1 turns it off. Default 64. */
  readonly bucketWindow: number;
  /** AdamW and schedule (engine-tfjs defaults where absent; totalSteps defaults to steps). */
  readonly optimizer: Partial<OptimizerOptions>;
  /** Updates between checkpoints. Default 50. */
  readonly checkpointEvery: number;
  /** Checkpoints kept. Default 2. */
  readonly keepLast: number;
  /** Updates between progress lines. Default 10. */
  readonly logEvery: number;
  /** The run's seed (init, data order, sampling). Default 1. */
  readonly seed: number;
}

/**
 * A stage's options: `input` over `defaults`, the optimizer merged field by field (so `--lr`
 * alone keeps the stage's own weight decay, warm-up and clipping). Unchecked: the caller validates.
 */
export function withStageDefaults<T extends { readonly optimizer: Partial<OptimizerOptions> }>(
  defaults: Partial<T>,
  input: Partial<T>,
): T {
  return { ...defaults, ...input, optimizer: { ...defaults.optimizer, ...input.optimizer } } as T;
}

/** Defaults of LoopOptions except steps. */
export const DEFAULT_LOOP_OPTIONS: Omit<LoopOptions, 'steps'> = {
  accumulation: 1,
  batchRows: 16,
  batchTokens: 4096,
  bucketWindow: 64,
  optimizer: {},
  checkpointEvery: 50,
  keepLast: 2,
  logEvery: 10,
  seed: 1,
};

/** Throws TrainingOptionsError unless value is an integer in [min, max]. */
export function requireInteger(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TrainingOptionsError(field, `expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws TrainingOptionsError unless value is a finite number in [min, max]. */
export function requireNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TrainingOptionsError(field, `expected a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws TrainingOptionsError unless value is a non-empty string. */
export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TrainingOptionsError(field, 'expected a non-empty string');
  return value;
}

/** Checks the loop fields of a stage's options (merged over the defaults). */
export function checkLoopOptions(options: LoopOptions): LoopOptions {
  requireInteger('steps', options.steps, 1);
  requireInteger('accumulation', options.accumulation, 1, 1024);
  requireInteger('batchRows', options.batchRows, 1, 4096);
  requireInteger('batchTokens', options.batchTokens, 1);
  requireInteger('bucketWindow', options.bucketWindow, 1);
  requireInteger('checkpointEvery', options.checkpointEvery, 1);
  requireInteger('keepLast', options.keepLast, 1, 1000);
  requireInteger('logEvery', options.logEvery, 1);
  requireInteger('seed', options.seed, 0, 0x7fffffff);
  return options;
}
