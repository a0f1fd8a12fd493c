/**
 * The video reader: decodes sampled RGB frames from bytes, streams or allowed files, with a
 * bounded number of concurrent ffmpeg decodes, an LRU cache of results keyed by the content
 * digest and sampling, and one shared decode for identical concurrent requests.
 */
import { VideoInputError } from './errors.js';
import { type DecodedVideo, decodeInput } from './decode-frames.js';
import { withFfmpegInput } from './ffmpeg-input.js';
import { ByteLruCache } from './frame-cache.js';
import { type MaterialisedInput, type VideoSource, materialiseSource, releaseInput } from './input-source.js';
import { type SpawnEvent, type VideoOptions, type VideoOptionsInput, parseVideoOptions } from './options.js';
import { type VideoProbe, probeInput } from './probe.js';
import { toNumber } from './rational.js';
import { type FrameSampling, type FrameSamplingInput, formatSamplingKey, parseFrameSampling } from './sampling.js';
import { Semaphore } from './semaphore.js';
import { type ToolContext } from './tool-run.js';

/** Per-call options. */
export interface ReadOptions {
  /** Cancels the call: a queued decode leaves the queue, a running ffmpeg is killed. */
  signal?: AbortSignal;
}

/** Counters of a reader, for metrics and tests. */
export interface VideoReaderStats {
  /** Child processes started (ffprobe and ffmpeg). */
  spawns: number;
  cacheHits: number;
  cacheMisses: number;
  /** Requests that joined a decode already running for the same key. */
  sharedDecodes: number;
  activeDecodes: number;
  queuedDecodes: number;
  cacheBytes: number;
  cacheEntries: number;
}

interface DecodeJob {
  promise: Promise<DecodedVideo>;
  controller: AbortController;
  waiters: number;
}

function copyDecoded(video: DecodedVideo): DecodedVideo {
  // The cache owns its buffer; every caller gets its own copy to read or modify.
  return { ...video, data: video.data.slice(), timestamps: [...video.timestamps], probe: { ...video.probe } };
}

/** Reads videos through ffmpeg under the configured limits (see {@link VideoOptions}). */
export class VideoReader {
  readonly options: VideoOptions;
  private readonly semaphore: Semaphore;
  private readonly cache: ByteLruCache<DecodedVideo>;
  private readonly jobs = new Map<string, DecodeJob>();
  private readonly counters = { spawns: 0, cacheHits: 0, cacheMisses: 0, sharedDecodes: 0 };

  constructor(options: VideoOptionsInput = {}) {
    this.options = parseVideoOptions(options);
    this.semaphore = new Semaphore(this.options.maxConcurrentDecodes, this.options.maxQueuedDecodes);
    this.cache = new ByteLruCache(this.options.cacheMaxBytes, (video) => video.data.byteLength);
  }

  /** Validates a request's sampling against this reader's limits and defaults (INVALID_ARGUMENT on error). */
  parseSampling(sampling?: FrameSamplingInput): FrameSampling {
    const { defaultSampling: d } = this.options;
    return parseFrameSampling(sampling, {
      maxFrames: this.options.maxFrames,
      maxWidth: this.options.maxWidth,
      maxHeight: this.options.maxHeight,
      defaultNumFrames: d.numFrames,
      defaultWidth: d.width,
      defaultHeight: d.height,
      defaultResizeMode: d.resizeMode,
    });
  }

  /** Probes a clip (container, codec, size, rate, duration) without decoding frames. */
  async probe(source: VideoSource, options: ReadOptions = {}): Promise<VideoProbe> {
    const input = await materialiseSource(source, this.options, options.signal);
    try {
      const release = await this.semaphore.acquire(options.signal);
      try {
        const context = this.createContext(options.signal);
        const parsed = await withFfmpegInput(input, this.options.tempDir, (ffmpegInput) =>
          probeInput(context, ffmpegInput),
        );
        return { ...parsed.probe, durationSec: toNumber(parsed.duration) };
      } finally {
        release();
      }
    } finally {
      await releaseInput(input);
    }
  }

