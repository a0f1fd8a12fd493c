/**
 * The frames a sample's question is about — the only adapter of the pipeline that reads media.
 * A dataset clip is decoded from its video through ffmpeg (@vrft/video) when the file exists;
 * a synthetic dataset written without videos re-renders the clip's pixels from its scene file
 * (the same bytes the encoder would have received). Stages only ever see pixels and times.
 */
import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readSceneFile, renderScene, type VideoSample } from '@vrft/data';
import { VideoReader, type RgbFrames } from '@vrft/video';
import { StageError } from './errors.js';

/** Every frame of a clip (or an even sample of them when the clip is long), with times. */
export interface FrameSet {
  frames: RgbFrames;
  /** Start time of each frame, seconds. */
  times: number[];
  /** Frames per second of `frames` (the clip's rate unless the clip was thinned). */
  fps: number;
  durationSec: number;
  width: number;
  height: number;
}

/** Where frames come from. */
export interface FrameSource {
  /** The frames of the media a sample points at. */
  loadFrames(sample: Pick<VideoSample, 'path'>, signal?: AbortSignal): Promise<FrameSet>;
}

/** Options of {@link DatasetFrameSource}. */
export interface DatasetFrameSourceOptions {
  /** The dataset directory that sample paths (`./videos/…`) are relative to. */
  dataDir: string;
  /** Most frames decoded per clip; longer clips are sampled evenly down to this. Default 256. */
  maxFrames?: number;
  /** Clips kept decoded (several questions share a clip). Default 16. */
  cacheClips?: number;
  /** `video`: decode the file, else fall back to the scene; `scene`: render the scene file only. Default `video`. */
  prefer?: 'video' | 'scene';
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Per-decode time limit. Default 60 000 ms. */
  decodeTimeoutMs?: number;
}

/** Frames of the clips of a dataset directory (see the file header). */
export class DatasetFrameSource implements FrameSource {
  private readonly dataDir: string;
  private readonly maxFrames: number;
  private readonly cacheClips: number;
  private readonly prefer: 'video' | 'scene';
  private readonly reader: VideoReader;
  private readonly cache = new Map<string, Promise<FrameSet>>();

  constructor(options: DatasetFrameSourceOptions) {
    this.dataDir = resolve(options.dataDir);
    this.maxFrames = options.maxFrames ?? 256;
    this.cacheClips = options.cacheClips ?? 16;
    this.prefer = options.prefer ?? 'video';
    this.reader = new VideoReader({
      allowedRoots: [this.dataDir],
      maxFrames: this.maxFrames,
      decodeTimeoutMs: options.decodeTimeoutMs ?? 60_000,
      cacheMaxBytes: 0,
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      ...(options.ffprobePath ? { ffprobePath: options.ffprobePath } : {}),
    });
  }

  /** See {@link FrameSource.loadFrames}; results are cached per path (LRU of `cacheClips`). */
  loadFrames(sample: Pick<VideoSample, 'path'>, signal?: AbortSignal): Promise<FrameSet> {
    const key = sample.path;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const loading = this.load(key, signal);
    this.cache.set(key, loading);
    loading.catch(() => this.cache.delete(key));
    while (this.cache.size > this.cacheClips) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return loading;
  }

  private async load(path: string, signal?: AbortSignal): Promise<FrameSet> {
    const videoPath = join(this.dataDir, path);
    if (this.prefer === 'video' && (await exists(videoPath))) return this.decode(videoPath, signal);
    const scenePath = join(this.dataDir, 'scenes', `${basename(path).replace(/\.[^.]+$/, '')}.json`);
    if (!(await exists(scenePath))) {
      throw new StageError('frames', `neither ${videoPath} nor the scene file ${scenePath} exists`);
    }
    const file = await readSceneFile(scenePath);
    const frames = renderScene(file.scene);
    const { fps, frameCount, width, height } = file.scene;
    return {
      frames,
      times: Array.from({ length: frameCount }, (_, i) => i / fps),
      fps,
      durationSec: frameCount / fps,
      width,
      height,
    };
  }

  private async decode(videoPath: string, signal?: AbortSignal): Promise<FrameSet> {
    const probe = await this.reader.probe(videoPath, signal ? { signal } : {});
    const rate = probe.frameRate ?? 25;
    const total = probe.numFrames ?? Math.max(1, Math.round(probe.durationSec * rate));
    const count = Math.min(total, this.maxFrames);
    const decoded = await this.reader.decodeFrames(
      videoPath,
      { numFrames: count, width: probe.displayWidth, height: probe.displayHeight, resizeMode: 'stretch' },
      signal ? { signal } : {},
    );
    // The reader stamps frame i at the middle of its slot, (i + 0.5)·D/F; the pipeline uses start times.
    const fps = count / probe.durationSec;
    return {
      frames: { data: decoded.data, shape: decoded.shape },
      times: decoded.timestamps.map((t) => Math.max(0, Math.round((t - 0.5 / fps) * 1e4) / 1e4)),
      fps,
      durationSec: probe.durationSec,
      width: decoded.shape[2],
      height: decoded.shape[1],
    };
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** One frame [H, W, 3] of a frame set (a view, no copy). */
export function frameAt(set: FrameSet, index: number): Uint8Array {
  const size = set.width * set.height * 3;
  return set.frames.data.subarray(index * size, (index + 1) * size);
}

/** Index of the frame shown at time `t` (the last frame starting at or before t, clamped). */
export function frameIndexAt(set: FrameSet, t: number): number {
  let index = 0;
  for (let i = 0; i < set.times.length; i += 1) if ((set.times[i] ?? 0) <= t + 1e-6) index = i;
  return index;
}
