/**
 * Options of the video reader: every limit with its documented default, and the one function
 * that validates them.
 */
import { tmpdir } from 'node:os';
import { VideoOptionsError } from './errors.js';
import { RESIZE_MODES, type ResizeMode } from './sampling.js';

/** A child process the library started (for metrics and tests). */
export interface SpawnEvent {
  command: string;
  args: readonly string[];
  pid: number | undefined;
}

/** swscale algorithms offered for resizing. */
export type ScaleAlgorithm = 'area' | 'bilinear' | 'bicubic' | 'lanczos';

/** Sampling used when a request leaves fields unset. */
export interface DefaultSampling {
  /** Default 16 (the method's F for training). */
  numFrames: number;
  /** Default 224. */
  width: number;
  /** Default 224. */
  height: number;
  /** Default 'letterbox'. */
  resizeMode: ResizeMode;
}

/** Validated options of a {@link VideoReader}. */
export interface VideoOptions {
  /** ffmpeg executable. Default 'ffmpeg' (looked up on PATH). */
  ffmpegPath: string;
  /** ffprobe executable. Default 'ffprobe'. */
  ffprobePath: string;
  /** Directories file paths must resolve into (after symlinks). Default [] (no file access). */
  allowedRoots: string[];
  /** Parent of the private temporary directories. Default os.tmpdir(). */
  tempDir: string;
  /** Largest input accepted, in bytes (bytes, streams and files). Default 256 MiB. */
  maxInputBytes: number;
  /** Longest clip accepted, in seconds. Default 3600. */
  maxDurationSec: number;
  /** Most frames one request may ask for. Default 256. */
  maxFrames: number;
  /** Largest output width in pixels. Default 1920. */
  maxWidth: number;
  /** Largest output height in pixels. Default 1920. */
  maxHeight: number;
  /** Largest decoded result F · H · W · 3 in bytes. Default 256 MiB. */
  maxOutputBytes: number;
  /** Largest source frame (width · height) accepted. Default 7680 · 4320 (8K). */
  maxSourcePixels: number;
  /** Wall-clock budget of one decode (probe + ffmpeg), after it leaves the queue. Default 60 000 ms. */
  decodeTimeoutMs: number;
  /** Decodes running at once; more wait in a queue. Default 2. */
  maxConcurrentDecodes: number;
  /** Decodes allowed to wait; one more fails fast with BUSY. Default 64 (Infinity = unbounded). */
  maxQueuedDecodes: number;
  /** Total bytes of decoded frames kept in the LRU cache. Default 256 MiB (0 disables). */
  cacheMaxBytes: number;
  /** Demuxers ffmpeg may use (its -format_whitelist); keeps playlists and text formats out. */
  allowedDemuxers: string[];
  /** ffmpeg decoder threads per decode (0 = ffmpeg chooses). Default 0. */
  threadsPerDecode: number;
  /** Bytes of ffmpeg's stderr kept for error details. Default 4096. */
  stderrTailBytes: number;
  /** Largest ffprobe output read (JSON or packet list). Default 16 MiB. */
  maxProbeOutputBytes: number;
  /** Resampling filter. Default 'area' (averages on downscale, no aliasing). */
  scaleAlgorithm: ScaleAlgorithm;
  /** Sampling for fields a request leaves unset. */
  defaultSampling: DefaultSampling;
  /** Called after every child process starts (observability and tests). Default none. */
  onSpawn: ((event: SpawnEvent) => void) | undefined;
}

/** What callers pass: any subset of {@link VideoOptions}. */
export type VideoOptionsInput = Partial<Omit<VideoOptions, 'defaultSampling'>> & {
  defaultSampling?: Partial<DefaultSampling>;
};

/** Demuxers allowed by default: common video containers and raw video bitstreams. */
export const DEFAULT_ALLOWED_DEMUXERS: readonly string[] = [
  'mov',
  'matroska',
  'webm',
  'avi',
  'gif',
  'apng',
  'flv',
  'mpegts',
  'mpeg',
  'mpegvideo',
  'asf',
  'ogg',
  'ivf',
  'obu',
  'h264',
  'hevc',
  'm4v',
  'mjpeg',
  'nut',
  'mxf',
  'dv',
  'webp_pipe',
];

const MIB = 1024 * 1024;

/** The defaults documented on {@link VideoOptions}. */
export const DEFAULT_VIDEO_OPTIONS: Readonly<VideoOptions> = {
  ffmpegPath: 'ffmpeg',
  ffprobePath: 'ffprobe',
  allowedRoots: [],
  tempDir: tmpdir(),
  maxInputBytes: 256 * MIB,
  maxDurationSec: 3600,
  maxFrames: 256,
  maxWidth: 1920,
  maxHeight: 1920,
  maxOutputBytes: 256 * MIB,
  maxSourcePixels: 7680 * 4320,
  decodeTimeoutMs: 60_000,
  maxConcurrentDecodes: 2,
  maxQueuedDecodes: 64,
  cacheMaxBytes: 256 * MIB,
  allowedDemuxers: [...DEFAULT_ALLOWED_DEMUXERS],
  threadsPerDecode: 0,
  stderrTailBytes: 4096,
  maxProbeOutputBytes: 16 * MIB,
  scaleAlgorithm: 'area',
  defaultSampling: { numFrames: 16, width: 224, height: 224, resizeMode: 'letterbox' },
  onSpawn: undefined,
};

