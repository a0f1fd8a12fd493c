/**
 * Stage 0b: the base model. The `tiny` model (or any preset) from a seeded init, pretrained on the
 * synthetic world: clip captions and direct question → `<answer>X</answer>` pairs under a plain
 * prompt, no reasoning. What SFT, RL-only runs and the reference model start from. Optionally also
 * "restated" examples: describe the clip, repeat the question, answer it — so the base can carry
 * a question across a description, as the CoT's quote of the question needs (a pretrained LM
 * copies from its context; a base trained on direct answers alone never had to).
 */
import { type SyntheticOptionsInput } from '@vrft/data';
import { createModelConfig, initWeights, type ModelPresetName, type ModelPresetSizes } from '@vrft/model';
import { loadTokenizer } from '@vrft/tokenizer';
import { sampleModelFrames } from './clip-frames.js';
import { digestOptions } from './digest.js';
import { tokenizeExample, type TokenizedExample } from './examples.js';
import { type LineSink } from './progress.js';
import { captionPrompt, plainPrompt, restatePrompt } from './prompts.js';
import {
  checkLoopOptions,
  DEFAULT_LOOP_OPTIONS,
  requireInteger,
  requireString,
  type LoopOptions,
  withStageDefaults,
} from './stage-options.js';
import { runSupervisedLoop, type SupervisedResult } from './supervised-loop.js';
import { visionReliance } from './validation.js';
import { describeWorldClip, questionSample, renderWorldClip } from './world-texts.js';

/** Options of runPretrainStage. */
export interface PretrainOptions extends LoopOptions {
  /** Run directory (checkpoints, metrics, final/). */
  readonly runDir: string;
  /** tokenizer.json of stage 0a. */
  readonly tokenizerPath: string;
  /** Model preset. Default `tiny`. */
  readonly preset: ModelPresetName;
  /** Preset fields replaced (tests use micro sizes). Default none. */
  readonly modelOverrides: Partial<ModelPresetSizes>;
  /** Synthetic train clips simulated for the corpus. Default 1500. */
  readonly clips: number;
  /** First local train seed; away from the dataset clips (0…) so the base sees other clips. Default 1 000 000. */
  readonly firstSeed: number;
  /** Questions written per clip. Default 3. */
  readonly questionsPerClip: number;
  /**
   * Of those, how many also make a restated example: caption, the question quoted, the answer.
   * Measured: without them an SFT'd `tiny` quoted the real question in 0 of 184 completions
   * that quoted one. Default 0.
   */
  readonly restatedPerClip: number;
  /** World and question options. Default: the medium preset. */
  readonly synthetic: SyntheticOptionsInput;
  /**
   * Updates between evaluations of the held-out caption loss and the vision gap (visionReliance:
   * the loss with another clip's frames minus the loss with the right ones); 0: none. The best
   * caption loss is kept in runDir/best. Default 100.
   */
  readonly evalEvery: number;
  /** Validation-split clips whose captions those evaluations score. Default 32. */
  readonly evalClips: number;
}

/** Defaults of PretrainOptions (runDir and tokenizerPath have none). */
export const DEFAULT_PRETRAIN_OPTIONS: Omit<PretrainOptions, 'runDir' | 'tokenizerPath'> = {
  ...DEFAULT_LOOP_OPTIONS,
  steps: 600,
  batchRows: 24,
  batchTokens: 4096,
  optimizer: { learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 30, weightDecay: 0.05 },
  checkpointEvery: 100,
  preset: 'tiny',
  modelOverrides: {},
  clips: 1500,
  firstSeed: 1_000_000,
  questionsPerClip: 3,
  restatedPerClip: 0,
  synthetic: {},
  evalEvery: 100,
  evalClips: 32,
};

/** Validates pretrain options over the defaults; throws TrainingOptionsError naming the field. */
export function parsePretrainOptions(input: Partial<PretrainOptions>): PretrainOptions {
  const options = withStageDefaults<PretrainOptions>(DEFAULT_PRETRAIN_OPTIONS, input);
  requireString('runDir', options.runDir);
  requireString('tokenizerPath', options.tokenizerPath);
  requireInteger('clips', options.clips, 1);
  requireInteger('firstSeed', options.firstSeed, 0);
  requireInteger('questionsPerClip', options.questionsPerClip, 0, 10);
  requireInteger('restatedPerClip', options.restatedPerClip, 0, options.questionsPerClip);
  requireInteger('evalEvery', options.evalEvery, 0);
  requireInteger('evalClips', options.evalClips, 2);
  return checkLoopOptions(options) as PretrainOptions;
}

