/**
 * The frame tensor type shared by decoding, encoding and normalisation: packed RGB uint8 in
 * one buffer, shape [F, H, W, 3], row-major (frame, row, column, channel).
 */
import { VideoOptionsError } from './errors.js';

/** Shape [F, H, W, 3] of an RGB frame tensor. */
export type FrameShape = readonly [frames: number, height: number, width: number, channels: 3];

/** RGB uint8 frames, [F, H, W, 3] in one buffer; byte (f, y, x, c) is at ((f·H + y)·W + x)·3 + c. */
export interface RgbFrames {
  data: Uint8Array;
  shape: FrameShape;
}

/** Bytes of one frame, H · W · 3. */
export function frameByteLength(shape: FrameShape): number {
  return shape[1] * shape[2] * 3;
}

/** Checks that `frames` is a well-formed RGB tensor; throws {@link VideoOptionsError} naming `field`. */
export function checkRgbFrames(frames: RgbFrames, field = 'frames'): void {
  if (!(frames.data instanceof Uint8Array)) {
    throw new VideoOptionsError(`${field}.data`, 'must be a Uint8Array of RGB bytes in 0..255');
  }
  const [count, height, width, channels] = frames.shape;
  for (const [name, value] of [
    ['frames', count],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new VideoOptionsError(`${field}.shape`, `${name} must be a positive integer`);
    }
  }
  if (channels !== 3) throw new VideoOptionsError(`${field}.shape`, 'channels must be 3 (RGB)');
  if (frames.data.length !== count * height * width * 3) {
    throw new VideoOptionsError(
      `${field}.data`,
      `length ${frames.data.length} does not match shape [${frames.shape.join(', ')}]`,
    );
  }
}

/** A view of frame `index` (no copy). */
export function selectFrame(frames: RgbFrames, index: number): Uint8Array {
  const size = frameByteLength(frames.shape);
  return frames.data.subarray(index * size, (index + 1) * size);
}
