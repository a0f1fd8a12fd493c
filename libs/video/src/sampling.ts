/**
 * Frame sampling parameters and the pure arithmetic behind them: how many frames a clip yields
 * and at which times. No I/O here.
 */
import { VideoInputError } from './errors.js';
import { type Rational, reduceRational } from './rational.js';

/** How a frame is fitted to the requested resolution. */
export type ResizeMode =
  /** Keep the aspect ratio, scale to fit inside, pad the rest with black (centred). */
  | 'letterbox'
  /** Keep the aspect ratio, scale to cover, crop the overflow around the centre. */
  | 'center-crop'
  /** Scale each axis independently to the exact size (aspect ratio not kept). */
  | 'stretch';

/** All resize modes, in a stable order. */
export const RESIZE_MODES: readonly ResizeMode[] = ['letterbox', 'center-crop', 'stretch'];

/**
 * Sampling requested by a caller. Like the proto `FrameSampling`, an unset field or 0 takes the
 * reader's default. `fps > 0` samples by rate (bounded by min/max frames) instead of by count.
 */
export interface FrameSamplingInput {
  /** F: frames sampled uniformly over the clip. */
  numFrames?: number;
  /** Sample at this rate instead of a fixed count. */
  fps?: number;
  /** Lower bound on F when sampling by fps (default 1). */
  minFrames?: number;
  /** Upper bound on F when sampling by fps (default: the reader's maxFrames). */
  maxFrames?: number;
  /** Output width in pixels. */
  width?: number;
  /** Output height in pixels. */
  height?: number;
  resizeMode?: ResizeMode;
}

/** Sampling after defaults and validation. */
export type FrameSampling = {
  width: number;
  height: number;
  resizeMode: ResizeMode;
} & ({ kind: 'count'; numFrames: number } | { kind: 'fps'; fps: number; minFrames: number; maxFrames: number });

/** Limits and defaults that {@link parseFrameSampling} needs from the reader options. */
export interface SamplingLimits {
  maxFrames: number;
  maxWidth: number;
  maxHeight: number;
  defaultNumFrames: number;
  defaultWidth: number;
  defaultHeight: number;
  defaultResizeMode: ResizeMode;
}

function readCount(field: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || value === 0) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new VideoInputError('INVALID_ARGUMENT', `${field} must be a positive integer`, { field });
  }
  if (value > max) {
    throw new VideoInputError('INVALID_ARGUMENT', `${field} must be at most ${max}`, { field });
  }
  return value;
}

/** Applies defaults to a caller's sampling and validates it; throws INVALID_ARGUMENT naming the field. */
export function parseFrameSampling(input: FrameSamplingInput | undefined, limits: SamplingLimits): FrameSampling {
  const request = input ?? {};
  const width = readCount('width', request.width, limits.defaultWidth, limits.maxWidth);
  const height = readCount('height', request.height, limits.defaultHeight, limits.maxHeight);
  const resizeMode = request.resizeMode ?? limits.defaultResizeMode;
  if (!RESIZE_MODES.includes(resizeMode)) {
    throw new VideoInputError('INVALID_ARGUMENT', `resizeMode must be one of ${RESIZE_MODES.join(', ')}`, {
      field: 'resizeMode',
    });
  }
  const fps = request.fps ?? 0;
  if (!Number.isFinite(fps) || fps < 0) {
    throw new VideoInputError('INVALID_ARGUMENT', 'fps must be a finite number >= 0', { field: 'fps' });
  }
  if (fps === 0) {
    const numFrames = readCount('numFrames', request.numFrames, limits.defaultNumFrames, limits.maxFrames);
    return { kind: 'count', numFrames, width, height, resizeMode };
  }
  const minFrames = readCount('minFrames', request.minFrames, 1, limits.maxFrames);
  const maxFrames = readCount('maxFrames', request.maxFrames, limits.maxFrames, limits.maxFrames);
  if (minFrames > maxFrames) {
    throw new VideoInputError('INVALID_ARGUMENT', 'minFrames must not exceed maxFrames', { field: 'minFrames' });
  }
  return { kind: 'fps', fps, minFrames, maxFrames, width, height, resizeMode };
}

/**
 * F for a clip of `durationSec`: the fixed count, or round(D · fps) clamped to [minFrames, maxFrames]
 * (and at least 1).
 */
export function computeFrameCount(sampling: FrameSampling, durationSec: number): number {
  if (sampling.kind === 'count') return sampling.numFrames;
  const byRate = Math.round(durationSec * sampling.fps); // F = round(D · fps)
  return Math.min(sampling.maxFrames, Math.max(sampling.minFrames, byRate, 1));
}

/** Frame-centre sample times t_i = (i + 0.5) · D / F, in seconds from the clip's first frame. */
export function computeSampleTimes(durationSec: number, frameCount: number): number[] {
  return Array.from({ length: frameCount }, (_, i) => ((i + 0.5) * durationSec) / frameCount);
}

/**
 * The output rate R = F / D as an exact fraction (D is exact from the container's time base), so
 * that ffmpeg's `fps` filter puts its slot boundaries exactly half-way between sample centres.
 */
export function computeSampleRate(duration: Rational, frameCount: number): Rational {
  return reduceRational({ num: frameCount * duration.den, den: duration.num }); // R = F / (num/den) = F·den / num
}

/** A canonical string of the sampling for cache keys: equal strings decode identically. */
export function formatSamplingKey(sampling: FrameSampling): string {
  const count =
    sampling.kind === 'count'
      ? `n=${sampling.numFrames}`
      : `fps=${sampling.fps};min=${sampling.minFrames};max=${sampling.maxFrames}`;
  return `${count};${sampling.width}x${sampling.height};${sampling.resizeMode}`;
}
