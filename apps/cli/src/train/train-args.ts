/**
 * Command-line options of `vrft train tokenizer|pretrain|sft|grpo|eval|plot`, mapped onto the stage
 * options of @vrft/learner-core. Every number is checked here (the option is named); the stages
 * check ranges again with their own field names.
 */
import { parseArgs } from 'node:util';
import {
  type EvaluationSampling,
  DEFAULT_PTX,
  type LocalGrpoOptions,
  type PretrainOptions,
  type SftOptions,
  type TokenizerStageOptions,
} from '@vrft/learner-core';
import { parseOptimizerOptions } from '@vrft/engine-tfjs';
import { type ModelPresetName, type ModelPresetSizes } from '@vrft/model';
import {
  LOSS_AGGREGATIONS,
  POLICY_OBJECTIVES,
  type GrpoConfigInput,
  type LossAggregation,
  type PolicyObjective,
} from '@vrft/rl';

/** A bad command line; the message names the option. */
export class TrainUsageError extends Error {
  override readonly name = 'TrainUsageError';
}

const LOOP_USAGE = `  --steps N               optimizer updates
  --batch-rows N          rows per micro-batch
  --batch-tokens N        padded positions per micro-batch (length bucketing)
  --bucket-window N       examples sorted by length together (1: no bucketing)
  --accumulation N        micro-batches per update
  --lr X --min-lr X --warmup N --weight-decay X --grad-clip X
  --freeze NAME[,NAME]    weights not trained: a group (vision, projector, lm) or a name prefix
                          up to a dot (lm.embed, vision.blocks.0)
  --checkpoint-every N --keep N --log-every N --seed S`;

/** Usage of `vrft train`. */
export const TRAIN_USAGE = `usage: vrft train <tokenizer|pretrain|sft|grpo|eval|compare|plot> [options]

vrft train tokenizer --out FILE [--clips N] [--vocab N] [--extra FILE]…
  byte-level BPE on the synthetic world's texts (+ sample files' texts)

vrft train pretrain --run DIR --tokenizer FILE [--clips N] [--questions-per-clip N] [--restated-per-clip N]
                    [--preset tiny] [--model JSON] [--eval-every N] [--eval-clips N] [loop options]
  the base model: captions and direct answers (optionally restated after a description), no
  reasoning; result RUN/final. Every N updates (default 100; 0: never) it logs the held-out
  caption loss of N validation clips and the vision gap (that loss with other clips' frames minus
  it with the right ones; near 0: the model ignores the video)

vrft train sft --run DIR --init CKPT --sft FILE --data DIR [--eval FILE] [--eval-samples N]
               [--eval-every N] [--patience N] [--select accuracy|loss] [--train-on-prompt]
               [--val-fraction X] [--replay-clips N [--replay-restated N]] [loop options]
  SFT on a CoT-SFT JSONL; result RUN/best (RUN/final without --eval). --replay-clips N mixes in
  the base's examples of its first N pretraining clips (caption, direct answers, N restated)

vrft train grpo --local --run DIR --init CKPT --prompts FILE --data DIR [--steps N]
                [--prompts-per-step N] [--group-size G] [--min-accuracy-spread X]
                [--max-generation-rounds N] [--max-new-tokens N] [--temperature X]
                [--top-p X] [--beta X] [--inner-updates K] [--objective clipped|unclipped]
                [--aggregation sequence-mean|token-mean] [--advantage-scale std|none]
                [--micro-rows N] [--eval FILE] [--eval-samples N] [--eval-every N]
                [--eval-temperature X [--eval-top-p P] [--eval-seed S]] [--threads N]
                [--ptx FILE [--ptx-coef X] [--ptx-rows N]] [reward options] [loop options]
  the single-process GRPO learner (rollouts in-process); result RUN/final, and RUN/best
  (the best held-out accuracy after an update) with --eval. --min-accuracy-spread X > 0 is
  dynamic sampling (DAPO): groups whose R_a spreads by less than X (all right or all wrong) are
  dropped and up to --max-generation-rounds N rounds (default 4) of prompts are sampled to fill a step; --eval-temperature
  X evaluates one sampled completion per sample (the same seeds every time) instead of the greedy one;
  --ptx FILE adds PPO-ptx to every update: X (default 0.1) times the NLL of N (default 8) CoT-SFT
  examples of FILE, in a seeded order

  reward options (R = R_f + R_a, + 1[R_a > 0]·R_s with an encoder):
  --encoder DIR           dual encoder for R_s (vrft train encoder, or a SigLIP-style ONNX export)
  --encoder-image-size S --encoder-text-tokens M
                          frame side and text positions of an export without encoder.json
  --semantic on|off       R_s on (default with --encoder) or off
  --semantic-weight W     w in R_s = min(1, w·max(cos, 0)) (default 2)
  --semantic-aggregation mean-frame-embedding|mean-clipped-cosine
                          cos of the mean frame embedding (default), or mean of clipped cosines
  --gate | --no-gate      count R_s only when R_a > 0 (default), or always
  --description-tokens M  encoder tokens kept of the description span (default 64)
  --reward-frames F       frames of the clip R_s compares with (default 16)
  --rollout-log-every N   append every Nth step's completions and rewards to RUN/rollouts.jsonl

vrft train eval --checkpoint CKPT --samples FILE --data DIR [--limit N] [--max-new-tokens N]
                [--plain] [--temperature X [--top-p P] [--seed S]] [--other-clip] [--json FILE]
                [--completions FILE]
  held-out answer accuracy, by problem type: greedy, or one sampled completion per sample at
  --temperature X > 0 (sample i seeded S + i, default S 0), the reward GRPO's rollouts see;
  --other-clip asks every question about another clip (the next sample's video that differs):
  the drop from the right clips is how much the answers use the video;
  --completions writes every sample's output, scored answer and reward as JSON lines

vrft train compare --baseline FILE FILE… [--label NAME]… [--json FILE]
  models scored on the same samples (eval --completions files) against the baseline: accuracy,
  Δ = mean of the per-sample differences ± its standard error, accuracy by problem type; and the
  share of each type's samples given the model's most common answer (1: one answer for all)

vrft train plot --out FILE.svg RUN… [--label NAME]… [--title TEXT] [--smooth N] [--columns N]
  training curves of run directories (their metrics.jsonl) as one SVG: training loss, held-out
  accuracy, format, loss and vision gap, GRPO rewards, KL and entropy; a panel per metric some
  run has, a colour per run (label: the run's directory name, or --label in the runs' order);
  per-update curves are the mean of the last N updates (default 10)

loop options:
${LOOP_USAGE}
  --frames scene|video    clip frames from scene files (default) or decoded videos
  --progress FILE         also append progress lines to FILE
`;

