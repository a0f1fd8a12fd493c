import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import { type DualEncoder, OnnxDualEncoder } from '@vrft/dual-encoder';
import type { ScoreRequest, VideoInput } from '@vrft/proto';
import {
  type CompletionGroup,
  type CompletionReward,
  type RewardRecipe,
  RewardInputError,
  RewardRecipeError,
  collectDescriptionSpans,
  groupFromScoreRequest,
  parseRewardRecipe,
  recipeFromProto,
  scoreGroup,
  toRewardBreakdown,
} from '@vrft/rewards';
import { VideoReader, videoSourceOf } from '@vrft/video';
import { Registry } from 'prom-client';
import type { RewardModelConfig } from './reward-model.config.js';
import { RewardMetrics } from './reward-metrics.js';

/** Semantic consistency was asked for, but no dual encoder is configured in this server. */
export class EncoderUnavailableError extends Error {
  override readonly name = 'EncoderUnavailableError';
  constructor() {
    super(
      'semantic consistency needs the dual encoder, and none is configured (VRFT_REWARD__ENCODER__DIR); ' +
        'send recipe.semantic_consistency=false to score format and accuracy only',
    );
  }
}

/**
 * Scores groups of completions with the method's rewards (libs/rewards). With R_s on, the
 * group's video is decoded once, its F frames go through the image encoder in one batch, and
 * every completion's description span goes through the text encoder in one batch.
 */
@Injectable()
export class RewardScoringService implements OnModuleInit, OnModuleDestroy {
  private readonly baseRecipe: RewardRecipe;
  private readonly metrics: RewardMetrics;
  private readonly reader: VideoReader;
  private encoder: DualEncoder | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: RewardModelConfig,
    @Inject(Registry) registry: Registry,
  ) {
    this.baseRecipe = parseRewardRecipe(config.reward.recipe);
    this.metrics = new RewardMetrics(registry);
    const { video } = config.reward;
    this.reader = new VideoReader({
      allowedRoots: video.allowedRoots,
      maxInputBytes: video.maxInputBytes,
      maxDurationSec: video.maxDurationSec,
      decodeTimeoutMs: video.decodeTimeoutMs,
      maxConcurrentDecodes: video.maxConcurrentDecodes,
      cacheMaxBytes: video.cacheMaxBytes,
    });
  }

  /** Opens the configured encoder; a configured encoder that cannot load stops start-up. */
  async onModuleInit(): Promise<void> {
    const e = this.config.reward.encoder;
    if (e.dir === '') return;
    this.encoder = await OnnxDualEncoder.open({
      dir: e.dir,
      files: { vision: e.visionFile, text: e.textFile, tokenizer: e.tokenizerFile },
      io: {
        pixelValues: e.pixelValuesInput,
        imageEmbeds: e.imageEmbedsOutput,
        inputIds: e.inputIdsInput,
        textEmbeds: e.textEmbedsOutput,
        attentionMask: e.attentionMaskInput,
      },
      imageSize: e.imageSize,
      maxTextTokens: e.maxTextTokens,
      padId: e.padId,
      pixelMean: e.pixelMean,
      pixelStd: e.pixelStd,
      executionProvider: e.executionProvider,
      intraOpThreads: e.intraOpThreads,
      maxBatch: e.maxBatch,
      workers: e.workers,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.encoder?.close();
  }

  /** One breakdown per completion, in request order; `signal` (the call's deadline) stops decode and encoding. */
  async score(request: ScoreRequest, signal?: AbortSignal) {
    const recipe = recipeFromProto(request.recipe, this.baseRecipe);
    const group = groupFromScoreRequest(request);
    const rewards = recipe.semantic
      ? await this.scoreWithVideo(group, recipe, request.video, signal)
      : await this.metrics.time('score', () => scoreGroup(group, recipe));
    this.metrics.record(rewards);
    return { rewards: rewards.map(toRewardBreakdown) };
  }

  /** The reader's and encoder's counters, for tests and benchmarks. */
  get videoReader(): VideoReader {
    return this.reader;
  }

  private async scoreWithVideo(
    group: CompletionGroup,
    recipe: RewardRecipe,
    video: VideoInput | undefined,
    signal: AbortSignal | undefined,
  ): Promise<CompletionReward[]> {
    const encoder = this.encoder;
    if (encoder === undefined) throw new EncoderUnavailableError();
    if (recipe.descriptionTokens > encoder.maxTextTokens) {
      throw new RewardRecipeError(
        'description_tokens',
        `M = ${recipe.descriptionTokens} exceeds the text encoder's ${encoder.maxTextTokens} positions`,
      );
    }
    // Spans first: it validates the group (solution, problem type, sizes) before any video work.
    const spans = collectDescriptionSpans(group, recipe, {
      truncate: (text) => encoder.truncate(text, recipe.descriptionTokens),
    });
    checkFrameRequest(video, recipe);
    // The video is decoded even when every span is gated: an unreadable video is always an error.
    const source = await videoSourceOf(video);
    const size = encoder.imageSize;
    const frames = await this.metrics.time('decode', () =>
      this.reader.decodeFrames(
        source,
        { numFrames: recipe.numFrames, width: size, height: size, resizeMode: this.config.reward.video.resizeMode },
        { signal },
      ),
    );
    const wanted = spans.flatMap((span, i) => (span === undefined ? [] : [{ i, span }]));
    if (wanted.length === 0) return scoreGroup(group, recipe, { frames: [], texts: spans.map(() => undefined) });
    // One image-encoder batch of F frames and one text-encoder batch of every span, side by side.
    const [frameEmbeddings, textEmbeddings] = await Promise.all([
      this.metrics.time('encode_frames', () => encoder.encodeFrames(frames, { signal })),
      this.metrics.time('encode_texts', () =>
        encoder.encodeTexts(
          wanted.map((w) => w.span),
          { signal },
        ),
      ),
    ]);
    const texts: (Float32Array | undefined)[] = spans.map(() => undefined);
    wanted.forEach((w, k) => (texts[w.i] = textEmbeddings[k]));
    return this.metrics.time('score', () => scoreGroup(group, recipe, { frames: frameEmbeddings, texts }));
  }
}

// R_s compares against exactly the recipe's F frames: a request asking for another count or for
// rate-based sampling would silently change what the reward means.
function checkFrameRequest(video: VideoInput | undefined, recipe: RewardRecipe): void {
  const sampling = video?.sampling;
  if (sampling === undefined) return;
  if (sampling.numFrames !== 0 && sampling.numFrames !== recipe.numFrames) {
    throw new RewardInputError(
      'video.sampling.num_frames',
      `${sampling.numFrames} frames asked, R_s uses the recipe's F = ${recipe.numFrames} (set recipe.num_frames instead)`,
    );
  }
  if (sampling.fps !== 0) {
    throw new RewardInputError(
      'video.sampling.fps',
      `R_s samples exactly F = ${recipe.numFrames} frames; fps sampling is not accepted`,
    );
  }
}
