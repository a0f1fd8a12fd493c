/**
 * The supervised training loop shared by base pretraining and SFT: epochs of length-bucketed
 * micro-batches, `accumulation` of them per AdamW update (completion cross-entropy), progress
 * lines, metrics per step (runDir/metrics.jsonl), periodic evaluation with the best model kept
 * (runDir/best) and early stopping, atomic checkpoints and exact resume from the latest one.
 */
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { exportOnnx } from '@vrft/engine-ort';
import { createBatch, TfjsModel, Trainer, type OptimizerOptions } from '@vrft/engine-tfjs';
import { saveCheckpoint, type ModelConfig, type ModelWeights } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';
import { bucketBatches, type BucketOptions } from './batching.js';
import { TrainingOptionsError } from './errors.js';
import { type TokenizedExample } from './examples.js';
import { publishDirectory } from './fs-durable.js';
import { ProgressMeter, type LineSink } from './progress.js';
import {
  checkResumable,
  findLatestTrainingCheckpoint,
  writeTrainingCheckpoint,
  TRAINING_STATE_FORMAT,
  type TrainingState,
} from './training-checkpoint.js';
import { createTrainingRng, seedTrainingRng } from './training-rng.js';

/** What an evaluation returns: a score (higher is better) and figures to log. */
export interface EvaluationOutcome {
  readonly score: number;
  readonly fields: Readonly<Record<string, number>>;
}

/** Options of runSupervisedLoop. */
export interface SupervisedLoopOptions {
  readonly runDir: string;
  /** Stage name written into checkpoints (`pretrain`, `sft`). */
  readonly stage: string;
  readonly seed: number;
  /** Optimizer updates in all. */
  readonly steps: number;
  /** Micro-batches per update. */
  readonly accumulation: number;
  readonly bucket: BucketOptions;
  readonly optimizer: Partial<OptimizerOptions>;
  /** Updates between checkpoints (the last step always gets one). */
  readonly checkpointEvery: number;
  /** Checkpoints kept. */
  readonly keepLast: number;
  /** Updates between progress lines. */
  readonly logEvery: number;
  /** Digest of everything that shapes the run; resume refuses another. */
  readonly optionsDigest: string;
  /** Periodic evaluation (SFT): every `every` updates and after the last. */
  readonly evaluation?: {
    readonly every: number;
    /** Evaluations without a better score before stopping; 0 never stops early. */
    readonly patience: number;
    run(model: TfjsModel, step: number): Promise<EvaluationOutcome>;
  };
  /** Stop (as after a crash) once this many updates are done, without a final checkpoint (tests). */
  readonly haltAfterStep?: number;
  readonly out: LineSink;
  readonly clock?: () => number;
}

/** The model a run starts from when there is no checkpoint to resume. */
export interface SupervisedStart {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly weights: ModelWeights;
}

/** How a run ended. */
export interface SupervisedResult {
  readonly step: number;
  /** Servable checkpoint of the last weights (runDir/final). */
  readonly finalDir: string;
  /** Servable checkpoint of the best evaluated weights (runDir/best), when evaluation ran. */
  readonly bestDir?: string;
  readonly bestScore?: number;
  readonly stoppedEarly: boolean;
  /** Step resumed from (0 for a fresh run). */
  readonly resumedFrom: number;
  readonly lastLoss: number;
}

function check(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new TrainingOptionsError(field, `expected an integer ≥ ${min}, got ${value}`);
}

/**
 * Writes a servable model checkpoint directory atomically (temp dir, fsync, rename): config,
 * tokenizer, safetensors and the exported ONNX graphs (docs/model.md).
 */
export async function writeModelDirectory(
  dir: string,
  parent: string,
  model: { config: ModelConfig; tokenizer: Tokenizer; weights: ModelWeights },
  metadata: Record<string, string>,
): Promise<void> {
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await saveCheckpoint(temp, { ...model, metadata });
  await exportOnnx(model.config, model.weights, temp);
  await publishDirectory(temp, dir, parent);
}