const NUMBER_FLAGS = [
  'steps',
  'batch-rows',
  'batch-tokens',
  'bucket-window',
  'accumulation',
  'lr',
  'min-lr',
  'warmup',
  'weight-decay',
  'grad-clip',
  'checkpoint-every',
  'keep',
  'log-every',
  'seed',
  'clips',
  'vocab',
  'questions-per-clip',
  'restated-per-clip',
  'eval-clips',
  'eval-samples',
  'eval-every',
  'patience',
  'val-fraction',
  'replay-clips',
  'replay-restated',
  'prompts-per-step',
  'group-size',
  'min-accuracy-spread',
  'max-generation-rounds',
  'max-new-tokens',
  'temperature',
  'top-p',
  'top-k',
  'beta',
  'inner-updates',
  'micro-rows',
  'threads',
  'limit',
  'first-seed',
  'eval-max-new-tokens',
  'eval-temperature',
  'eval-top-p',
  'eval-seed',
  'semantic-weight',
  'description-tokens',
  'reward-frames',
  'rollout-log-every',
  'encoder-image-size',
  'encoder-text-tokens',
  'ptx-coef',
  'ptx-rows',
] as const;
const STRING_FLAGS = [
  'out',
  'extra',
  'run',
  'tokenizer',
  'preset',
  'model',
  'init',
  'sft',
  'data',
  'eval',
  'select',
  'prompts',
  'objective',
  'aggregation',
  'advantage-scale',
  'checkpoint',
  'samples',
  'json',
  'completions',
  'frames',
  'progress',
  'encoder',
  'semantic',
  'semantic-aggregation',
  'freeze',
  'ptx',
] as const;

/** Parsed command line: named values as strings, flags as booleans. */
export interface RawTrainArgs {
  readonly values: Readonly<Record<string, string | string[] | boolean | undefined>>;
}