  /**
   * Decodes F sampled frames as RGB uint8 [F, H, W, 3]. Results are cached by SHA-256 of the
   * bytes plus the sampling; identical concurrent requests share one ffmpeg run.
   */
  async decodeFrames(
    source: VideoSource,
    sampling?: FrameSamplingInput,
    options: ReadOptions = {},
  ): Promise<DecodedVideo> {
    const parsed = this.parseSampling(sampling);
    const input = await materialiseSource(source, this.options, options.signal);
    let handedToJob = false;
    try {
      const key = `${input.digest};${formatSamplingKey(parsed)}`;
      const cached = this.cache.get(key);
      if (cached) {
        this.counters.cacheHits++;
        return copyDecoded(cached);
      }
      let job = this.jobs.get(key);
      if (job) {
        this.counters.sharedDecodes++;
      } else {
        this.counters.cacheMisses++;
        job = this.startJob(key, input, parsed);
        handedToJob = true;
      }
      return copyDecoded(await this.waitForJob(key, job, options.signal));
    } finally {
      if (!handedToJob) await releaseInput(input);
    }
  }

  /** Current counters. */
  stats(): VideoReaderStats {
    return {
      ...this.counters,
      activeDecodes: this.semaphore.activeCount,
      queuedDecodes: this.semaphore.queuedCount,
      cacheBytes: this.cache.bytes,
      cacheEntries: this.cache.size,
    };
  }

  /** Empties the frame cache. */
  clearCache(): void {
    this.cache.clear();
  }

  private createContext(signal: AbortSignal | undefined): ToolContext {
    return {
      options: this.options,
      deadline: Date.now() + this.options.decodeTimeoutMs,
      signal,
      onSpawn: (event: SpawnEvent) => {
        this.counters.spawns++;
        this.options.onSpawn?.(event);
      },
    };
  }

  private startJob(key: string, input: MaterialisedInput, sampling: FrameSampling): DecodeJob {
    const controller = new AbortController();
    const run = async (): Promise<DecodedVideo> => {
      try {
        const release = await this.semaphore.acquire(controller.signal);
        try {
          // The timeout counts from here: time spent queued is bounded by the caller's signal.
          const video = await decodeInput(this.createContext(controller.signal), input, sampling);
          this.cache.set(key, video);
          return video;
        } finally {
          release();
        }
      } finally {
        if (this.jobs.get(key) === job) this.jobs.delete(key);
        await releaseInput(input);
      }
    };
    const job: DecodeJob = { promise: run(), controller, waiters: 0 };
    job.promise.catch(() => undefined); // waiters observe the error; the job itself must not be "unhandled"
    this.jobs.set(key, job);
    return job;
  }

  /** Waits for a shared job; when the last waiter cancels, the job is cancelled too. */
  private waitForJob(key: string, job: DecodeJob, signal: AbortSignal | undefined): Promise<DecodedVideo> {
    if (signal?.aborted) return Promise.reject(this.cancelled(signal));
    job.waiters++;
    if (!signal) return job.promise; // a waiter that cannot cancel keeps the job alive to the end
    return new Promise<DecodedVideo>((resolve, reject) => {
      const onAbort = (): void => {
        job.waiters--;
        if (job.waiters > 0) {
          reject(this.cancelled(signal));
          return;
        }
        // Nobody wants it any more: a new request for the key must start afresh, not join this one.
        if (this.jobs.get(key) === job) this.jobs.delete(key);
        job.controller.abort(signal.reason);
        // Settle only once ffmpeg is reaped and temp files are gone.
        const settle = (): void => reject(this.cancelled(signal));
        job.promise.then(settle, settle);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (video) => {
          signal.removeEventListener('abort', onAbort);
          resolve(video);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private cancelled(signal: AbortSignal): VideoInputError {
    return new VideoInputError('CANCELLED', 'video request was cancelled', { cause: signal.reason });
  }
}
