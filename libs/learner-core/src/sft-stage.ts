/**
 * Stage 1: SFT on a CoT-SFT JSONL (Video-R1 format, `process` + `solution`): the completion is
 * `process` then `solution`; the loss covers the completion only (the prompt too with
 * trainOnPrompt). Length-bucketed batches, validation loss and held-out answer accuracy every
 * `evalEvery` updates, early stopping, the best model kept in runDir/best.
 */
import { readSamples, type SftSample, type VideoSample } from '@vrft/data';
import { type EngineOptions } from '@vrft/engine-ort';
import { loadCheckpoint, type ModelConfig } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';
import { ClipFrameLoader } from './clip-frames.js';
import { digestOptions } from './digest.js';
import { TrainingDataError, TrainingOptionsError } from './errors.js';
import { tokenizeExample, type TokenizedExample } from './examples.js';
import { buildPretrainExamples, DEFAULT_PRETRAIN_OPTIONS } from './pretrain-stage.js';
import { type LineSink } from './progress.js';
import { reasoningPrompt } from './prompts.js';
import {
  checkLoopOptions,
  DEFAULT_LOOP_OPTIONS,
  requireInteger,
  requireNumber,
  requireString,
  type LoopOptions,
  withStageDefaults,
} from './stage-options.js';
import { runSupervisedLoop, type SupervisedResult } from './supervised-loop.js';
import { createTrainingRng, seedTrainingRng, shuffledIndices } from './training-rng.js';
import { AccuracyProbe, validationLoss, visionReliance } from './validation.js';

/** Options of runSftStage. */
export interface SftOptions extends LoopOptions {
  readonly runDir: string;
  /** Checkpoint directory to start from (the base). */
  readonly init: string;
  /** CoT-SFT samples (JSON or JSONL). */
  readonly sftFile: string;
  /** Directory the samples' media paths are relative to (the dataset directory). */
  readonly dataDir: string;
  /** Share of the SFT samples held out for the validation loss. Default 0.1. */
  readonly validationFraction: number;
  /** Samples (any Video-R1 file) for the held-out answer accuracy; none: accuracy is not measured. */
  readonly evalFile?: string;
  /** Most accuracy samples used (the first ones). Default 64. */
  readonly evalSamples: number;
  /** Learn the prompt's text tokens too (the public code does). Default false. */
  readonly trainOnPrompt: boolean;
  /** Updates between evaluations. Default 50. */
  readonly evalEvery: number;
  /** Evaluations without improvement before stopping; 0 never stops. Default 3. */
  readonly patience: number;
  /** What "best" means: held-out accuracy (falls back to loss without evalFile) or validation loss. Default accuracy. */
  readonly selectBy: 'accuracy' | 'loss';
  /** Completion limit of the accuracy evaluation. Default 320. */
  readonly evalMaxNewTokens: number;
  /** Frames from scene files (fast, exact) or decoded videos. Default scene. */
  readonly frames: 'scene' | 'video';
  /** onnxruntime options of the accuracy engine. */
  readonly engine: Partial<EngineOptions>;
  /**
   * Rehearsal of the base's corpus: the first `clips` clips of pretraining (default world, seeds
   * from 1 000 000) give their caption and direct answers under the plain prompt (and
   * `restatedPerClip` restated ones), mixed into the SFT examples, so that SFT keeps the base's
   * use of the video. 0 clips: none. Default none.
   */
  readonly replay: { readonly clips: number; readonly restatedPerClip: number };
}

/** Defaults of SftOptions (runDir, init, sftFile, dataDir have none). */
export const DEFAULT_SFT_OPTIONS: Omit<SftOptions, 'runDir' | 'init' | 'sftFile' | 'dataDir'> = {
  ...DEFAULT_LOOP_OPTIONS,
  steps: 300,
  batchRows: 12,
  batchTokens: 4096,
  optimizer: { learningRate: 5e-4, minLearningRate: 5e-5, warmupSteps: 20, weightDecay: 0.05 },
  validationFraction: 0.1,
  evalSamples: 64,
  trainOnPrompt: false,
  evalEvery: 50,
  patience: 3,
  selectBy: 'accuracy',
  evalMaxNewTokens: 320,
  frames: 'scene',
  engine: {},
  replay: { clips: 0, restatedPerClip: 0 },
};

/** Validates SFT options over the defaults; throws TrainingOptionsError naming the field. */
export function parseSftOptions(input: Partial<SftOptions>): SftOptions {
  const options = withStageDefaults<SftOptions>(DEFAULT_SFT_OPTIONS, input);
  for (const field of ['runDir', 'init', 'sftFile', 'dataDir'] as const) requireString(field, options[field]);
  requireNumber('validationFraction', options.validationFraction, 0, 0.9);
  requireInteger('evalSamples', options.evalSamples, 1);
  requireInteger('evalEvery', options.evalEvery, 1);
  requireInteger('patience', options.patience, 0);
  requireInteger('evalMaxNewTokens', options.evalMaxNewTokens, 1);
  if (options.selectBy !== 'accuracy' && options.selectBy !== 'loss')
    throw new TrainingOptionsError('selectBy', `expected accuracy or loss, got ${String(options.selectBy)}`);
  if (options.frames !== 'scene' && options.frames !== 'video')
    throw new TrainingOptionsError('frames', `expected scene or video, got ${String(options.frames)}`);
  requireInteger('replay.clips', options.replay.clips, 0);
  requireInteger(
    'replay.restatedPerClip',
    options.replay.restatedPerClip,
    0,
    DEFAULT_PRETRAIN_OPTIONS.questionsPerClip,
  );
  return checkLoopOptions(options) as SftOptions;
}

