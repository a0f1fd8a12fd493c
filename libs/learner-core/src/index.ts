/**
 * @vrft/learner-core — the training stages of the method as functions: the tokenizer and the base
 * model (pretraining on the synthetic world), SFT on CoT data, GRPO (the single-process loop and
 * the update the learner service applies to rollout groups), resumable atomic checkpoints, and
 * held-out evaluation.
 */
export { RolloutInputError, TrainingCheckpointError, TrainingDataError, TrainingOptionsError } from './errors.js';
export {
  createTrainingRng,
  seedTrainingRng,
  shuffledIndices,
  type TrainingRng,
  type TrainingRngState,
} from './training-rng.js';
export {
  checkpointDirName,
  checkResumable,
  decodeOptimizerState,
  encodeOptimizerState,
  findLatestTrainingCheckpoint,
  readTrainingCheckpoint,
  removeCheckpointLeftovers,
  RUN_LAYOUT,
  TRAINING_STATE_FORMAT,
  writeTrainingCheckpoint,
  type StoredTrainingCheckpoint,
  type TrainingCheckpoint,
  type TrainingState,
} from './training-checkpoint.js';
export { digestOptions } from './digest.js';
export { ClipFrameLoader, sampleModelFrames, type ClipFrameLoaderOptions, type FrameTensor } from './clip-frames.js';
export {
  captionPrompt,
  CAPTION_PROMPT,
  plainPrompt,
  PLAIN_PROMPT_TEMPLATE,
  reasoningPrompt,
  VIDEO_PREFIX,
  type PromptSample,
} from './prompts.js';
export { tokenizeExample, type TextExample, type TokenizedExample, type TokenizeOptions } from './examples.js';
export { bucketBatches, type BucketOptions } from './batching.js';
export { formatDuration, ProgressMeter, type LineSink } from './progress.js';
export {
  DEFAULT_EVALUATE_OPTIONS,
  checkEvaluationSampling,
  evaluateAccuracy,
  type AccuracyReport,
  type EvaluateOptions,
  type EvaluationSampling,
  type ScoredCompletion,
} from './evaluate.js';
export {
  AccuracyProbe,
  validationLoss,
  visionReliance,
  withOtherClipsFrames,
  withOtherClipsVideos,
  type VisionReliance,
} from './validation.js';
export { describeWorldClip, renderWorldClip, templateTexts, worldCorpus, type WorldClipText } from './world-texts.js';
export {
  DEFAULT_TOKENIZER_STAGE_OPTIONS,
  parseTokenizerStageOptions,
  trainTokenizerStage,
  type TokenizerStageOptions,
} from './tokenizer-stage.js';
export { DEFAULT_LOOP_OPTIONS, type LoopOptions } from './stage-options.js';
export {
  runSupervisedLoop,
  writeModelDirectory,
  type EvaluationOutcome,
  type SupervisedLoopOptions,
  type SupervisedResult,
  type SupervisedStart,
} from './supervised-loop.js';
export {
  buildCaptionProbe,
  buildPretrainExamples,
  DEFAULT_PRETRAIN_OPTIONS,
  parsePretrainOptions,
  runPretrainStage,
  type PretrainOptions,
} from './pretrain-stage.js';
export { DEFAULT_SFT_OPTIONS, parseSftOptions, runSftStage, sftCompletion, type SftOptions } from './sft-stage.js';
export {
  type GeneratedGroup,
  type GroupRewards,
  type ReferencedGroup,
  type RewardedGroup,
  type RolloutCompletion,
  type MetricGroup,
  type RolloutPrompt,
  type RolloutTask,
  type ScoredGroup,
  type SemanticRewards,
  type UpdateGroup,
} from './grpo/rollout-batch.js';
export { GRPO_STAGES, StageTimer, type GrpoStageName } from './grpo/stage-timer.js';
export { applyGrpoUpdate, type GrpoUpdateOptions, type GrpoUpdateResult } from './grpo/grpo-update.js';
export {
  advantageGroups,
  completionGroupOf,
  generateGroups,
  hasAccuracySpread,
  informativeGroups,
  localRewardRecipe,
  referenceGroups,
  rewardGroups,
  type RolloutSampling,
} from './grpo/grpo-stages.js';
export { GroupEncoder, type ClipFramesLoader, type EncodeCounts } from './grpo/semantic-encoding.js';
export { rolloutLogLines, type LoggedCompletion, type RolloutLogRecord } from './grpo/rollout-log.js';
export {
  BONUS_STEP_METRICS,
  collectStepMetrics,
  DYNAMIC_SAMPLING_STEP_METRICS,
  PTX_STEP_METRICS,
  SEMANTIC_STEP_METRICS,
  type DynamicSamplingCounts,
  STEP_METRIC_GLOSSARY,
} from './grpo/step-metrics.js';
export {
  DEFAULT_LOCAL_GRPO_OPTIONS,
  parseLocalGrpoOptions,
  runLocalGrpo,
  type LocalGrpoOptions,
  type LocalGrpoResult,
} from './grpo/grpo-local.js';
export { DEFAULT_PTX, loadPtxExamples, ptxExamplesOfStep, type PtxOptions } from './grpo/ptx.js';
export { scheduleFor } from './supervised-loop.js';
