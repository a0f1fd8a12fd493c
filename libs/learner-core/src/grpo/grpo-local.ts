/**
 * `vrft train grpo --local`: the single-process GRPO learner. Each step reads as its dataflow:
 *
 *   prompts → generate → (encode →) reward → (filter →) reference → advantages → update → publish (→ checkpoint)
 *
 * The filter is DAPO's dynamic sampling, off by default: groups without an accuracy spread are
 * dropped and further rounds of prompts are sampled until the step has promptsPerStep groups.
 *
 * with one typed batch passed between named, timed stages. Rollouts come from an onnxruntime
 * engine serving the current weights (hot-swapped after every update), reference log-probs from a
 * second engine on the frozen start checkpoint (copied into runDir/reference), updates from the
 * tfjs model. Sampling seeds come from the run's RNG, whose state is checkpointed with the
 * weights, optimizer moments, data cursor and counters: a run killed at any moment and restarted
 * ends with the same weights as an uninterrupted one. With a dual encoder the reward is the method's
 * R = R_f + R_a + 1[R_a > 0]·R_s (the encode stage embeds the description spans and the clips'
 * frames); without one, R = R_f + R_a.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readSamples, type VideoSample } from '@vrft/data';
import { type OnnxEncoderOptionsInput } from '@vrft/dual-encoder';
import { OrtEngine, type EngineOptions } from '@vrft/engine-ort';
import { TfjsModel, Trainer, type OptimizerOptions } from '@vrft/engine-tfjs';
import { buildInputSequence, loadCheckpoint, visualTokensPerClip, type ModelConfig } from '@vrft/model';
import { type RewardRecipeInput } from '@vrft/rewards';
import { parseGrpoConfig, type GrpoConfigInput } from '@vrft/rl';
import { type Tokenizer } from '@vrft/tokenizer';
import { ClipFrameLoader } from '../clip-frames.js';
import { digestOptions } from '../digest.js';
import { TrainingDataError, TrainingOptionsError } from '../errors.js';
import {
  checkEvaluationSampling,
  evaluateAccuracy,
  type AccuracyReport,
  type EvaluationSampling,
} from '../evaluate.js';
import { pathExists } from '../fs-durable.js';
import { ProgressMeter, type LineSink } from '../progress.js';
import { reasoningPrompt } from '../prompts.js';
import { requireInteger, requireNumber, requireString, withStageDefaults } from '../stage-options.js';
import { scheduleFor, writeModelDirectory } from '../supervised-loop.js';
import {
  checkResumable,
  findLatestTrainingCheckpoint,
  TRAINING_STATE_FORMAT,
  writeTrainingCheckpoint,
} from '../training-checkpoint.js';
import { createTrainingRng, seedTrainingRng, takeInEpochOrder, type TrainingRng } from '../training-rng.js';
import {
  advantageGroups,
  generateGroups,
  informativeGroups,
  localRewardRecipe,
  logProbTemperature,
  referenceGroups,
  rewardGroups,
  type RolloutSampling,
} from './grpo-stages.js';
import { loadPtxExamples, ptxExamplesOfStep, type PtxOptions } from './ptx.js';
import { applyGrpoUpdate } from './grpo-update.js';
import { type RewardedGroup, type RolloutTask } from './rollout-batch.js';
import { rolloutLogLines } from './rollout-log.js';
import { encoderIdentity, encoderOptions, GroupEncoder, openEncoder } from './semantic-encoding.js';
import { StageTimer } from './stage-timer.js';
import { collectStepMetrics } from './step-metrics.js';

/** Options of runLocalGrpo. */
export interface LocalGrpoOptions {
  readonly runDir: string;
  /** Checkpoint to start from (the SFT model); also the frozen reference. */
  readonly init: string;
  /** RL prompts: any Video-R1 samples file (questions and answers, no CoT needed). */
  readonly promptsFile: string;
  /** Directory the samples' media paths are relative to. */
  readonly dataDir: string;
  /** Optimizer updates. */
  readonly steps: number;
  /** Prompts per step. Default 4. */
  readonly promptsPerStep: number;
  /** G, completions per prompt. Default 8. */
  readonly groupSize: number;
  /**
   * Dynamic sampling: keep only groups whose R_a spreads by at least this much (max − min over the
   * group; binary rewards: some right, some wrong), sampling more rounds of promptsPerStep prompts
   * until promptsPerStep groups are kept. Default 0: every group is kept, one round per step.
   */
  readonly minAccuracySpread: number;
  /**
   * The most rounds of generation a step may take while filtering. A step that keeps fewer groups
   * trains on those; one that keeps none trains on its last round as it came (without accuracy
   * signal, only R_f, R_s and the KL move it). Default 4.
   */
  readonly maxGenerationRounds: number;
  readonly sampling: RolloutSampling;
  /** GRPO hyperparameters (@vrft/rl; β 0.04, one update per batch by default). */
  readonly grpo: GrpoConfigInput;
  /** AdamW and schedule. Default lr 2e-5, no warm-up, weight decay 0.01, clip 5 (method.md §5). */
  readonly optimizer: Partial<OptimizerOptions>;
  /** Completions per micro-batch of the update. Default 8. */
  readonly microRows: number;
  /** Updates between checkpoints. Default 10. */
  readonly checkpointEvery: number;
  readonly keepLast: number;
  /** Updates between progress lines. Default 1. */
  readonly logEvery: number;
  readonly seed: number;
  /** Samples for held-out accuracy at the start and every evalEvery updates (none: no evaluation). */
  readonly evalFile?: string;
  readonly evalSamples: number;
  /**
   * Updates between evaluations; 0 evaluates only at the start and the end. Each evaluation after
   * an update that beats the earlier ones is kept in runDir/best. Default 0.
   */
  readonly evalEvery: number;
  readonly evalMaxNewTokens: number;
  /**
   * Score one sampled completion per sample (the R_a the rollouts see) instead of the greedy one;
   * RUN/best then keeps the best sampled accuracy. Every evaluation draws the same seeds, so
   * checkpoints are compared on the same random numbers. Absent: greedy.
   */
  readonly evalSampling?: EvaluationSampling;
  readonly frames: 'scene' | 'video';
  /** onnxruntime options of the policy and reference engines. */
  readonly engine: Partial<EngineOptions>;
  /**
   * Reward recipe over the method's defaults (@vrft/rewards: weights, gate, aggregation, M, F,
   * bonuses). Semantic consistency is on by default only when `encoder` is given.
   */
  readonly reward: RewardRecipeInput;
  /**
   * The dual encoder for R_s: `dir` is a `vrft train encoder` output or an external SigLIP-style
   * ONNX export (then with imageSize, maxTextTokens and io names as OnnxDualEncoder.open takes them).
   */
  readonly encoder?: OnnxEncoderOptionsInput;
  /** Clips whose frame embeddings are kept between steps (the encoder is frozen); 0 keeps none. Default 1024. */
  readonly encoderCacheClips: number;
  /** Updates between appends of the step's completions and rewards to RUN/rollouts.jsonl; 0 never. Default 0. */
  readonly rolloutLogEvery: number;
  /**
   * PPO-ptx: every update adds γ·NLL of `rows` CoT-SFT examples of `file` (the data SFT trained
   * on, under the reasoning prompt), in a seeded order that is a function of the step, so a
   * resumed run draws the same ones. Absent: none.
   */
  readonly ptx?: PtxOptions;
}

