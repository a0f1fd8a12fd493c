import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import { type GenerateOptions, OrtEngine, type ScoreRequest as EngineScoreRequest } from '@vrft/engine-ort';
import { GrpcServerHost } from '@vrft/grpc';
import { visualTokensPerFrame } from '@vrft/model';
import type { ComputeLogprobsRequest, ScoringGroup } from '@vrft/proto';
import { VideoReader, samplingOf, videoSourceOf } from '@vrft/video';
import type { ReferenceModelConfig } from './reference-model.config.js';

/** The reference model is not loaded (yet, or its checkpoint failed to load). */
export class ReferenceNotReadyError extends Error {
  override readonly name = 'ReferenceNotReadyError';
  constructor(
    message: string,
    /** True while loading (UNAVAILABLE: retry), false when it cannot load (FAILED_PRECONDITION). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request field the reference model cannot take. */
export class ReferenceInputError extends Error {
  override readonly name = 'ReferenceInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * The frozen reference model on onnxruntime: loads the configured checkpoint at start (health
 * turns SERVING when it is in), then scores completions: per-token log-probs of prompt +
 * completion with the group's video, every completion of a request in one engine batch.
 */
@Injectable()
export class ReferenceScoringService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReferenceModel');
  private readonly reader: VideoReader;
  private engine: OrtEngine | undefined;
  private loadError: Error | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReferenceModelConfig,
    private readonly host: GrpcServerHost,
  ) {
    const r = config.reference;
    this.reader = new VideoReader({
      allowedRoots: r.allowedRoots,
      maxInputBytes: r.maxVideoBytes,
      decodeTimeoutMs: r.decodeTimeoutMs,
    });
  }

  /** Starts loading; the server answers (NOT_SERVING) meanwhile. */
  onApplicationBootstrap(): void {
    const r = this.config.reference;
    if (r.checkpoint === '') {
      this.loadError = new ReferenceNotReadyError('no checkpoint configured (VRFT_REFERENCE__CHECKPOINT)', false);
      this.logger.warn(this.loadError.message);
      return;
    }
    this.loading = OrtEngine.open(
      { kind: 'checkpoint', dir: r.checkpoint },
      {
        workers: r.workers,
        intraOpThreads: r.intraOpThreads,
        executionProvider: r.executionProvider,
        maxQueue: r.maxQueue,
        maxSamples: 1,
      },
    ).then(
      (engine) => {
        this.engine = engine;
        this.host.setServing(true);
        this.logger.log(`reference model ${engine.version} loaded from ${r.checkpoint}`);
      },
      (error: unknown) => {
        this.loadError = new ReferenceNotReadyError(
          `cannot load the reference checkpoint: ${(error as Error).message}`,
          false,
          {
            cause: error,
          },
        );
        this.logger.error(this.loadError.message);
      },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.loading;
    await this.engine?.close();
  }

  /** Scoring jobs queued or running in the engine (0 until it is loaded). */
  get load(): number {
    return this.engine?.load ?? 0;
  }

  /** Resolves once the checkpoint is loaded or has failed to load. */
  async ready(): Promise<void> {
    await this.loading;
  }

  /**
   * Log-probs of every completion of every group under softmax(z/τ) at the request's temperature
   * (default 1), in request order. The call's signal and
   * deadline reach the video decodes and the engine: scoring that has not started when the call
   * is cancelled or its deadline passes is dropped, and the call ends at once.
   */
  async computeLogprobs(request: ComputeLogprobsRequest, call: GenerateOptions = {}) {
    const { signal } = call;
    const engine = this.engine;
    if (engine === undefined)
      throw this.loadError ?? new ReferenceNotReadyError('the reference model is still loading', true);
    const total = request.groups.reduce((n, g) => n + g.completions.length, 0);
    if (total > this.config.reference.maxSequences) {
      throw new ReferenceInputError(
        'groups',
        `${total} completions exceed maxSequences ${this.config.reference.maxSequences}`,
      );
    }
    const temperature = request.temperature ?? 1;
    if (!(Number.isFinite(temperature) && temperature > 0))
      throw new ReferenceInputError(
        'temperature',
        `expected a number > 0 (the rollouts' sampling τ), got ${temperature}`,
      );
    const prepared = await Promise.all(
      request.groups.map((group, g) => this.prepareGroup(engine, group, `groups[${g}]`, signal)),
    );
    const requests: EngineScoreRequest[] = prepared.flatMap((p, g) =>
      (request.groups[g]?.completions ?? []).map((c) => ({ ...p, completionIds: c.tokenIds, temperature })),
    );
    const { results, version } = await engine.score(requests, call);
    let next = 0;
    return {
      groups: request.groups.map((group) => ({
        completions: group.completions.map((c) => ({
          tokenIds: c.tokenIds,
          logprobs: results[next++]?.logprobs ?? [],
        })),
      })),
      modelVersion: { runId: this.config.reference.runId, version: BigInt(/^\d+$/.test(version) ? version : 0) },
    };
  }

  // Decodes the group's video at the model's resolution and expands a single <video> id.
  private async prepareGroup(
    engine: OrtEngine,
    group: ScoringGroup,
    field: string,
    signal: AbortSignal | undefined,
  ): Promise<Pick<EngineScoreRequest, 'promptIds' | 'video'>> {
    const config = engine.config;
    if (group.video === undefined) return { promptIds: group.promptTokenIds };
    const sampling = samplingOf(group.video.sampling);
    const numFrames = sampling.numFrames !== undefined && sampling.numFrames > 0 ? sampling.numFrames : config.frames;
    if (numFrames > config.maxFrames) {
      throw new ReferenceInputError(
        `${field}.video.sampling.num_frames`,
        `${numFrames} frames exceed the model's ${config.maxFrames}`,
      );
    }
    const source = await videoSourceOf(group.video, {}, `${field}.video`);
    const decoded = await this.reader.decodeFrames(
      source,
      { numFrames, width: config.imageWidth, height: config.imageHeight },
      { signal },
    );
    const tokens = decoded.shape[0] * visualTokensPerFrame(config);
    const videoId = config.specialTokens.video;
    const positions = group.promptTokenIds.filter((id) => id === videoId).length;
    let promptIds = group.promptTokenIds;
    if (positions === 1 && tokens !== 1) {
      // The prompt as the tokenizer gave it: one <video> id stands for the whole clip.
      const at = promptIds.indexOf(videoId);
      promptIds = [...promptIds.slice(0, at), ...new Array<number>(tokens).fill(videoId), ...promptIds.slice(at + 1)];
    }
    return { promptIds, video: { frames: decoded.data, frameCount: decoded.shape[0] } };
  }
}
