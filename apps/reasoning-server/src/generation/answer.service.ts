import type { MessageInitShape } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import { extractAnswer, extractThink } from '@vrft/data';
import { type Completion, type GenerateRequest, type OrtEngine } from '@vrft/engine-ort';
import { toRpcError } from '@vrft/grpc';
import { buildInputSequence, MODEL_PRESETS, type ModelConfig } from '@vrft/model';
import {
  FinishReason,
  type GenerateStreamResponseSchema,
  type GenerationResultSchema,
  type ModelInfoResponseSchema,
  type ReasoningQuery,
} from '@vrft/proto';
import { sharedErrorMapper } from '@vrft/runtime';
import { type ServingApi, ServingMetrics } from '../metrics/serving-metrics.js';
import { ModelHost } from '../model/model-host.js';
import type { ReasoningServerConfig } from '../reasoning-server.config.js';
import { reasoningServerErrorMapper } from '../reasoning-server.errors.js';
import { UploadStoreProvider } from '../upload/upload-store.provider.js';
import { promptTextOf, samplingInputOf } from './query-input.js';
import { VideoFeatures } from './video-features.js';

/** A finished answer, as the proto's GenerationResult. */
export type GenerationResultInit = MessageInitShape<typeof GenerationResultSchema>;
/** One message of a GenerateStream. */
export type StreamResponseInit = MessageInitShape<typeof GenerateStreamResponseSchema>;

/** The call a query arrived on. */
export interface CallInfo {
  readonly api: ServingApi;
  /** Aborted when the client goes away or its deadline passes. */
  readonly signal: AbortSignal;
  /** Absolute deadline in ms since the epoch, or Infinity. */
  readonly deadline: number;
}

const finishReasons: Record<Completion['finishReason'], FinishReason> = {
  eos: FinishReason.EOS,
  length: FinishReason.LENGTH,
  stop: FinishReason.STOP_SEQUENCE,
};

const mappers = [reasoningServerErrorMapper, sharedErrorMapper];

/**
 * The preset whose sizes the config has, or 'custom'. Only the sizes count: a checkpoint with the
 * legacy pixel normalisation (pixelMean, pixelStd) still has the preset's shape.
 */
function presetOf(config: ModelConfig): string {
  for (const [name, sizes] of Object.entries(MODEL_PRESETS)) {
    const same = Object.entries(sizes).every(
      ([key, value]) => typeof value !== 'number' || config[key as keyof ModelConfig] === value,
    );
    if (same) return name;
  }
  return 'custom';
}

/** The gRPC status name an error will be answered with (for metrics). */
export function statusNameOf(error: unknown): string {
  return toRpcError(error, mappers).codeName;
}

/**
 * Answers reasoning queries on the loaded model, for the gRPC service and the HTTP endpoint
 * alike: prompt and video → engine request, engine results → think/answer split and usage,
 * with the serving metrics.
 */
