/**
 * Resize geometry: where a source frame lands in the output for each resize mode, and the ffmpeg
 * filter chain that draws it. Pure; computed from the probed display size so that anamorphic
 * (non-square pixel) and rotated sources keep their real aspect ratio.
 */
import { type ScaleAlgorithm } from './options.js';
import { type ResizeMode } from './sampling.js';

/** The picture as it is meant to be displayed (after pixel aspect ratio and rotation). */
export interface DisplaySize {
  width: number;
  height: number;
}

/**
 * Where the scaled picture goes. The source is scaled to `scaleWidth × scaleHeight`; letterbox
 * then pads it at (padX, padY) inside the output, center-crop cuts the output from (cropX, cropY).
 */
export interface ResizePlan {
  mode: ResizeMode;
  width: number;
  height: number;
  scaleWidth: number;
  scaleHeight: number;
  padX: number;
  padY: number;
  cropX: number;
  cropY: number;
}

/** Computes the resize geometry of a `source` display size into `width × height`. */
export function computeResizePlan(source: DisplaySize, width: number, height: number, mode: ResizeMode): ResizePlan {
  const plan: ResizePlan = {
    mode,
    width,
    height,
    scaleWidth: width,
    scaleHeight: height,
    padX: 0,
    padY: 0,
    cropX: 0,
    cropY: 0,
  };
  if (mode === 'stretch') return plan;
  const fit = Math.min(width / source.width, height / source.height); // s = min(W/w, H/h): fits inside
  const cover = Math.max(width / source.width, height / source.height); // s = max(W/w, H/h): covers
  if (mode === 'letterbox') {
    plan.scaleWidth = clamp(Math.round(source.width * fit), 1, width);
    plan.scaleHeight = clamp(Math.round(source.height * fit), 1, height);
    plan.padX = Math.floor((width - plan.scaleWidth) / 2); // centre: x = ⌊(W − w')/2⌋
    plan.padY = Math.floor((height - plan.scaleHeight) / 2);
    return plan;
  }
  plan.scaleWidth = Math.max(width, Math.round(source.width * cover));
  plan.scaleHeight = Math.max(height, Math.round(source.height * cover));
  plan.cropX = Math.floor((plan.scaleWidth - width) / 2);
  plan.cropY = Math.floor((plan.scaleHeight - height) / 2);
  return plan;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * The filter chain for a plan, ending in packed RGB. Converting to rgb24 inside the scale step
 * (one swscale pass) and padding afterwards keeps pad offsets exact (no chroma-grid rounding).
 */
export function buildResizeFilter(plan: ResizePlan, algorithm: ScaleAlgorithm): string {
  // accurate_rnd + full_chroma_int: exact rounding and full-resolution chroma in the RGB conversion.
  const scale = `scale=${plan.scaleWidth}:${plan.scaleHeight}:flags=${algorithm}+accurate_rnd+full_chroma_int`;
  const chain = [scale, 'format=rgb24'];
  if (plan.mode === 'letterbox' && (plan.scaleWidth !== plan.width || plan.scaleHeight !== plan.height)) {
    chain.push(`pad=${plan.width}:${plan.height}:${plan.padX}:${plan.padY}:color=black`);
  }
  if (plan.mode === 'center-crop' && (plan.scaleWidth !== plan.width || plan.scaleHeight !== plan.height)) {
    chain.push(`crop=${plan.width}:${plan.height}:${plan.cropX}:${plan.cropY}`);
  }
  chain.push('setsar=1');
  return chain.join(',');
}
