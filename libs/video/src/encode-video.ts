/**
 * Writes RGB frames to a video file through ffmpeg (rawvideo on stdin → encoder → container in
 * a private temp file, read back as bytes). The synthetic benchmark writes its clips with it.
 * Output goes to a file, not a pipe, because mp4/mov write their index after the samples and
 * Matroska/WebM write duration and cues only when they can seek.
 */
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VideoOptionsError } from './errors.js';
import { checkRgbFrames, type RgbFrames } from './frames.js';
import { type SpawnEvent } from './options.js';
import { runProcess } from './process-runner.js';
import { withPrivateTempDir } from './temp-dir.js';

/** Codecs the encoder offers. */
export type VideoCodec = 'h264' | 'h265' | 'vp8' | 'vp9' | 'mpeg4' | 'mjpeg' | 'ffv1' | 'png' | 'gif';

/** Containers the encoder offers. */
export type VideoContainer = 'mp4' | 'mov' | 'mkv' | 'webm' | 'avi' | 'gif';

/** Options shared by the ffmpeg helpers that write files. */
export interface FfmpegToolOptions {
  /** ffmpeg executable. Default 'ffmpeg'. */
  ffmpegPath?: string;
  /** Wall-clock limit; ffmpeg is killed when it passes. Default 120 000 ms. */
  timeoutMs?: number;
  /** Largest output accepted, in bytes. Default 1 GiB. */
  maxOutputBytes?: number;
  /** Parent directory of the private temp directory. Default os.tmpdir(). */
  tempDir?: string;
  /** Bytes of stderr kept for error reports. Default 4096. */
  stderrTailBytes?: number;
  signal?: AbortSignal;
  onSpawn?: (event: SpawnEvent) => void;
}

/** Options of {@link encodeFramesToVideo}. */
export interface EncodeVideoOptions extends FfmpegToolOptions {
  /** Frame rate of the output. */
  fps: number;
  codec: VideoCodec;
  container: VideoContainer;
  /**
   * Codec-specific quality, lower is better: CRF for h264/h265 (default 18/23, 0–51) and
   * vp8/vp9 (default 10/30, 4–63 / 0–63), qscale for mpeg4/mjpeg (default 3, 1–31); unused by the
   * lossless ffv1/png and by gif.
   */
  quality?: number;
  /** mp4/mov: put the index first so the file streams through a pipe. Default true. */
  faststart?: boolean;
}

interface CodecSpec {
  args: (quality: number) => string[];
  pixelFormat: string | undefined;
  /** 4:2:0 chroma needs even width and height. */
  evenSize: boolean;
  quality: { fallback: number; min: number; max: number } | undefined;
}

const CODECS: Record<VideoCodec, CodecSpec> = {
  h264: {
    args: (q) => ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(q)],
    pixelFormat: 'yuv420p',
    evenSize: true,
    quality: { fallback: 18, min: 0, max: 51 },
  },
  h265: {
    args: (q) => ['-c:v', 'libx265', '-preset', 'veryfast', '-crf', String(q), '-x265-params', 'log-level=error'],
    pixelFormat: 'yuv420p',
    evenSize: true,
    quality: { fallback: 23, min: 0, max: 51 },
  },
  vp8: {
    args: (q) => ['-c:v', 'libvpx', '-crf', String(q), '-b:v', '20M', '-deadline', 'good', '-cpu-used', '4'],
    pixelFormat: 'yuv420p',
    evenSize: true,
    quality: { fallback: 10, min: 4, max: 63 },
  },
  vp9: {
    args: (q) => ['-c:v', 'libvpx-vp9', '-crf', String(q), '-b:v', '0', '-deadline', 'good', '-cpu-used', '4'],
    pixelFormat: 'yuv420p',
    evenSize: true,
    quality: { fallback: 30, min: 0, max: 63 },
  },
  mpeg4: {
    args: (q) => ['-c:v', 'mpeg4', '-q:v', String(q)],
    pixelFormat: 'yuv420p',
    evenSize: true,
    quality: { fallback: 3, min: 1, max: 31 },
  },
  mjpeg: {
    args: (q) => ['-c:v', 'mjpeg', '-q:v', String(q)],
    pixelFormat: 'yuvj420p',
    evenSize: true,
    quality: { fallback: 3, min: 1, max: 31 },
  },
  // bgr0 keeps RGB exactly (no YUV round trip): lossless.
  ffv1: { args: () => ['-c:v', 'ffv1', '-level', '3'], pixelFormat: 'bgr0', evenSize: false, quality: undefined },
  png: { args: () => ['-c:v', 'png'], pixelFormat: 'rgb24', evenSize: false, quality: undefined },
  // The gif encoder picks its own 8-bit palette format.
  gif: { args: () => ['-c:v', 'gif'], pixelFormat: undefined, evenSize: false, quality: undefined },
};

