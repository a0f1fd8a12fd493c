/**
 * Frames at the model's input size: F frames sampled uniformly over a clip and resized (nearest
 * pixel) to H×W. Clips come from a dataset directory (decoded from the video, or re-rendered from
 * the scene file, through @vrft/curation's DatasetFrameSource) or straight from the synthetic
 * world's renderer. Results are cached per clip path.
 */
import { DatasetFrameSource } from '@vrft/curation';
import { type ModelConfig } from '@vrft/model';
import { TrainingDataError } from './errors.js';

/** Packed RGB frames [F, H, W, 3] (the layout of @vrft/video's RgbFrames). */
export interface FrameTensor {
  readonly data: Uint8Array;
  readonly shape: readonly [number, number, number, 3];
}

/**
 * Samples `count` frames uniformly (frame i of the output is source frame ⌊(i + ½)·N / count⌋)
 * and resizes each to height×width by nearest pixel. Returns [count, height, width, 3] bytes.
 */
export function sampleModelFrames(source: FrameTensor, count: number, height: number, width: number): Uint8Array {
  const [n, h, w] = source.shape;
  if (n < 1) throw new TrainingDataError('a clip without frames cannot feed the model');
  const out = new Uint8Array(count * height * width * 3);
  for (let i = 0; i < count; i++) {
    const f = Math.min(n - 1, Math.floor(((i + 0.5) * n) / count));
    for (let y = 0; y < height; y++) {
      const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / height));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / width));
        const from = ((f * h + sy) * w + sx) * 3;
        const to = ((i * height + y) * width + x) * 3;
        out[to] = source.data[from] as number;
        out[to + 1] = source.data[from + 1] as number;
        out[to + 2] = source.data[from + 2] as number;
      }
    }
  }
  return out;
}

/** Options of ClipFrameLoader. */
export interface ClipFrameLoaderOptions {
  /** Dataset directory the samples' `./videos/…` paths are relative to. */
  readonly dataDir: string;
  /** `scene` re-renders scene files (exact pixels, fast); `video` decodes the mp4 (falls back to the scene). Default `scene`. */
  readonly prefer?: 'scene' | 'video';
  /** Clips kept in memory. Default 4096 (about 100 KB each for the tiny preset). */
  readonly cacheClips?: number;
}

/** Loads model-ready frames of dataset samples. */
export class ClipFrameLoader {
  private readonly source: DatasetFrameSource;
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  private readonly cacheClips: number;

  constructor(
    private readonly config: ModelConfig,
    options: ClipFrameLoaderOptions,
  ) {
    this.cacheClips = options.cacheClips ?? 4096;
    this.source = new DatasetFrameSource({
      dataDir: options.dataDir,
      prefer: options.prefer ?? 'scene',
      cacheClips: 2,
    });
  }

  /** [F, H, W, 3] frames of the sample's clip at the config's default frame count. */
  load(path: string): Promise<Uint8Array> {
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit;
    const loading = this.loadResized(path, this.config.frames, this.config.imageHeight, this.config.imageWidth).catch(
      (error: unknown) => {
        this.cache.delete(path);
        throw error;
      },
    );
    this.cache.set(path, loading);
    if (this.cache.size > this.cacheClips) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return loading;
  }

  /**
   * [count, height, width, 3] frames of the clip, from the same source as `load` (e.g. the F frames
   * at the dual encoder's size for R_s). Not cached here: at an encoder's size they are large, and
   * callers keep what they derive from them (embeddings) instead.
   */
  async loadResized(path: string, count: number, height: number, width: number): Promise<Uint8Array> {
    try {
      const set = await this.source.loadFrames({ path });
      return sampleModelFrames({ data: set.frames.data, shape: set.frames.shape }, count, height, width);
    } catch (error) {
      throw new TrainingDataError(`cannot load the frames of ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
}