@Injectable()
export class AnswerService {
  private readonly features: VideoFeatures;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReasoningServerConfig,
    private readonly model: ModelHost,
    uploads: UploadStoreProvider,
    private readonly metrics: ServingMetrics,
  ) {
    this.features = new VideoFeatures(config, uploads, metrics);
  }

  /** Feature-cache counters (tests, logs). */
  get featureCacheStats() {
    return this.features.cacheStats;
  }

  /** The whole answer of one query. */
  async generate(query: ReasoningQuery, call: CallInfo): Promise<GenerationResultInit> {
    const started = performance.now();
    try {
      const { engine, request, videoTokens } = await this.prepare(query, call);
      const generation = engine.generate([request], call);
      this.metrics.refreshOccupancy();
      const { results, version } = await generation;
      const result = results[0];
      const completion = result?.completions[0] as Completion;
      this.metrics.recordRequest(call.api, 'OK', (performance.now() - started) / 1000);
      return this.toResult(query, completion, result?.promptTokens ?? 0, videoTokens, version);
    } catch (error) {
      this.metrics.recordRequest(call.api, statusNameOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** Token deltas as they are sampled, then the final result. */
  async *stream(query: ReasoningQuery, call: CallInfo): AsyncGenerator<StreamResponseInit> {
    const started = performance.now();
    let code = 'OK';
    try {
      const { engine, request, videoTokens } = await this.prepare(query, call);
      let first = true;
      const events = engine.generateStream(request, call);
      this.metrics.refreshOccupancy();
      for await (const event of events) {
        if (event.type === 'delta') {
          if (first) this.metrics.recordFirstToken(call.api, (performance.now() - started) / 1000);
          first = false;
          yield {
            event: {
              case: 'delta',
              value: {
                text: event.text,
                ...(query.includeLogprobs ? { tokenIds: event.tokenIds, logprobs: event.logprobs } : {}),
              },
            },
          };
        } else {
          const completion = event.result.completions[0] as Completion;
          const result = this.toResult(query, completion, event.result.promptTokens, videoTokens, event.version);
          yield { event: { case: 'final', value: result } };
        }
      }
    } catch (error) {
      code = statusNameOf(error);
      throw error;
    } finally {
      // A consumer that stops early (the client went away) ends up here too.
      const status = call.signal.aborted && code === 'OK' ? 'CANCELLED' : code;
      this.metrics.recordRequest(call.api, status, (performance.now() - started) / 1000);
    }
  }

  /** What model is loaded and its limits. */
  modelInfo(): MessageInitShape<typeof ModelInfoResponseSchema> {
    const engine = this.model.engine;
    const { config } = engine;
    return {
      modelName: this.config.model.name,
      preset: presetOf(config),
      version: this.versionOf(engine.version),
      vocabSize: config.vocabSize,
      maxContextTokens: config.contextLength,
      defaultNumFrames: Math.min(config.frames, this.config.limits.maxFrames),
      frameWidth: config.imageWidth,
      frameHeight: config.imageHeight,
      maxBatchSize: engine.options.maxBatchSize * engine.options.workers,
      executionProvider: engine.options.executionProvider,
    };
  }

  private async prepare(query: ReasoningQuery, call: CallInfo) {
    const engine: OrtEngine = this.model.engine;
    const sampling = samplingInputOf(query.sampling, this.config.limits);
    const hasVideo = query.video?.source.case !== undefined;
    const promptText = promptTextOf(query, this.config.limits, hasVideo);
    const features = hasVideo && query.video ? await this.features.of(query.video, engine, call.signal) : undefined;
    const videoTokens = features ? features.tokens.length / engine.config.dModel : 0;
    const sequence = buildInputSequence(engine.tokenizer, promptText, videoTokens, {
      maxLength: engine.config.contextLength - 1,
    });
    const request: GenerateRequest = {
      promptIds: sequence.tokenIds,
      sampling,
      ...(features ? { visualTokens: features.tokens } : {}),
    };
    return { engine, request, videoTokens };
  }

  private toResult(
    query: ReasoningQuery,
    completion: Completion,
    promptTokens: number,
    videoTokens: number,
    version: string,
  ): GenerationResultInit {
    const text = completion.text;
    return {
      text,
      think: extractThink(text) ?? '',
      answer: extractAnswer(text) ?? text.trim(),
      finishReason: finishReasons[completion.finishReason],
      usage: { promptTokens, videoTokens, completionTokens: completion.tokenIds.length },
      modelVersion: this.versionOf(version),
      ...(query.includeLogprobs
        ? { completion: { tokenIds: completion.tokenIds, logprobs: completion.logprobs } }
        : {}),
    };
  }

  /** The engine's version string as a WeightsVersion: a number is the version, anything else the run id. */
  private versionOf(version: string): { runId: string; version: bigint } {
    return /^\d+$/.test(version) ? { runId: '', version: BigInt(version) } : { runId: version, version: 0n };
  }
}