/** Optimizer options whose schedule spans `steps` updates (warm-up shortened to fit short runs). */
export function scheduleFor(optimizer: Partial<OptimizerOptions>, steps: number): Partial<OptimizerOptions> {
  const totalSteps = optimizer.totalSteps ?? steps;
  return { ...optimizer, totalSteps, warmupSteps: Math.min(optimizer.warmupSteps ?? 10, totalSteps) };
}

/** Runs (or resumes) a supervised stage over tokenized examples. */
export async function runSupervisedLoop(
  options: SupervisedLoopOptions,
  start: SupervisedStart,
  examples: readonly TokenizedExample[],
): Promise<SupervisedResult> {
  check('steps', options.steps, 1);
  check('accumulation', options.accumulation, 1);
  check('checkpointEvery', options.checkpointEvery, 1);
  check('logEvery', options.logEvery, 1);
  if (examples.length === 0) throw new TrainingOptionsError('examples', 'no training examples');
  const clock = options.clock ?? (() => performance.now());
  await mkdir(options.runDir, { recursive: true });

  const resumed = await findLatestTrainingCheckpoint(options.runDir);
  if (resumed !== undefined) checkResumable(resumed.state, options.stage, options.optionsDigest, resumed.dir);
  const config = resumed?.config ?? start.config;
  const tokenizer = resumed?.tokenizer ?? start.tokenizer;
  const model = TfjsModel.create(config, resumed?.weights ?? start.weights);
  const trainer = new Trainer(model, scheduleFor(options.optimizer, options.steps));
  if (resumed !== undefined) trainer.importState(resumed.optimizer);
  const frozen = trainer.frozenSummary();
  if (frozen !== undefined) options.out.write(`${options.stage}: ${frozen}\n`);

  const state: Record<
    'step' | 'epoch' | 'batch' | 'examplesSeen' | 'bestScore' | 'bestStep' | 'evalsSinceBest' | 'stopped',
    number
  > = {
    step: resumed?.state.step ?? 0,
    epoch: resumed?.state.cursor['epoch'] ?? 0,
    batch: resumed?.state.cursor['batch'] ?? 0,
    examplesSeen: resumed?.state.counters['examplesSeen'] ?? 0,
    bestScore: Number(resumed?.state.extra['bestScore'] ?? Number.NEGATIVE_INFINITY),
    bestStep: Number(resumed?.state.extra['bestStep'] ?? -1),
    evalsSinceBest: Number(resumed?.state.extra['evalsSinceBest'] ?? 0),
    stopped: Number(resumed?.state.extra['stopped'] ?? 0),
  };
  const resumedFrom = state.step;
  if (resumed !== undefined) options.out.write(`${options.stage}: resuming from ${resumed.dir} (step ${state.step})\n`);

  const lengths = examples.map((e) => e.tokenIds.length);
  const epochBatches = (epoch: number): number[][] =>
    bucketBatches(lengths, createTrainingRng(seedTrainingRng(options.seed * 1_000_003 + epoch)), options.bucket);
  let batches = epochBatches(state.epoch);
  const meter = new ProgressMeter(options.stage, options.steps, state.step, clock);
  const metricsPath = join(options.runDir, 'metrics.jsonl');
  let lastLoss = Number.NaN;

  const snapshot = (): TrainingState => ({
    format: TRAINING_STATE_FORMAT,
    stage: options.stage,
    step: state.step,
    seed: options.seed,
    optionsDigest: options.optionsDigest,
    rng: seedTrainingRng(options.seed), // the data order is a function of (seed, epoch): nothing drawn to save
    cursor: { epoch: state.epoch, batch: state.batch },
    counters: { examplesSeen: state.examplesSeen },
    extra: {
      bestScore: state.bestScore,
      bestStep: state.bestStep,
      evalsSinceBest: state.evalsSinceBest,
      stopped: state.stopped,
    },
  });
  const checkpoint = (): Promise<string> =>
    writeTrainingCheckpoint(
      options.runDir,
      { config, tokenizer, weights: model.exportWeights(), optimizer: trainer.exportState(), state: snapshot() },
      options.keepLast,
    );

  const evaluate = async (): Promise<void> => {
    const evaluation = options.evaluation;
    if (evaluation === undefined) return;
    const outcome = await evaluation.run(model, state.step);
    const improved = outcome.score > state.bestScore;
    if (improved) {
      state.bestScore = outcome.score;
      state.bestStep = state.step;
      state.evalsSinceBest = 0;
      await writeModelDirectory(
        join(options.runDir, 'best'),
        options.runDir,
        { config, tokenizer, weights: model.exportWeights() },
        {
          step: String(state.step),
          stage: options.stage,
        },
      );
    } else state.evalsSinceBest += 1;
    const fields = Object.entries(outcome.fields)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ');
    options.out.write(
      `${options.stage} eval at step ${state.step}: ${fields}${improved ? ' (best so far, saved)' : ` (best ${state.bestScore.toFixed(4)} at step ${state.bestStep})`}\n`,
    );
    await appendFile(
      metricsPath,
      `${JSON.stringify({ step: state.step, eval: outcome.fields, score: outcome.score })}\n`,
    );
    if (evaluation.patience > 0 && state.evalsSinceBest >= evaluation.patience) {
      state.stopped = 1;
      options.out.write(
        `${options.stage}: early stop at step ${state.step} (${evaluation.patience} evaluations without improvement)\n`,
      );
    }
  };

  try {
    while (state.step < options.steps && state.stopped === 0) {
      const started = clock();
      const micro = [];
      for (let i = 0; i < options.accumulation; i++) {
        if (state.batch >= batches.length) {
          state.epoch += 1;
          state.batch = 0;
          batches = epochBatches(state.epoch);
        }
        micro.push((batches[state.batch] as number[]).map((index) => examples[index] as TokenizedExample));
        state.batch += 1;
      }
      const modelBatches = micro.map((rows) => createBatch(config, rows));
      const stats = trainer.trainStep(modelBatches);
      state.step = stats.step;
      state.examplesSeen += micro.reduce((n, rows) => n + rows.length, 0);
      lastLoss = stats.loss;
      const seconds = (clock() - started) / 1000;
      const tokens = micro.reduce((n, rows) => n + rows.reduce((m, r) => m + r.tokenIds.length, 0), 0);
      await appendFile(
        metricsPath,
        `${JSON.stringify({ step: state.step, loss: stats.loss, lr: stats.learningRate, gradNorm: stats.gradNorm, tokens, seconds, epoch: state.epoch })}\n`,
      );
      if (state.step % options.logEvery === 0 || state.step === options.steps) {
        options.out.write(
          `${meter.line(state.step, { loss: stats.loss, lr: stats.learningRate, 'grad norm': stats.gradNorm, 'tokens/s': tokens / Math.max(seconds, 1e-9), epoch: state.epoch, tensors: tf.memory().numTensors })}\n`,
        );
      }
      const last = state.step >= options.steps;
      if (options.evaluation !== undefined && (state.step % options.evaluation.every === 0 || last)) await evaluate();
      if (options.haltAfterStep !== undefined && state.step >= options.haltAfterStep) {
        if (state.step % options.checkpointEvery === 0) await checkpoint();
        return { step: state.step, finalDir: '', stoppedEarly: false, resumedFrom, lastLoss };
      }
      if (state.step % options.checkpointEvery === 0 || last || (state.stopped as number) === 1) await checkpoint();
    }
    const finalDir = join(options.runDir, 'final');
    await writeModelDirectory(
      finalDir,
      options.runDir,
      { config, tokenizer, weights: model.exportWeights() },
      {
        step: String(state.step),
        stage: options.stage,
      },
    );
    return {
      step: state.step,
      finalDir,
      ...(state.bestStep >= 0 ? { bestDir: join(options.runDir, 'best'), bestScore: state.bestScore } : {}),
      stoppedEarly: state.stopped === 1,
      resumedFrom,
      lastLoss,
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
