/**
 * The inference engine: validated requests go to a pool of session workers holding the current
 * model version. swapWeights loads a new version into a new pool and switches to it; jobs
 * already accepted finish on the old pool, which is released once it is idle.
 */
import { randomBytes } from 'node:crypto';
import { type ModelConfig } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';
import { EngineClosedError } from '../errors.js';
import {
  checkScoreRequest,
  prepareGenerate,
  type GenerateRequest,
  type GenerateResult,
  type RequestLimits,
  type ScoreRequest,
  type ScoreResult,
} from '../runtime/requests.js';
import { WorkerPool } from '../worker/worker-pool.js';
import { parseEngineOptions, type EngineOptions } from './engine-options.js';
import { loadModelSource, type LoadedModel, type ModelSource } from './model-source.js';

/** A batch's results with the model version that produced them. */
export interface VersionedResults<T> {
  readonly results: T[];
  /** The weights version the batch ran on (the policy version of GRPO rollouts). */
  readonly version: string;
}

/** Seeds for requests without one; injectable so tests and replays are deterministic. */
export type SeedSource = () => bigint;

/** A random 64-bit seed from the operating system. */
export const randomSeed: SeedSource = () => randomBytes(8).readBigUInt64LE(0);

interface Serving {
  readonly model: LoadedModel;
  readonly pool: WorkerPool;
}

/** The onnxruntime inference engine. */
export class OrtEngine {
  private closed = false;
  private readonly retiring = new Set<Promise<void>>();

  private constructor(
    private serving: Serving,
    readonly options: EngineOptions,
    private readonly drawSeed: SeedSource,
  ) {}

  /** Loads a model version and starts its workers. */
  static async open(
    source: ModelSource,
    options: Partial<EngineOptions> = {},
    seeds: SeedSource = randomSeed,
  ): Promise<OrtEngine> {
    const parsed = parseEngineOptions(options);
    return new OrtEngine(await startServing(source, parsed), parsed, seeds);
  }

  /** The served model's config. */
  get config(): ModelConfig {
    return this.serving.model.config;
  }

  /** The served model's tokenizer. */
  get tokenizer(): Tokenizer {
    return this.serving.model.tokenizer;
  }

  /** The served weights version. */
  get version(): string {
    return this.serving.model.version;
  }

  /** Generates completions; all requests are checked before any runs (InvalidInputError, SamplingParamsError). */
  async generate(requests: readonly GenerateRequest[]): Promise<VersionedResults<GenerateResult>> {
    const { model, pool } = this.current();
    const limits = this.limits(model.config);
    const prepared = requests.map((request, i) =>
      prepareGenerate(model.config, limits, request, `requests[${i}]`, this.drawSeed),
    );
    const results = await pool.run({ kind: 'generate', requests: prepared });
    return { results, version: model.version };
  }

  /** Per-token log-probs of given completions (the reference model's and the learner's view). */
  async score(requests: readonly ScoreRequest[]): Promise<VersionedResults<ScoreResult>> {
    const { model, pool } = this.current();
    requests.forEach((request, i) => checkScoreRequest(model.config, request, `requests[${i}]`));
    const results = await pool.run({ kind: 'score', requests });
    return { results, version: model.version };
  }

  /**
   * Serves a new weights version. New sessions are created first (a failure leaves the current
   * version serving); then new jobs go to them while jobs in flight finish on the old sessions,
   * which are released afterwards.
   */
  async swapWeights(source: ModelSource): Promise<string> {
    this.current();
    const next = await startServing(source, this.options);
    if (this.closed) {
      await next.pool.close();
      throw new EngineClosedError();
    }
    const old = this.serving;
    this.serving = next;
    const retired = old.pool.close().finally(() => this.retiring.delete(retired));
    this.retiring.add(retired);
    return next.model.version;
  }

  /** Jobs queued or running on the current version. */
  get load(): number {
    return this.serving.pool.load;
  }

  /** Finishes accepted jobs, then stops every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.serving.pool.close(), ...this.retiring]);
  }

  private current(): Serving {
    if (this.closed) throw new EngineClosedError();
    return this.serving;
  }

  private limits(config: ModelConfig): RequestLimits {
    return {
      contextLength: config.contextLength,
      maxStopSequences: this.options.maxStopSequences,
      maxStopLength: this.options.maxStopLength,
      maxSamples: this.options.maxSamples,
    };
  }
}

async function startServing(source: ModelSource, options: EngineOptions): Promise<Serving> {
  const model = await loadModelSource(source);
  const pool = await WorkerPool.start(
    {
      source: model.sessions,
      config: model.config,
      tokenizerJson: model.tokenizer.toJSONString(),
      sessions: {
        executionProvider: options.executionProvider,
        intraOpThreads: options.intraOpThreads,
        graphOptimization: options.graphOptimization,
        allowSpinning: options.allowSpinning,
      },
      runner: { maxPrefillTokens: options.maxPrefillTokens, maxVisionClips: options.maxVisionClips },
    },
    { workers: options.workers, maxQueue: options.maxQueue },
  );
  return { model, pool };
}
