/**
 * The inference engine: validated requests go to a pool of session workers holding the current
 * model version, whose continuous batches take new sequences between decode steps.
 * swapWeights loads a new version into a new pool and switches to it; calls already accepted
 * finish on the old pool, which is released once it is idle.
 */
import { randomBytes } from 'node:crypto';
import { visualTokensPerFrame, type ModelConfig } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';
import { EngineClosedError, RequestCancelledError } from '../errors.js';
import {
  checkScoreRequest,
  checkVisualInput,
  prepareGenerate,
  type ClipFrames,
  type GenerateRequest,
  type GenerateResult,
  type RequestLimits,
  type ScoreRequest,
  type ScoreResult,
} from '../runtime/requests.js';
import { type StepStats } from '../worker/protocol.js';
import { type CallDelta, WorkerPool } from '../worker/worker-pool.js';
import { AsyncQueue, controlCall, type GenerateOptions } from './call-control.js';
import { parseEngineOptions, type EngineOptions } from './engine-options.js';
import { loadModelSource, type LoadedModel, type ModelSource } from './model-source.js';

/** A batch's results with the model version that produced them. */
export interface VersionedResults<T> {
  readonly results: T[];
  /** The weights version the batch ran on (the policy version of GRPO rollouts). */
  readonly version: string;
}

/** What a streaming generation reports: token deltas of each sample, then the result. */
export type GenerationEvent =
  | ({ readonly type: 'delta' } & Omit<CallDelta, 'request'>)
  | { readonly type: 'done'; readonly result: GenerateResult; readonly version: string };

/** Figures of one scheduler iteration of a worker (for metrics). */
export type EngineStepStats = StepStats;

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
  private readonly stepListeners: Set<(stats: EngineStepStats) => void>;

  private constructor(
    private serving: Serving,
    readonly options: EngineOptions,
    private readonly drawSeed: SeedSource,
    listeners: Set<(stats: EngineStepStats) => void>,
  ) {
    this.stepListeners = listeners;
  }

  /** Loads a model version and starts its workers. */
  static async open(
    source: ModelSource,
    options: Partial<EngineOptions> = {},
    seeds: SeedSource = randomSeed,
  ): Promise<OrtEngine> {
    const parsed = parseEngineOptions(options);
    const listeners = new Set<(stats: EngineStepStats) => void>();
    const engine = new OrtEngine(await startServing(source, parsed, listeners), parsed, seeds, listeners);
    return engine;
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

  /**
   * Generates completions; all requests are checked before any runs (InvalidInputError,
   * SamplingParamsError). Each sample joins a running batch as a slot frees up; when the call
   * would have to wait and the queue is full it fails at once with QueueFullError.
   */
  async generate(
    requests: readonly GenerateRequest[],
    options: GenerateOptions = {},
  ): Promise<VersionedResults<GenerateResult>> {
    const { model, pool } = this.current();
    const limits = this.limits(model.config);
    const prepared = requests.map((request, i) =>
      prepareGenerate(model.config, limits, request, `requests[${i}]`, this.drawSeed),
    );
    const control = controlCall(options);
    try {
      const results = await pool.generate(prepared, { signal: control.signal });
      return { results, version: model.version };
    } finally {
      control.release();
    }
  }

  /**
   * Generates one request's samples, reporting token deltas as they are sampled and the result
   * last. The request is checked and admitted (or refused with QueueFullError) before the
   * first event; stopping the iteration early cancels the generation and frees its slots.
   */
  generateStream(request: GenerateRequest, options: GenerateOptions = {}): AsyncIterable<GenerationEvent> {
    const { model, pool } = this.current();
    const prepared = prepareGenerate(model.config, this.limits(model.config), request, 'request', this.drawSeed);
    const control = controlCall(options);
    const queue = new AsyncQueue<GenerationEvent>(() => control.abort(new RequestCancelledError()));
    pool
      .generate([prepared], {
        signal: control.signal,
        onDelta: ({ request: _request, ...delta }) => queue.push({ type: 'delta', ...delta }),
      })
      .then(
        ([result]) => {
          queue.push({ type: 'done', result: result as GenerateResult, version: model.version });
          queue.end();
        },
        (error: unknown) => queue.fail(error),
      )
      .finally(control.release);
    return queue;
  }

  /**
   * Visual tokens [F·Nt·D] of each clip (for a feature cache: pass them as `visualTokens` later).
   * Cancellation and deadline as for score.
   */
  async encodeClips(
    clips: readonly ClipFrames[],
    options: GenerateOptions = {},
  ): Promise<VersionedResults<Float32Array>> {
    const { model, pool } = this.current();
    clips.forEach((clip, i) => checkClip(model.config, clip, `clips[${i}]`));
    const control = controlCall(options);
    try {
      const results = await pool.run({ kind: 'encode', clips }, { signal: control.signal });
      return { results, version: model.version };
    } finally {
      control.release();
    }
  }

  /**
   * Per-token log-probs of given completions (the reference model's and the learner's view).
   * Aborting `options.signal` (RequestCancelledError) or passing `options.deadline`
   * (DeadlineExceededError) ends the call at once: a job still waiting for a worker is dropped,
   * a running one stops before its next graph run.
   */
  async score(
    requests: readonly ScoreRequest[],
    options: GenerateOptions = {},
  ): Promise<VersionedResults<ScoreResult>> {
    const { model, pool } = this.current();
    requests.forEach((request, i) => checkScoreRequest(model.config, request, `requests[${i}]`));
    const control = controlCall(options);
    try {
      const results = await pool.run({ kind: 'score', requests }, { signal: control.signal });
      return { results, version: model.version };
    } finally {
      control.release();
    }
  }

  /**
   * Serves a new weights version. New sessions are created first (a failure leaves the current
   * version serving); then new jobs go to them while jobs in flight finish on the old sessions,
   * which are released afterwards.
   */
  async swapWeights(source: ModelSource): Promise<string> {
    this.current();
    const next = await startServing(source, this.options, this.stepListeners);
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

  /** Calls queued, sequences running and jobs in flight on the current version. */
  get load(): number {
    return this.serving.pool.load;
  }

  /** Calls waiting for a batch slot and sequences in the running batches of the current version. */
  get occupancy(): { readonly queued: number; readonly running: number } {
    return { queued: this.serving.pool.queued, running: this.serving.pool.running };
  }

  /** Calls `listener` after every scheduler iteration of every worker; returns the unsubscribe. */
  onStep(listener: (stats: EngineStepStats) => void): () => void {
    this.stepListeners.add(listener);
    return () => this.stepListeners.delete(listener);
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

function checkClip(config: ModelConfig, clip: ClipFrames, field: string): void {
  // A clip alone: checked as if a prompt held exactly its visual tokens.
  const tokens = clip.frameCount * visualTokensPerFrame(config);
  const ids = Number.isInteger(tokens) && tokens > 0 ? new Array<number>(tokens).fill(config.specialTokens.video) : [];
  checkVisualInput(config, field, ids, clip, undefined);
}

async function startServing(
  source: ModelSource,
  options: EngineOptions,
  listeners: ReadonlySet<(stats: EngineStepStats) => void>,
): Promise<Serving> {
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
      cacheBlock: options.cacheBlock,
      maxBatchSize: options.maxBatchSize,
      streamIntervalMs: options.streamIntervalMs,
    },
    {
      workers: options.workers,
      maxQueue: options.maxQueue,
      maxBatchSize: options.maxBatchSize,
      onStep: (stats) => listeners.forEach((listener) => listener(stats)),
    },
  );
  return { model, pool };
}