/** The completion an SFT sample teaches: its CoT, then its answer. */
export function sftCompletion(sample: Pick<SftSample, 'process' | 'solution'>): string {
  return `${sample.process.trim()}\n${sample.solution.trim()}`;
}

/**
 * An SFT sample as a training example: the reasoning prompt with the clip's frames, the CoT and
 * answer as the completion; undefined when it does not fit the context.
 */
export async function tokenizeSftSample(
  sample: SftSample,
  model: { readonly tokenizer: Tokenizer; readonly config: ModelConfig },
  frames: ClipFrameLoader,
  options: { readonly trainOnPrompt: boolean },
): Promise<TokenizedExample | undefined> {
  return tokenizeExample(
    model.tokenizer,
    model.config,
    {
      promptText: reasoningPrompt(sample),
      completionText: sftCompletion(sample),
      frames: await frames.load(sample.path),
    },
    options,
  );
}

/** Runs (or resumes) SFT; the result is runDir/best (or runDir/final without evaluation). */
export async function runSftStage(
  input: Partial<SftOptions>,
  out: LineSink,
  extra: { haltAfterStep?: number } = {},
): Promise<SupervisedResult> {
  const options = parseSftOptions(input);
  const base = await loadCheckpoint(options.init);
  const { config, tokenizer } = base;
  const frames = new ClipFrameLoader(config, { dataDir: options.dataDir, prefer: options.frames });
  const samples = await readSamples(options.sftFile, { kind: 'sft' });
  if (samples.length === 0) throw new TrainingDataError(`${options.sftFile} holds no samples`);

  // A seeded split, so a resumed run holds out the same samples.
  const order = shuffledIndices(samples.length, createTrainingRng(seedTrainingRng(options.seed + 17)));
  const held = Math.floor(samples.length * options.validationFraction);
  const train: TokenizedExample[] = [];
  const validation: TokenizedExample[] = [];
  let skipped = 0;
  for (const [rank, index] of order.entries()) {
    const example = await tokenizeSftSample(samples[index] as SftSample, base, frames, options);
    if (example === undefined) skipped += 1;
    else (rank < held ? validation : train).push(example);
  }
  // Rehearsal: the base's own examples of its first replay.clips clips (none for 0).
  const replay = buildPretrainExamples({ ...DEFAULT_PRETRAIN_OPTIONS, ...options.replay }, tokenizer, config);
  train.push(...replay.examples);
  skipped += replay.skipped;
  const evalSet: VideoSample[] =
    options.evalFile === undefined
      ? []
      : (await readSamples(options.evalFile, { kind: 'eval' })).slice(0, options.evalSamples);
  out.write(
    `sft: ${train.length - replay.examples.length} train and ${validation.length} validation examples (${skipped} too long, skipped)` +
      `${replay.examples.length > 0 ? `, ${replay.examples.length} replayed from the base's corpus` : ''}` +
      `${evalSet.length > 0 ? `, accuracy on ${evalSet.length} held-out samples` : ''}\n`,
  );
  const probe = new AccuracyProbe(
    tokenizer,
    evalSet,
    frames,
    { maxNewTokens: options.evalMaxNewTokens },
    options.engine,
  );
  const {
    runDir: _r,
    init: _i,
    sftFile: _s,
    dataDir: _d,
    evalFile: _e,
    logEvery: _l,
    keepLast: _k,
    engine: _g,
    ...shaping
  } = options;
  try {
    return await runSupervisedLoop(
      {
        runDir: options.runDir,
        stage: 'sft',
        seed: options.seed,
        steps: options.steps,
        accumulation: options.accumulation,
        bucket: { maxRows: options.batchRows, maxTokens: options.batchTokens, window: options.bucketWindow },
        optimizer: options.optimizer,
        checkpointEvery: options.checkpointEvery,
        keepLast: options.keepLast,
        logEvery: options.logEvery,
        optionsDigest: digestOptions({
          ...shaping,
          base: digestOptions(base.metadata ?? {}),
          samples: samples.length,
          evalSamples: evalSet.length,
        }),
        evaluation: {
          every: options.evalEvery,
          patience: options.patience,
          run: async (model) => {
            // The vision gap: does the validation loss depend on seeing the right clip?
            const reliance = visionReliance(model, validation, options.batchRows);
            const loss = Number.isFinite(reliance.own)
              ? reliance.own
              : validation.length > 0
                ? validationLoss(model, validation, options.batchRows)
                : Number.NaN;
            const report = evalSet.length > 0 ? await probe.measure(model) : undefined;
            const fields: Record<string, number> = { 'val loss': loss };
            if (Number.isFinite(reliance.gap)) fields['vision gap'] = reliance.gap; // needs two clips
            if (report !== undefined) {
              fields['accuracy'] = report.accuracy;
              fields['format'] = report.formatRate;
            }
            const byAccuracy = options.selectBy === 'accuracy' && report !== undefined;
            // Ties in accuracy go to the lower loss: score = accuracy − 1e-6·loss.
            const score = byAccuracy ? report.accuracy - 1e-6 * (Number.isFinite(loss) ? loss : 0) : -loss;
            return { score, fields };
          },
        },
        out,
        ...(extra.haltAfterStep !== undefined ? { haltAfterStep: extra.haltAfterStep } : {}),
      },
      { config, tokenizer, weights: base.weights },
      train,
    );
  } finally {
    await probe.close();
  }
}