function checkInteger(field: string, value: number, min: number, allowInfinity = false): number {
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new VideoOptionsError(field, `must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function checkPositive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new VideoOptionsError(field, `must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

function checkText(field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new VideoOptionsError(field, 'must be a non-empty string');
  return value;
}

function checkStrings(field: string, value: readonly string[], allowEmpty: boolean): string[] {
  if (!Array.isArray(value)) throw new VideoOptionsError(field, 'must be an array of strings');
  if (!allowEmpty && value.length === 0) throw new VideoOptionsError(field, 'must not be empty');
  return value.map((item, i) => checkText(`${field}[${i}]`, item));
}

/** Fills defaults and validates every field; throws {@link VideoOptionsError} naming the bad one. */
export function parseVideoOptions(input: VideoOptionsInput = {}): VideoOptions {
  const merged: VideoOptions = {
    ...DEFAULT_VIDEO_OPTIONS,
    ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
    defaultSampling: { ...DEFAULT_VIDEO_OPTIONS.defaultSampling, ...input.defaultSampling },
  };
  const sampling = merged.defaultSampling;
  const options: VideoOptions = {
    ffmpegPath: checkText('ffmpegPath', merged.ffmpegPath),
    ffprobePath: checkText('ffprobePath', merged.ffprobePath),
    allowedRoots: checkStrings('allowedRoots', merged.allowedRoots, true),
    tempDir: checkText('tempDir', merged.tempDir),
    maxInputBytes: checkInteger('maxInputBytes', merged.maxInputBytes, 1),
    maxDurationSec: checkPositive('maxDurationSec', merged.maxDurationSec),
    maxFrames: checkInteger('maxFrames', merged.maxFrames, 1),
    maxWidth: checkInteger('maxWidth', merged.maxWidth, 1),
    maxHeight: checkInteger('maxHeight', merged.maxHeight, 1),
    maxOutputBytes: checkInteger('maxOutputBytes', merged.maxOutputBytes, 3),
    maxSourcePixels: checkInteger('maxSourcePixels', merged.maxSourcePixels, 1),
    decodeTimeoutMs: checkInteger('decodeTimeoutMs', merged.decodeTimeoutMs, 1),
    maxConcurrentDecodes: checkInteger('maxConcurrentDecodes', merged.maxConcurrentDecodes, 1),
    maxQueuedDecodes: checkInteger('maxQueuedDecodes', merged.maxQueuedDecodes, 0, true),
    cacheMaxBytes: checkInteger('cacheMaxBytes', merged.cacheMaxBytes, 0),
    allowedDemuxers: checkStrings('allowedDemuxers', merged.allowedDemuxers, false),
    threadsPerDecode: checkInteger('threadsPerDecode', merged.threadsPerDecode, 0),
    stderrTailBytes: checkInteger('stderrTailBytes', merged.stderrTailBytes, 0),
    maxProbeOutputBytes: checkInteger('maxProbeOutputBytes', merged.maxProbeOutputBytes, 1024),
    scaleAlgorithm: merged.scaleAlgorithm,
    defaultSampling: {
      numFrames: checkInteger('defaultSampling.numFrames', sampling.numFrames, 1),
      width: checkInteger('defaultSampling.width', sampling.width, 1),
      height: checkInteger('defaultSampling.height', sampling.height, 1),
      resizeMode: sampling.resizeMode,
    },
    onSpawn: merged.onSpawn,
  };
  if (!['area', 'bilinear', 'bicubic', 'lanczos'].includes(options.scaleAlgorithm)) {
    throw new VideoOptionsError('scaleAlgorithm', 'must be one of area, bilinear, bicubic, lanczos');
  }
  if (!RESIZE_MODES.includes(options.defaultSampling.resizeMode)) {
    throw new VideoOptionsError('defaultSampling.resizeMode', `must be one of ${RESIZE_MODES.join(', ')}`);
  }
  if (options.defaultSampling.numFrames > options.maxFrames) {
    throw new VideoOptionsError('defaultSampling.numFrames', 'must not exceed maxFrames');
  }
  if (options.defaultSampling.width > options.maxWidth) {
    throw new VideoOptionsError('defaultSampling.width', 'must not exceed maxWidth');
  }
  if (options.defaultSampling.height > options.maxHeight) {
    throw new VideoOptionsError('defaultSampling.height', 'must not exceed maxHeight');
  }
  if (options.onSpawn !== undefined && typeof options.onSpawn !== 'function') {
    throw new VideoOptionsError('onSpawn', 'must be a function');
  }
  for (const [i, name] of options.allowedDemuxers.entries()) {
    // ffmpeg splits the whitelist on commas; a name must not smuggle in more entries.
    if (!/^[a-z0-9_]+$/.test(name)) throw new VideoOptionsError(`allowedDemuxers[${i}]`, 'must match [a-z0-9_]+');
  }
  return options;
}