/** Defaults of LocalGrpoOptions (runDir, init, promptsFile, dataDir, steps have none). */
export const DEFAULT_LOCAL_GRPO_OPTIONS: Omit<
  LocalGrpoOptions,
  'runDir' | 'init' | 'promptsFile' | 'dataDir' | 'steps'
> = {
  promptsPerStep: 4,
  groupSize: 8,
  minAccuracySpread: 0,
  maxGenerationRounds: 4,
  sampling: { temperature: 1, topP: 1, topK: 0, maxNewTokens: 256 },
  grpo: {},
  optimizer: { learningRate: 2e-5, minLearningRate: 2e-6, warmupSteps: 0, weightDecay: 0.01, maxGradNorm: 5 },
  microRows: 8,
  checkpointEvery: 10,
  keepLast: 2,
  logEvery: 1,
  seed: 1,
  evalSamples: 64,
  evalEvery: 0,
  evalMaxNewTokens: 320,
  frames: 'scene',
  engine: {},
  reward: {},
  encoderCacheClips: 1024,
  rolloutLogEvery: 0,
};

/** Validates local GRPO options over the defaults; throws TrainingOptionsError naming the field. */
export function parseLocalGrpoOptions(input: Partial<LocalGrpoOptions>): LocalGrpoOptions {
  const options = withStageDefaults<LocalGrpoOptions>(DEFAULT_LOCAL_GRPO_OPTIONS, input);
  for (const field of ['runDir', 'init', 'promptsFile', 'dataDir'] as const) requireString(field, options[field]);
  requireInteger('steps', options.steps, 1);
  requireInteger('promptsPerStep', options.promptsPerStep, 1, 4096);
  requireInteger('groupSize', options.groupSize, 2, 64);
  requireNumber('minAccuracySpread', options.minAccuracySpread, 0, 1);
  requireInteger('maxGenerationRounds', options.maxGenerationRounds, 1, 64);
  requireNumber('sampling.temperature', options.sampling.temperature, 0, 10);
  requireNumber('sampling.topP', options.sampling.topP, 1e-6, 1);
  requireInteger('sampling.topK', options.sampling.topK, 0);
  requireInteger('sampling.maxNewTokens', options.sampling.maxNewTokens, 1);
  requireInteger('microRows', options.microRows, 1);
  requireInteger('checkpointEvery', options.checkpointEvery, 1);
  requireInteger('keepLast', options.keepLast, 1);
  requireInteger('logEvery', options.logEvery, 1);
  requireInteger('seed', options.seed, 0, 0x7fffffff);
  requireInteger('evalSamples', options.evalSamples, 1);
  requireInteger('evalEvery', options.evalEvery, 0);
  requireInteger('evalMaxNewTokens', options.evalMaxNewTokens, 1);
  if (options.evalSampling !== undefined) checkEvaluationSampling(options.evalSampling, 'evalSampling');
  if (options.frames !== 'scene' && options.frames !== 'video')
    throw new TrainingOptionsError('frames', `expected scene or video, got ${String(options.frames)}`);
  parseGrpoConfig(options.grpo); // throws naming the bad GRPO field
  requireInteger('encoderCacheClips', options.encoderCacheClips, 0);
  requireInteger('rolloutLogEvery', options.rolloutLogEvery, 0);
  if (options.ptx !== undefined) {
    requireString('ptx.file', options.ptx.file);
    requireNumber('ptx.coefficient', options.ptx.coefficient, 0, 1000);
    requireInteger('ptx.rows', options.ptx.rows, 1, 4096);
  }
  const recipe = localRewardRecipe(options.reward, options.encoder !== undefined); // names reward.<field>
  if (options.encoder !== undefined) encoderOptions(options.encoder);
  else if (recipe.semantic)
    throw new TrainingOptionsError(
      'encoder',
      'reward.semantic is on, and semantic consistency needs the dual encoder: give an encoder directory ' +
        '(vrft train encoder) or set reward.semantic to false',
    );
  return options;
}

