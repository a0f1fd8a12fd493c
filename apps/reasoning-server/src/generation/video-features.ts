/**
 * A query's video → visual tokens: the source (inline bytes, an upload, an allowed file), the
 * model's frame sampling, ffmpeg decoding (VideoReader) and the vision graph, through the
 * feature cache keyed by the clip's SHA-256, the sampling and the weights version, so the same
 * clip asked twice is decoded and encoded once.
 */
import { createHash } from 'node:crypto';
import { type OrtEngine } from '@vrft/engine-ort';
import { type VideoInput } from '@vrft/proto';
import { type FrameSampling, samplingOf, VideoReader, videoSourceOf } from '@vrft/video';
import type { ServingMetrics } from '../metrics/serving-metrics.js';
import type { ReasoningServerConfig } from '../reasoning-server.config.js';
import { QueryError } from '../reasoning-server.errors.js';
import type { UploadStore } from '../upload/upload-store.js';
import { type ClipFeatures, FeatureCache } from './feature-cache.js';

/** Reads videos and caches their visual tokens. */
export class VideoFeatures {
  private readonly reader: VideoReader;
  private readonly cache: FeatureCache;

  constructor(
    private readonly config: ReasoningServerConfig,
    private readonly uploads: UploadStore,
    private readonly metrics: ServingMetrics,
  ) {
    const { video, limits } = config;
    this.reader = new VideoReader({
      allowedRoots: video.allowedRoots,
      maxInputBytes: limits.maxVideoBytes,
      maxFrames: limits.maxFrames,
      decodeTimeoutMs: video.decodeTimeoutMs,
      maxConcurrentDecodes: video.maxConcurrentDecodes,
      maxQueuedDecodes: video.maxQueuedDecodes,
      cacheMaxBytes: video.frameCacheBytes,
    });
    this.cache = new FeatureCache(video.featureCacheBytes);
  }

  /** Lookups of the feature cache so far. */
  get cacheStats() {
    return this.cache.stats();
  }

  /** Visual tokens of the query's video at the model's resolution. */
  async of(video: VideoInput, engine: OrtEngine, signal: AbortSignal): Promise<ClipFeatures> {
    const sampling = this.samplingFor(video, engine);
    const source = await videoSourceOf(video, { upload: (id) => this.uploads.read(id) }, 'query.video');
    const suffix = `${JSON.stringify(sampling)};${engine.version}`;
    const encode = async (frames: Uint8Array, frameCount: number): Promise<ClipFeatures> => {
      const { results } = await engine.encodeClips([{ frames, frameCount }]);
      return { tokens: results[0] as Float32Array, frameCount };
    };
    if (source instanceof Uint8Array) {
      // Bytes in hand: the digest decides before any decoding.
      const key = `${createHash('sha256').update(source).digest('hex')};${suffix}`;
      return this.lookup(key, signal, async () => {
        const decoded = await this.reader.decodeFrames(source, sampling);
        return encode(decoded.data, decoded.shape[0]);
      });
    }
    // A file: the reader digests it while opening (and keeps decoded frames in its own cache).
    const decoded = await this.reader.decodeFrames(source, sampling, { signal });
    return this.lookup(`${decoded.sha256};${suffix}`, signal, () => encode(decoded.data, decoded.shape[0]));
  }

  private async lookup(key: string, signal: AbortSignal, compute: () => Promise<ClipFeatures>): Promise<ClipFeatures> {
    const before = this.cache.stats();
    // The computation is shared by every request for the key, so no single caller's signal
    // stops it; a caller that gives up returns at once.
    const features = this.cache.get(key, compute);
    const after = this.cache.stats();
    this.metrics.recordCacheLookup(after.hits > before.hits ? 'hit' : after.shared > before.shared ? 'shared' : 'miss');
    return raceAbort(features, signal);
  }

  /** The query's sampling at the model's resolution, bounded by the model's and the server's frame limits. */
  private samplingFor(video: VideoInput, engine: OrtEngine): FrameSampling {
    const { imageWidth, imageHeight, frames, maxFrames } = engine.config;
    const input = samplingOf(video.sampling);
    if (input.width && input.width !== imageWidth) {
      throw new QueryError('query.video.sampling.width', `the model takes ${imageWidth} pixels, got ${input.width}`);
    }
    if (input.height && input.height !== imageHeight) {
      throw new QueryError('query.video.sampling.height', `the model takes ${imageHeight} pixels, got ${input.height}`);
    }
    const limit = Math.min(maxFrames, this.config.limits.maxFrames);
    if ((input.numFrames ?? 0) > limit) {
      throw new QueryError('query.video.sampling.num_frames', `${input.numFrames} frames, at most ${limit}`);
    }
    return this.reader.parseSampling({
      ...input,
      numFrames: input.numFrames || Math.min(frames, limit),
      maxFrames: Math.min(input.maxFrames || limit, limit),
      width: imageWidth,
      height: imageHeight,
    });
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
