/**
 * Float conversion for models. The scale to [0, 1] happens here exactly once: the input type is
 * uint8, so a tensor that was already scaled cannot come in again (method.md: the public code
 * scaled 0–255 floats a second time and fed the encoder garbage).
 */
import { VideoOptionsError } from './errors.js';
import { checkRgbFrames, type RgbFrames } from './frames.js';

/** Memory layout of normalised frames. */
export type FrameLayout = 'nhwc' | 'nchw';

/** Normalised float frames: [F, H, W, 3] for 'nhwc', [F, 3, H, W] for 'nchw'. */
export interface NormalisedFrames {
  data: Float32Array;
  shape: readonly [number, number, number, number];
  layout: FrameLayout;
}

/** Options of {@link normalise}. */
export interface NormaliseOptions {
  /** Output layout. Default 'nhwc' (same order as the input). */
  layout?: FrameLayout;
}

function readChannelStats(
  field: string,
  value: number | readonly number[],
  positive: boolean,
): [number, number, number] {
  const values = typeof value === 'number' ? [value, value, value] : [...value];
  if (values.length !== 3) throw new VideoOptionsError(field, 'must be one number or three (R, G, B)');
  for (const v of values) {
    if (!Number.isFinite(v) || (positive && v <= 0)) {
      throw new VideoOptionsError(field, positive ? 'values must be finite and > 0' : 'values must be finite');
    }
  }
  return values as [number, number, number];
}

/**
 * Converts RGB uint8 frames to float32: each value is first scaled to [0, 1] (x / 255), then
 * standardised per channel, y = (x / 255 − mean_c) / std_c. `mean` and `std` are in the [0, 1]
 * scale (e.g. ImageNet mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]).
 */
export function normalise(
  frames: RgbFrames,
  mean: number | readonly number[],
  std: number | readonly number[],
  options: NormaliseOptions = {},
): NormalisedFrames {
  checkRgbFrames(frames);
  const means = readChannelStats('mean', mean, false);
  const stds = readChannelStats('std', std, true);
  const layout = options.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw new VideoOptionsError('layout', "must be 'nhwc' or 'nchw'");
  // y = x · a_c + b_c with a_c = 1 / (255 · std_c), b_c = −mean_c / std_c: one multiply-add per value.
  const scale = stds.map((s) => 1 / (255 * s));
  const offset = means.map((m, c) => -m / stds[c]!);
  const [count, height, width] = frames.shape;
  const source = frames.data;
  const out = new Float32Array(source.length);
  if (layout === 'nhwc') {
    for (let i = 0; i < source.length; i += 3) {
      out[i] = source[i]! * scale[0]! + offset[0]!;
      out[i + 1] = source[i + 1]! * scale[1]! + offset[1]!;
      out[i + 2] = source[i + 2]! * scale[2]! + offset[2]!;
    }
    return { data: out, shape: [count, height, width, 3], layout };
  }
  const plane = height * width;
  for (let f = 0; f < count; f++) {
    const base = f * plane * 3;
    for (let p = 0; p < plane; p++) {
      const from = base + p * 3;
      out[base + p] = source[from]! * scale[0]! + offset[0]!; // [f, 0, y, x]
      out[base + plane + p] = source[from + 1]! * scale[1]! + offset[1]!; // [f, 1, y, x]
      out[base + 2 * plane + p] = source[from + 2]! * scale[2]! + offset[2]!; // [f, 2, y, x]
    }
  }
  return { data: out, shape: [count, 3, height, width], layout };
}