/** How a local GRPO run ended. */
export interface LocalGrpoResult {
  readonly step: number;
  readonly resumedFrom: number;
  /** Servable checkpoint of the final weights (runDir/final). */
  readonly finalDir: string;
  /** Held-out accuracy before the first update (fresh runs only) and after the last. */
  readonly startAccuracy?: AccuracyReport;
  readonly endAccuracy?: AccuracyReport;
  /**
   * The best evaluation after an update (runDir/best), when evaluation ran; the start model never
   * counts, so bestDir always holds GRPO-trained weights.
   */
  readonly best?: { readonly dir: string; readonly step: number; readonly accuracy: number };
  /** Scalars of the last step. */
  readonly lastMetrics: Record<string, number>;
}

async function toRolloutPrompt(
  sample: VideoSample,
  tokenizer: Tokenizer,
  config: ModelConfig,
  frames: ClipFrameLoader,
): Promise<RolloutTask> {
  return {
    problemId: String(sample.problem_id),
    problemType: sample.problem_type,
    solution: sample.solution,
    promptIds: buildInputSequence(tokenizer, reasoningPrompt(sample), visualTokensPerClip(config)).tokenIds,
    frames: await frames.load(sample.path),
    clipPath: sample.path,
  };
}

/** Runs (or resumes) the local GRPO loop. */
export async function runLocalGrpo(
  input: Partial<LocalGrpoOptions>,
  out: LineSink,
  clock: () => number = () => performance.now(),
): Promise<LocalGrpoResult> {
  const options = parseLocalGrpoOptions(input);
  const grpo = parseGrpoConfig(options.grpo);
  const recipe = localRewardRecipe(options.reward, options.encoder !== undefined);
  const encoderSettings = options.encoder === undefined ? undefined : encoderOptions(options.encoder);
  await mkdir(options.runDir, { recursive: true });
  const referenceDir = join(options.runDir, 'reference');
  if (!(await pathExists(referenceDir))) {
    // The frozen reference is the start checkpoint; a copy in the run survives changes to `init`.
    await writeModelDirectory(referenceDir, options.runDir, await loadCheckpoint(options.init), { role: 'reference' });
  }
  const reference = await loadCheckpoint(referenceDir);
  const { config, tokenizer } = reference;
  const samples = await readSamples(options.promptsFile, { kind: 'rl' });
  if (samples.length === 0) throw new TrainingDataError(`${options.promptsFile} holds no samples`);
  const evalSet =
    options.evalFile === undefined
      ? []
      : (await readSamples(options.evalFile, { kind: 'eval' })).slice(0, options.evalSamples);
  const frames = new ClipFrameLoader(config, { dataDir: options.dataDir, prefer: options.frames });
  const ptxExamples = options.ptx === undefined ? [] : await loadPtxExamples(options.ptx.file, reference, frames, out);

  const {
    runDir: _r,
    init: _i,
    promptsFile: _p,
    dataDir: _d,
    evalFile: _e,
    logEvery: _l,
    keepLast: _k,
    engine: _g,
    reward: _w,
    encoder: _n,
    encoderCacheClips: _c,
    rolloutLogEvery: _o,
    ptx,
    ...shaping
  } = options;
  // The parsed recipe and the encoder's identity: a resume with other reward settings is refused.
  const optionsDigest = digestOptions({
    ...shaping,
    samples: samples.length,
    evalSamples: evalSet.length,
    ...(ptx === undefined
      ? {}
      : { ptx: { coefficient: ptx.coefficient, rows: ptx.rows, examples: ptxExamples.length } }),
    reward: recipe,
    ...(recipe.semantic && encoderSettings !== undefined ? { encoder: encoderIdentity(encoderSettings) } : {}),
  });
  const resumed = await findLatestTrainingCheckpoint(options.runDir);
  if (resumed !== undefined) checkResumable(resumed.state, 'grpo', optionsDigest, resumed.dir);
  // Opened before the tfjs model and the engines, so a bad encoder fails early; closed whatever happens next.
  const encoder =
    recipe.semantic && encoderSettings !== undefined ? await openEncoder(encoderSettings, recipe) : undefined;
  const groupEncoder =
    encoder === undefined
      ? undefined
      : new GroupEncoder(
          encoder,
          recipe,
          (clip, count, size) => frames.loadResized(clip, count, size, size),
          options.encoderCacheClips,
        );
  try {
    const model = TfjsModel.create(config, resumed?.weights ?? reference.weights);
    const trainer = new Trainer(model, scheduleFor(options.optimizer, options.steps));
    if (resumed !== undefined) trainer.importState(resumed.optimizer);
    const frozen = trainer.frozenSummary();
    if (frozen !== undefined) out.write(`grpo: ${frozen}\n`);
    const rng: TrainingRng = createTrainingRng(resumed?.state.rng ?? seedTrainingRng(options.seed));
    const cursor = { epoch: resumed?.state.cursor['epoch'] ?? 0, index: resumed?.state.cursor['index'] ?? 0 };
    const counters = {
      groups: resumed?.state.counters['groups'] ?? 0,
      completions: resumed?.state.counters['completions'] ?? 0,
    };
    let policyVersion = Number(resumed?.state.extra['policyVersion'] ?? 0);
    // The best evaluated step so far (−1: none yet), restored so a resumed run keeps the same best.
    const best = {
      step: Number(resumed?.state.extra['bestStep'] ?? -1),
      accuracy: Number(resumed?.state.extra['bestAccuracy'] ?? -1),
    };
    const bestDir = join(options.runDir, 'best');
    const resumedFrom = trainer.step;
    if (resumed !== undefined) out.write(`grpo: resuming from ${resumed.dir} (step ${resumedFrom})\n`);

    const policySource = (version: number) => ({
      kind: 'memory' as const,
      config,
      tokenizer,
      weights: model.exportWeights(),
      version: String(version),
    });
    const policy = await OrtEngine.open(policySource(policyVersion), options.engine);
    const referenceEngine = await OrtEngine.open(
      { kind: 'memory', config, tokenizer, weights: reference.weights, version: 'reference' },
      options.engine,
    );
    const metricsPath = join(options.runDir, 'metrics.jsonl');
    const meter = new ProgressMeter('grpo', options.steps, resumedFrom, clock);
    const evaluate = async (label: string): Promise<AccuracyReport | undefined> => {
      if (evalSet.length === 0) return undefined;
      const sampling = options.evalSampling;
      const report = await evaluateAccuracy(policy, evalSet, frames, {
        maxNewTokens: options.evalMaxNewTokens,
        ...(sampling === undefined ? {} : { sampling }),
      });
      const decoding = sampling === undefined ? 'greedy' : `sampled τ ${sampling.temperature} top-p ${sampling.topP}`;
      out.write(
        `grpo eval (${label}, step ${trainer.step}): accuracy ${report.accuracy.toFixed(4)}, format ${report.formatRate.toFixed(3)} on ${report.samples} samples, ${decoding}\n`,
      );
      const evalLine = {
        accuracy: report.accuracy,
        format: report.formatRate,
        ...(sampling === undefined ? {} : { temperature: sampling.temperature }),
      };
      await appendFile(metricsPath, `${JSON.stringify({ step: trainer.step, eval: evalLine })}\n`);
      if (trainer.step > 0 && report.accuracy > best.accuracy) {
        best.step = trainer.step;
        best.accuracy = report.accuracy;
        await writeModelDirectory(
          bestDir,
          options.runDir,
          { config, tokenizer, weights: model.exportWeights() },
          { step: String(trainer.step), stage: 'grpo', accuracy: report.accuracy.toFixed(4) },
        );
        out.write(`grpo: best so far, saved to ${bestDir}\n`);
      }
      return report;
    };
    const checkpoint = (): Promise<string> =>
      writeTrainingCheckpoint(
        options.runDir,
        {
          config,
          tokenizer,
          weights: model.exportWeights(),
          optimizer: trainer.exportState(),
          state: {
            format: TRAINING_STATE_FORMAT,
            stage: 'grpo',
            step: trainer.step,
            seed: options.seed,
            optionsDigest,
            rng: rng.state(),
            cursor: { ...cursor },
            counters: { ...counters },
            extra: { policyVersion, bestStep: best.step, bestAccuracy: best.accuracy },
          },
        },
        options.keepLast,
      );

    let lastMetrics: Record<string, number> = {};
    const temperature = logProbTemperature(options.sampling); // of log π_θ and log π_ref, as the rollouts'
    let endAccuracy: AccuracyReport | undefined;
    try {
      const startAccuracy = resumedFrom === 0 ? await evaluate('start') : undefined;
      while (trainer.step < options.steps) {
        const timer = new StageTimer(clock);
        // Rounds of prompts → generate → (encode →) reward, until the filter has kept a full step.
        const filtering = options.minAccuracySpread > 0;
        const kept: RewardedGroup[] = [];
        let lastRound: RewardedGroup[] = [];
        let rounds = 0;
        while (kept.length < options.promptsPerStep && rounds < (filtering ? options.maxGenerationRounds : 1)) {
          rounds += 1;
          const batchSamples = takeInEpochOrder(samples, cursor, options.promptsPerStep, options.seed);
          const seeds = batchSamples.map(() => rng.nextSeed());
          const prompts = await Promise.all(batchSamples.map((s) => toRolloutPrompt(s, tokenizer, config, frames)));
          const generated = await timer.run('generate', () =>
            generateGroups(policy, prompts, options.groupSize, options.sampling, seeds, policyVersion),
          );
          const embeddings = groupEncoder && (await timer.run('encode', () => groupEncoder.encode(generated)));
          lastRound = await timer.run('reward', () => rewardGroups(generated, recipe, embeddings));
          const round = lastRound;
          const informative = filtering
            ? await timer.run('filter', () => informativeGroups(round, options.minAccuracySpread))
            : round;
          kept.push(...informative.slice(0, options.promptsPerStep - kept.length));
        }
        const rewarded = kept.length > 0 ? kept : lastRound;
        const referenced = await timer.run('reference', () => referenceGroups(referenceEngine, rewarded, temperature));
        const scored = await timer.run('advantages', () => advantageGroups(referenced, grpo));
        const update = await timer.run('update', () =>
          applyGrpoUpdate(model, trainer, scored, {
            grpo,
            microRows: options.microRows,
            importanceCorrection: false,
            temperature,
            ...(ptx === undefined
              ? {}
              : {
                  ptx: {
                    coefficient: ptx.coefficient,
                    sequences: ptxExamplesOfStep(ptxExamples, trainer.step, ptx.rows, options.seed),
                  },
                }),
          }),
        );
        await timer.run('publish', async () => {
          policyVersion += 1;
          await policy.swapWeights(policySource(policyVersion)); // hot-swap: the next rollouts use θ_{v+1}
        });
        counters.groups += scored.length;
        counters.completions += scored.reduce((n, g) => n + g.completions.length, 0);
        const step = trainer.step;
        // Evaluate before checkpointing, so a checkpoint already holds this step's best.
        if (step === options.steps) endAccuracy = await evaluate('end');
        else if (options.evalEvery > 0 && step % options.evalEvery === 0) await evaluate('periodic');
        if (step % options.checkpointEvery === 0 || step === options.steps) await timer.run('checkpoint', checkpoint);
        lastMetrics = collectStepMetrics(
          scored,
          update,
          timer.breakdown(),
          policyVersion - 1,
          filtering ? { generatedGroups: rounds * options.promptsPerStep, generationRounds: rounds } : undefined,
        );
        await appendFile(metricsPath, `${JSON.stringify({ step, ...lastMetrics })}\n`);
        if (options.rolloutLogEvery > 0 && step % options.rolloutLogEvery === 0)
          await appendFile(join(options.runDir, 'rollouts.jsonl'), rolloutLogLines(step, scored));
        if (step % options.logEvery === 0 || step === options.steps) {
          out.write(
            `${meter.line(step, {
              reward: lastMetrics['reward/total_mean'] ?? 0,
              accuracy: lastMetrics['reward/accuracy_mean'] ?? 0,
              format: lastMetrics['reward/format_mean'] ?? 0,
              ...(recipe.semantic ? { R_s: lastMetrics['reward/semantic_mean'] ?? 0 } : {}),
              kl: lastMetrics['policy/kl'] ?? 0,
              loss: lastMetrics['policy/loss'] ?? 0,
              entropy: lastMetrics['policy/entropy'] ?? 0,
              len: lastMetrics['rollout/completion_tokens_mean'] ?? 0,
              'tokens/s': lastMetrics['throughput/tokens_per_s'] ?? 0,
            })} [${Object.entries(timer.breakdown())
              .map(([k, v]) => `${k} ${v.toFixed(2)}s`)
              .join(', ')}]\n`,
          );
        }
      }
      endAccuracy ??= await evaluate('end'); // a run resumed after its last step
      const finalDir = join(options.runDir, 'final');
      await writeModelDirectory(
        finalDir,
        options.runDir,
        { config, tokenizer, weights: model.exportWeights() },
        {
          step: String(trainer.step),
          stage: 'grpo',
        },
      );
      return {
        step: trainer.step,
        resumedFrom,
        finalDir,
        ...(startAccuracy !== undefined ? { startAccuracy } : {}),
        ...(endAccuracy !== undefined ? { endAccuracy } : {}),
        ...(best.step >= 0 ? { best: { dir: bestDir, step: best.step, accuracy: best.accuracy } } : {}),
        lastMetrics,
      };
    } finally {
      await policy.close();
      await referenceEngine.close();
      trainer.dispose();
      model.dispose();
    }
  } finally {
    await encoder?.close();
  }
}