/** Captions of validation-split clips (never trained on), each with its own frames. */
export function buildCaptionProbe(
  options: PretrainOptions,
  tokenizer: Parameters<typeof tokenizeExample>[0],
  config: Parameters<typeof tokenizeExample>[1],
): TokenizedExample[] {
  const examples: TokenizedExample[] = [];
  for (let i = 0; i < options.evalClips; i++) {
    const clip = describeWorldClip('validation', i, options.synthetic);
    const frames = sampleModelFrames(renderWorldClip(clip), config.frames, config.imageHeight, config.imageWidth);
    const example = tokenizeExample(tokenizer, config, {
      promptText: captionPrompt(),
      completionText: clip.caption,
      frames,
    });
    if (example !== undefined) examples.push(example);
  }
  return examples;
}

/** Builds the pretraining examples: per clip a caption and its questions with direct answers. */
export function buildPretrainExamples(
  options: Pick<PretrainOptions, 'clips' | 'firstSeed' | 'questionsPerClip' | 'restatedPerClip' | 'synthetic'>,
  tokenizer: Parameters<typeof tokenizeExample>[0],
  config: Parameters<typeof tokenizeExample>[1],
): { examples: TokenizedExample[]; skipped: number } {
  const synthetic: SyntheticOptionsInput = {
    ...options.synthetic,
    questions: { ...options.synthetic.questions, questionsPerClip: Math.max(1, options.questionsPerClip) },
  };
  const examples: TokenizedExample[] = [];
  let skipped = 0;
  const add = (example: TokenizedExample | undefined): void => {
    if (example === undefined) skipped += 1;
    else examples.push(example);
  };
  for (let i = 0; i < options.clips; i++) {
    const clip = describeWorldClip('train', options.firstSeed + i, synthetic);
    const frames = sampleModelFrames(renderWorldClip(clip), config.frames, config.imageHeight, config.imageWidth);
    add(tokenizeExample(tokenizer, config, { promptText: captionPrompt(), completionText: clip.caption, frames }));
    clip.questions.slice(0, options.questionsPerClip).forEach((question, index) => {
      const sample = questionSample(question);
      const answer = `<answer>${question.answer}</answer>`;
      add(tokenizeExample(tokenizer, config, { promptText: plainPrompt(sample), completionText: answer, frames }));
      if (index < options.restatedPerClip) {
        const completionText = `${clip.caption} The question: "${sample.problem.trim()}" ${answer}`;
        add(tokenizeExample(tokenizer, config, { promptText: restatePrompt(sample), completionText, frames }));
      }
    });
  }
  return { examples, skipped };
}

/** Runs (or resumes) base pretraining; the base is `runDir/final`. */
export async function runPretrainStage(
  input: Partial<PretrainOptions>,
  out: LineSink,
  extra: { haltAfterStep?: number } = {},
): Promise<SupervisedResult> {
  const options = parsePretrainOptions(input);
  const tokenizer = await loadTokenizer(options.tokenizerPath);
  const config = createModelConfig(options.preset, tokenizer, options.modelOverrides);
  const { examples, skipped } = buildPretrainExamples(options, tokenizer, config);
  const tokens = examples.reduce((n, e) => n + e.tokenIds.length, 0);
  out.write(
    `pretrain: ${examples.length} examples from ${options.clips} clips (${skipped} too long, skipped), ${tokens} tokens, mean length ${(tokens / Math.max(1, examples.length)).toFixed(1)}\n`,
  );
  // Paths, logging and evaluation do not shape the run; the tokenizer's content does.
  const {
    runDir: _run,
    tokenizerPath: _tok,
    logEvery: _log,
    keepLast: _keep,
    evalEvery: _every,
    evalClips: _clips,
    ...shaping
  } = options;
  const probe = options.evalEvery > 0 ? buildCaptionProbe(options, tokenizer, config) : [];
  return runSupervisedLoop(
    {
      runDir: options.runDir,
      stage: 'pretrain',
      seed: options.seed,
      steps: options.steps,
      accumulation: options.accumulation,
      bucket: { maxRows: options.batchRows, maxTokens: options.batchTokens, window: options.bucketWindow },
      optimizer: options.optimizer,
      checkpointEvery: options.checkpointEvery,
      keepLast: options.keepLast,
      logEvery: options.logEvery,
      optionsDigest: digestOptions({ ...shaping, tokenizer: digestOptions(tokenizer.toJSONString()) }),
      ...(probe.length > 0
        ? {
            evaluation: {
              every: options.evalEvery,
              patience: 0,
              run: (model) => {
                const reliance = visionReliance(model, probe, options.batchRows);
                const fields = { 'caption loss': reliance.own, 'vision gap': reliance.gap };
                return Promise.resolve({ score: -reliance.own, fields });
              },
            },
          }
        : {}),
      out,
      ...(extra.haltAfterStep !== undefined ? { haltAfterStep: extra.haltAfterStep } : {}),
    },
    { config, tokenizer, weights: initWeights(config, options.seed) },
    examples,
  );
}