/** Parses the arguments after the subcommand; unknown options are a TrainUsageError. */
export function parseTrainArgs(args: readonly string[]): RawTrainArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    local: { type: 'boolean' },
    'train-on-prompt': { type: 'boolean' },
    plain: { type: 'boolean' },
    'other-clip': { type: 'boolean' },
    gate: { type: 'boolean' },
    'no-gate': { type: 'boolean' },
  };
  for (const flag of NUMBER_FLAGS) options[flag] = { type: 'string' };
  for (const flag of STRING_FLAGS) options[flag] = { type: 'string', ...(flag === 'extra' ? { multiple: true } : {}) };
  const { values } = asUsageError(() => parseArgs({ args: [...args], options, allowPositionals: false, strict: true }));
  return { values: values as RawTrainArgs['values'] };
}

/** Runs node's parseArgs (in `parse`), turning its errors into TrainUsageError. */
function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    throw new TrainUsageError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** What `vrft train plot` was asked for. */
export interface PlotArgs {
  readonly out: string;
  readonly runs: readonly string[];
  readonly labels: readonly string[];
  readonly title: string;
  readonly smooth: number;
  readonly columns: number;
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < 1)
    throw new TrainUsageError(`--${flag}: expected an integer ≥ 1, got ${JSON.stringify(value)}`);
  return number;
}

/** Parses the arguments of `vrft train plot` (run directories are positional). */
export function plotArgs(args: readonly string[]): PlotArgs {
  const { values, positionals } = asUsageError(() =>
    parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        label: { type: 'string', multiple: true },
        title: { type: 'string' },
        smooth: { type: 'string' },
        columns: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.out === undefined) throw new TrainUsageError('--out is required');
  if (positionals.length === 0) throw new TrainUsageError('name at least one run directory');
  const labels = values.label ?? [];
  if (labels.length > positionals.length)
    throw new TrainUsageError(`${labels.length} labels for ${positionals.length} runs: at most one label per run`);
  return {
    out: values.out,
    runs: positionals,
    labels,
    title: values.title ?? '',
    smooth: positiveInteger('smooth', values.smooth, 10),
    columns: positiveInteger('columns', values.columns, 2),
  };
}

/** What `vrft train compare` was asked for. */
export interface CompareArgs {
  readonly baseline: string;
  readonly candidates: readonly string[];
  /** Labels in the order baseline, candidates…; missing ones default to the file name. */
  readonly labels: readonly string[];
  readonly json?: string;
}