const CONTAINERS: Record<VideoContainer, { muxer: string; codecs: readonly VideoCodec[] }> = {
  mp4: { muxer: 'mp4', codecs: ['h264', 'h265', 'mpeg4', 'vp9', 'mjpeg'] },
  mov: { muxer: 'mov', codecs: ['h264', 'h265', 'mpeg4', 'mjpeg', 'png'] },
  mkv: { muxer: 'matroska', codecs: ['h264', 'h265', 'vp8', 'vp9', 'mpeg4', 'mjpeg', 'ffv1', 'png'] },
  webm: { muxer: 'webm', codecs: ['vp8', 'vp9'] },
  avi: { muxer: 'avi', codecs: ['h264', 'mpeg4', 'mjpeg', 'ffv1', 'png'] },
  gif: { muxer: 'gif', codecs: ['gif'] },
};

const GIB = 1024 * 1024 * 1024;

/** Tool options with their defaults applied and checked. */
export function resolveToolOptions(
  options: FfmpegToolOptions,
): Required<Omit<FfmpegToolOptions, 'signal' | 'onSpawn'>> {
  const resolved = {
    ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
    timeoutMs: options.timeoutMs ?? 120_000,
    maxOutputBytes: options.maxOutputBytes ?? GIB,
    tempDir: options.tempDir ?? tmpdir(),
    stderrTailBytes: options.stderrTailBytes ?? 4096,
  };
  for (const field of ['timeoutMs', 'maxOutputBytes', 'stderrTailBytes'] as const) {
    const value = resolved[field];
    if (!Number.isSafeInteger(value) || value < (field === 'stderrTailBytes' ? 0 : 1)) {
      throw new VideoOptionsError(field, `must be a positive integer, got ${String(value)}`);
    }
  }
  return resolved;
}

/** The rawvideo input options describing `frames` on stdin. */
export function buildRawInputArgs(frames: RgbFrames, fps: number): string[] {
  const [, height, width] = frames.shape;
  return ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0'];
}

/** Encodes RGB frames [F, H, W, 3] as a video file and returns its bytes. */
export async function encodeFramesToVideo(frames: RgbFrames, options: EncodeVideoOptions): Promise<Uint8Array> {
  checkRgbFrames(frames);
  const tool = resolveToolOptions(options);
  if (!Number.isFinite(options.fps) || options.fps <= 0 || options.fps > 1000) {
    throw new VideoOptionsError('fps', 'must be a number in (0, 1000]');
  }
  const codec = CODECS[options.codec];
  if (!codec) throw new VideoOptionsError('codec', `must be one of ${Object.keys(CODECS).join(', ')}`);
  const container = CONTAINERS[options.container];
  if (!container) throw new VideoOptionsError('container', `must be one of ${Object.keys(CONTAINERS).join(', ')}`);
  if (!container.codecs.includes(options.codec)) {
    throw new VideoOptionsError(
      'codec',
      `${options.codec} cannot go in ${options.container} (allowed: ${container.codecs.join(', ')})`,
    );
  }
  const [, height, width] = frames.shape;
  if (codec.evenSize && (width % 2 !== 0 || height % 2 !== 0)) {
    throw new VideoOptionsError('frames.shape', `${options.codec} needs even width and height, got ${width}x${height}`);
  }
  const quality = options.quality ?? codec.quality?.fallback ?? 0;
  if (codec.quality && (!Number.isInteger(quality) || quality < codec.quality.min || quality > codec.quality.max)) {
    throw new VideoOptionsError(
      'quality',
      `must be an integer in [${codec.quality.min}, ${codec.quality.max}] for ${options.codec}`,
    );
  }
  const faststart = (options.faststart ?? true) && (options.container === 'mp4' || options.container === 'mov');
  return withPrivateTempDir(tool.tempDir, async (dir) => {
    const outPath = join(dir, `output.${options.container}`);
    const args = [
      ...['-nostdin', '-v', 'error', ...buildRawInputArgs(frames, options.fps)],
      ...codec.args(quality),
      ...(codec.pixelFormat ? ['-pix_fmt', codec.pixelFormat] : []),
      ...(faststart ? ['-movflags', '+faststart'] : []),
      ...['-an', '-f', container.muxer, '-y', `file:${outPath}`],
    ];
    await runProcess({
      command: tool.ffmpegPath,
      args,
      input: frames.data,
      captureStdout: false,
      maxStdoutBytes: 0,
      timeoutMs: tool.timeoutMs,
      signal: options.signal,
      stderrTailBytes: tool.stderrTailBytes,
      onSpawn: options.onSpawn,
    });
    const { size } = await stat(outPath);
    if (size > tool.maxOutputBytes) {
      throw new VideoOptionsError(
        'maxOutputBytes',
        `encoded video has ${size} bytes, above the limit of ${tool.maxOutputBytes}`,
      );
    }
    return new Uint8Array(await readFile(outPath));
  });
}
