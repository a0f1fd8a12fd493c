import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import { type ModelSource, OrtEngine } from '@vrft/engine-ort';
import { GrpcServerHost } from '@vrft/grpc';
import { DEFAULT_PROMPT_TEMPLATE } from '@vrft/data';
import { createRandomModel } from '@vrft/model';
import { JsonLogger } from '@vrft/telemetry';
import { ServingMetrics } from '../metrics/serving-metrics.js';
import type { ReasoningServerConfig } from '../reasoning-server.config.js';
import { ModelNotLoadedError } from '../reasoning-server.errors.js';

/** The prompt template's wording, so a random model's tokenizer knows the prompt words. */
const promptCorpus = [
  ...Object.values(DEFAULT_PROMPT_TEMPLATE.answerHints),
  DEFAULT_PROMPT_TEMPLATE.instruction,
  DEFAULT_PROMPT_TEMPLATE.optionsHeader,
];

/**
 * Owns the served model: loads the checkpoint at start (grpc.health.v1 stays NOT_SERVING until
 * it is loaded), and closes the engine only after the gRPC and HTTP servers have drained, so
 * streams in flight during the grace period finish on it.
 */
@Injectable()
export class ModelHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private loaded: OrtEngine | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReasoningServerConfig,
    private readonly grpc: GrpcServerHost,
    private readonly logger: JsonLogger,
    private readonly metrics: ServingMetrics,
  ) {}

  /** The loaded engine; ModelNotLoadedError (UNAVAILABLE) before it is loaded. */
  get engine(): OrtEngine {
    if (!this.loaded) throw new ModelNotLoadedError(this.config.model.checkpointDir);
    return this.loaded;
  }

  /** Whether a model is loaded. */
  get ready(): boolean {
    return this.loaded !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { model } = this.config;
    let source: ModelSource;
    if (model.checkpointDir) source = { kind: 'checkpoint', dir: model.checkpointDir };
    else if (model.randomWeights) {
      const { preset, seed } = model.randomWeights;
      this.logger.warn(`serving RANDOM weights (${preset}, seed ${seed}): answers are gibberish`, 'ModelHost');
      source = {
        kind: 'memory',
        ...createRandomModel({ preset, seed, corpus: promptCorpus }),
        version: `random-${preset}-${seed}`,
      };
    } else {
      this.logger.warn('no model configured (model.checkpointDir): health stays NOT_SERVING', 'ModelHost');
      return;
    }
    const started = performance.now();
    const engine = await OrtEngine.open(source, {
      executionProvider: model.executionProvider,
      workers: model.workers,
      intraOpThreads: model.intraOpThreads,
      maxBatchSize: model.maxBatchSize,
      maxQueue: model.maxQueue,
      maxPrefillTokens: model.maxPrefillTokens,
      cacheBlock: model.cacheBlock,
      streamIntervalMs: model.streamIntervalMs,
      maxStopSequences: this.config.limits.maxStopSequences,
      maxStopLength: this.config.limits.maxStopChars,
    });
    engine.onStep((stats) => this.metrics.recordStep(stats.batch, stats.tokens));
    this.metrics.attach({ occupancy: () => engine.occupancy });
    this.loaded = engine;
    this.grpc.setServing(true);
    this.logger.log(
      `model loaded from ${model.checkpointDir ?? 'random weights'} in ${Math.round(performance.now() - started)} ms`,
      { version: engine.version, maxBatchSize: model.maxBatchSize, workers: model.workers },
      'ModelHost',
    );
  }

  /** After the servers drained (beforeApplicationShutdown): release the sessions. */
  async onApplicationShutdown(): Promise<void> {
    const engine = this.loaded;
    this.loaded = undefined;
    await engine?.close();
  }
}