/** Parses `vrft train compare --baseline FILE FILE… [--label NAME]… [--json FILE]`. */
export function compareArgs(args: readonly string[]): CompareArgs {
  const { values, positionals } = asUsageError(() =>
    parseArgs({
      args: [...args],
      options: {
        baseline: { type: 'string' },
        label: { type: 'string', multiple: true },
        json: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.baseline === undefined) throw new TrainUsageError('--baseline is required');
  if (positionals.length === 0) throw new TrainUsageError('name at least one completions file to compare');
  const labels = values.label ?? [];
  if (labels.length > positionals.length + 1)
    throw new TrainUsageError(
      `${labels.length} labels for ${positionals.length + 1} files: at most one label per file, the baseline first`,
    );
  return {
    baseline: values.baseline,
    candidates: positionals,
    labels,
    ...(values.json === undefined ? {} : { json: values.json }),
  };
}

/** A number flag's value, or undefined when absent; throws TrainUsageError naming the flag. */
export function numberFlag(raw: RawTrainArgs, flag: (typeof NUMBER_FLAGS)[number]): number | undefined {
  const value = raw.values[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(number))
    throw new TrainUsageError(`--${flag}: expected a number, got ${JSON.stringify(value)}`);
  return number;
}

/** A string flag's value, or undefined. */
export function stringFlag(raw: RawTrainArgs, flag: (typeof STRING_FLAGS)[number]): string | undefined {
  const value = raw.values[flag];
  return typeof value === 'string' ? value : undefined;
}

/** A required string flag. */
export function requiredFlag(raw: RawTrainArgs, flag: (typeof STRING_FLAGS)[number]): string {
  const value = stringFlag(raw, flag);
  if (value === undefined) throw new TrainUsageError(`--${flag} is required`);
  return value;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `--freeze vision,projector` as a list of weight prefixes, checked by the engine's own rule here,
 * before any data or model is loaded (the trainer checks later that each names weights).
 */
function freezeFlag(raw: RawTrainArgs): readonly string[] | undefined {
  const value = stringFlag(raw, 'freeze');
  if (value === undefined) return undefined;
  try {
    return parseOptimizerOptions({ frozen: value.split(',').map((part) => part.trim()) }).frozen;
  } catch (cause) {
    throw new TrainUsageError(`--freeze ${JSON.stringify(value)}: ${(cause as Error).message}`, { cause });
  }
}

function loopOptions(raw: RawTrainArgs) {
  const optimizer = defined({
    learningRate: numberFlag(raw, 'lr'),
    minLearningRate: numberFlag(raw, 'min-lr'),
    warmupSteps: numberFlag(raw, 'warmup'),
    weightDecay: numberFlag(raw, 'weight-decay'),
    maxGradNorm: numberFlag(raw, 'grad-clip'),
    frozen: freezeFlag(raw),
  });
  return defined({
    steps: numberFlag(raw, 'steps'),
    batchRows: numberFlag(raw, 'batch-rows'),
    batchTokens: numberFlag(raw, 'batch-tokens'),
    bucketWindow: numberFlag(raw, 'bucket-window'),
    accumulation: numberFlag(raw, 'accumulation'),
    checkpointEvery: numberFlag(raw, 'checkpoint-every'),
    keepLast: numberFlag(raw, 'keep'),
    logEvery: numberFlag(raw, 'log-every'),
    seed: numberFlag(raw, 'seed'),
    ...(Object.keys(optimizer).length > 0 ? { optimizer } : {}),
  });
}

function framesFlag(raw: RawTrainArgs): 'scene' | 'video' | undefined {
  const frames = stringFlag(raw, 'frames');
  if (frames !== undefined && frames !== 'scene' && frames !== 'video')
    throw new TrainUsageError(`--frames: expected scene or video, got ${JSON.stringify(frames)}`);
  return frames;
}

/** `train tokenizer` options. */
export function tokenizerArgs(raw: RawTrainArgs): Partial<TokenizerStageOptions> {
  const extra = raw.values['extra'];
  return defined({
    outPath: requiredFlag(raw, 'out'),
    clips: numberFlag(raw, 'clips'),
    firstSeed: numberFlag(raw, 'first-seed'),
    vocabSize: numberFlag(raw, 'vocab'),
    extraFiles: Array.isArray(extra) ? extra : undefined,
  });
}

/** `train pretrain` options. */
export function pretrainArgs(raw: RawTrainArgs): Partial<PretrainOptions> {
  const model = stringFlag(raw, 'model');
  let modelOverrides: Partial<ModelPresetSizes> | undefined;
  if (model !== undefined) {
    try {
      modelOverrides = JSON.parse(model) as Partial<ModelPresetSizes>;
    } catch (cause) {
      throw new TrainUsageError(`--model: expected a JSON object of preset fields, got ${JSON.stringify(model)}`, {
        cause,
      });
    }
  }
  const preset = stringFlag(raw, 'preset');
  if (preset !== undefined && preset !== 'tiny' && preset !== 'small')
    throw new TrainUsageError(`--preset: expected tiny or small, got ${JSON.stringify(preset)}`);
  return defined({
    runDir: requiredFlag(raw, 'run'),
    tokenizerPath: requiredFlag(raw, 'tokenizer'),
    preset: preset as ModelPresetName | undefined,
    modelOverrides,
    clips: numberFlag(raw, 'clips'),
    firstSeed: numberFlag(raw, 'first-seed'),
    questionsPerClip: numberFlag(raw, 'questions-per-clip'),
    restatedPerClip: numberFlag(raw, 'restated-per-clip'),
    evalEvery: numberFlag(raw, 'eval-every'),
    evalClips: numberFlag(raw, 'eval-clips'),
    ...loopOptions(raw),
  });
}

/** `--replay-clips N [--replay-restated N]` of `train sft`; absent: no replay. */
function replayFlags(raw: RawTrainArgs): SftOptions['replay'] | undefined {
  const clips = numberFlag(raw, 'replay-clips');
  const restatedPerClip = numberFlag(raw, 'replay-restated');
  if (clips === undefined) {
    if (restatedPerClip !== undefined) throw new TrainUsageError('--replay-restated needs --replay-clips');
    return undefined;
  }
  return { clips, restatedPerClip: restatedPerClip ?? 0 };
}

/** `train sft` options. */
export function sftArgs(raw: RawTrainArgs): Partial<SftOptions> {
  const select = stringFlag(raw, 'select');
  if (select !== undefined && select !== 'accuracy' && select !== 'loss')
    throw new TrainUsageError(`--select: expected accuracy or loss, got ${JSON.stringify(select)}`);
  const threads = numberFlag(raw, 'threads');
  return defined({
    runDir: requiredFlag(raw, 'run'),
    init: requiredFlag(raw, 'init'),
    sftFile: requiredFlag(raw, 'sft'),
    dataDir: requiredFlag(raw, 'data'),
    evalFile: stringFlag(raw, 'eval'),
    evalSamples: numberFlag(raw, 'eval-samples'),
    evalEvery: numberFlag(raw, 'eval-every'),
    evalMaxNewTokens: numberFlag(raw, 'eval-max-new-tokens'),
    patience: numberFlag(raw, 'patience'),
    selectBy: select,
    trainOnPrompt: raw.values['train-on-prompt'] === true ? true : undefined,
    validationFraction: numberFlag(raw, 'val-fraction'),
    frames: framesFlag(raw),
    replay: replayFlags(raw),
    engine: threads === undefined ? undefined : { intraOpThreads: threads },
    ...loopOptions(raw),
  });
}

/**
 * Sampled-evaluation flags: `--temperature X [--top-p P] [--seed S]` of `train eval`, or with the
 * `eval-` prefix those of `train grpo`. Absent or 0: greedy; learner-core checks the ranges.
 */
export function evaluationSamplingFlags(raw: RawTrainArgs, prefix: '' | 'eval-'): EvaluationSampling | undefined {
  const temperature = numberFlag(raw, `${prefix}temperature`) ?? 0;
  const topP = numberFlag(raw, `${prefix}top-p`);
  const seed = numberFlag(raw, `${prefix}seed`);
  if (temperature === 0) {
    if (topP !== undefined || seed !== undefined)
      throw new TrainUsageError(
        `--${prefix}top-p and --${prefix}seed sample: they need --${prefix}temperature above 0`,
      );
    return undefined;
  }
  return { temperature, topP: topP ?? 1, seed: seed ?? 0 };
}

const SIMILARITY_AGGREGATIONS = ['mean-frame-embedding', 'mean-clipped-cosine'] as const;

/** The reward recipe and encoder flags of `train grpo`; learner-core checks ranges again as `reward.<field>`. */
function rewardArgs(raw: RawTrainArgs): Pick<Partial<LocalGrpoOptions>, 'reward' | 'encoder'> {
  const semantic = stringFlag(raw, 'semantic');
  if (semantic !== undefined && semantic !== 'on' && semantic !== 'off')
    throw new TrainUsageError(`--semantic: expected on or off, got ${JSON.stringify(semantic)}`);
  const aggregation = stringFlag(raw, 'semantic-aggregation');
  if (aggregation !== undefined && !(SIMILARITY_AGGREGATIONS as readonly string[]).includes(aggregation))
    throw new TrainUsageError(
      `--semantic-aggregation: expected ${SIMILARITY_AGGREGATIONS.join(' or ')}, got ${JSON.stringify(aggregation)}`,
    );
  if (raw.values['gate'] === true && raw.values['no-gate'] === true)
    throw new TrainUsageError('--gate and --no-gate: give one of them');
  const weight = numberFlag(raw, 'semantic-weight');
  if (weight !== undefined && weight < 0)
    throw new TrainUsageError(`--semantic-weight: expected a number ≥ 0, got ${weight}`);
  const positiveInteger = (
    flag: 'description-tokens' | 'reward-frames' | 'encoder-image-size' | 'encoder-text-tokens',
  ): number | undefined => {
    const value = numberFlag(raw, flag);
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new TrainUsageError(`--${flag}: expected an integer ≥ 1, got ${value}`);
    return value;
  };
  const reward = defined({
    semantic: semantic === undefined ? undefined : semantic === 'on',
    semanticWeight: weight,
    aggregation: aggregation as (typeof SIMILARITY_AGGREGATIONS)[number] | undefined,
    gate: raw.values['no-gate'] === true ? false : raw.values['gate'] === true ? true : undefined,
    descriptionTokens: positiveInteger('description-tokens'),
    numFrames: positiveInteger('reward-frames'),
  });
  const dir = stringFlag(raw, 'encoder');
  const exported = defined({
    imageSize: positiveInteger('encoder-image-size'),
    maxTextTokens: positiveInteger('encoder-text-tokens'),
  });
  if (dir === undefined && Object.keys(exported).length > 0)
    throw new TrainUsageError('--encoder-image-size and --encoder-text-tokens describe the --encoder DIR: give it');
  const threads = numberFlag(raw, 'threads');
  return defined({
    reward: Object.keys(reward).length > 0 ? reward : undefined,
    encoder: dir === undefined ? undefined : { dir, ...exported, ...defined({ intraOpThreads: threads }) },
  });
}

/** `train grpo --local` options. */
/** `--ptx FILE [--ptx-coef X] [--ptx-rows N]` of `train grpo`; absent: no PPO-ptx term. */
function ptxFlags(raw: RawTrainArgs): LocalGrpoOptions['ptx'] {
  const file = stringFlag(raw, 'ptx');
  const coefficient = numberFlag(raw, 'ptx-coef');
  const rows = numberFlag(raw, 'ptx-rows');
  if (file === undefined) {
    if (coefficient !== undefined || rows !== undefined)
      throw new TrainUsageError('--ptx-coef and --ptx-rows need --ptx FILE');
    return undefined;
  }
  return { file, coefficient: coefficient ?? DEFAULT_PTX.coefficient, rows: rows ?? DEFAULT_PTX.rows };
}

export function grpoArgs(raw: RawTrainArgs): Partial<LocalGrpoOptions> {
  if (raw.values['local'] !== true)
    throw new TrainUsageError('--local is required: the distributed learner is the learner service (apps/learner)');
  const objective = stringFlag(raw, 'objective');
  if (objective !== undefined && !POLICY_OBJECTIVES.includes(objective as PolicyObjective))
    throw new TrainUsageError(
      `--objective: expected ${POLICY_OBJECTIVES.join(' or ')}, got ${JSON.stringify(objective)}`,
    );
  const aggregation = stringFlag(raw, 'aggregation');
  if (aggregation !== undefined && !LOSS_AGGREGATIONS.includes(aggregation as LossAggregation))
    throw new TrainUsageError(
      `--aggregation: expected ${LOSS_AGGREGATIONS.join(' or ')}, got ${JSON.stringify(aggregation)}`,
    );
  const advantageScale = stringFlag(raw, 'advantage-scale');
  if (advantageScale !== undefined && advantageScale !== 'std' && advantageScale !== 'none')
    throw new TrainUsageError(`--advantage-scale: expected std or none, got ${JSON.stringify(advantageScale)}`);
  const grpo: GrpoConfigInput = defined({
    beta: numberFlag(raw, 'beta'),
    // none: A_i = r_i − mean_g, without dividing by the group's std (Dr. GRPO)
    scaleAdvantagesByStd: advantageScale === undefined ? undefined : advantageScale === 'std',
    innerUpdates: numberFlag(raw, 'inner-updates'),
    objective: objective as PolicyObjective | undefined,
    aggregation: aggregation as LossAggregation | undefined,
  });
  const sampling = defined({
    temperature: numberFlag(raw, 'temperature'),
    topP: numberFlag(raw, 'top-p'),
    topK: numberFlag(raw, 'top-k'),
    maxNewTokens: numberFlag(raw, 'max-new-tokens'),
  });
  const threads = numberFlag(raw, 'threads');
  const loop = loopOptions(raw);
  return defined({
    runDir: requiredFlag(raw, 'run'),
    init: requiredFlag(raw, 'init'),
    promptsFile: requiredFlag(raw, 'prompts'),
    dataDir: requiredFlag(raw, 'data'),
    steps: loop.steps,
    promptsPerStep: numberFlag(raw, 'prompts-per-step'),
    groupSize: numberFlag(raw, 'group-size'),
    minAccuracySpread: numberFlag(raw, 'min-accuracy-spread'),
    maxGenerationRounds: numberFlag(raw, 'max-generation-rounds'),
    sampling:
      Object.keys(sampling).length > 0
        ? { temperature: 1, topP: 1, topK: 0, maxNewTokens: 256, ...sampling }
        : undefined,
    grpo,
    optimizer: loop.optimizer,
    microRows: numberFlag(raw, 'micro-rows'),
    checkpointEvery: loop.checkpointEvery,
    keepLast: loop.keepLast,
    logEvery: loop.logEvery,
    seed: loop.seed,
    evalFile: stringFlag(raw, 'eval'),
    evalSamples: numberFlag(raw, 'eval-samples'),
    evalEvery: numberFlag(raw, 'eval-every'),
    evalMaxNewTokens: numberFlag(raw, 'eval-max-new-tokens'),
    evalSampling: evaluationSamplingFlags(raw, 'eval-'),
    frames: framesFlag(raw),
    engine: threads === undefined ? undefined : { intraOpThreads: threads },
    rolloutLogEvery: numberFlag(raw, 'rollout-log-every'),
    ptx: ptxFlags(raw),
    ...rewardArgs(raw),
  });
}
