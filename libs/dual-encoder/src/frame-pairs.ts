/**
 * (frame, description) pairs from the synthetic world: clips are simulated and rendered in
 * memory (no ffmpeg), frames taken at evenly spaced times, each paired with describeFrame.
 * Splits have disjoint seeds (@vrft/data's splits), so validation pairs are held out.
 */
import {
  type SplitName,
  generateClip,
  parseSyntheticOptions,
  renderScene,
  type SyntheticOptionsInput,
} from '@vrft/data';
import { describeFrame } from './frame-description.js';
import { EncoderOptionsError } from './errors.js';

/** Pairs of frames and their descriptions. */
export interface FramePairs {
  /** RGB frames [N, S, S, 3]. */
  readonly frames: Uint8Array;
  readonly imageSize: number;
  readonly texts: string[];
  /** The clip of each pair (pairs of one clip share its id). */
  readonly clipIds: string[];
}

/** Options of generateFramePairs. */
export interface FramePairOptions {
  readonly split: SplitName;
  /** Clips simulated, local seeds firstSeed … firstSeed + clips − 1 of the split. */
  readonly clips: number;
  /** Default 0. */
  readonly firstSeed?: number;
  /** Frames taken per clip, evenly spaced. Default 4. */
  readonly framesPerClip?: number;
  /** Frame side of the pairs in pixels. Default 64. */
  readonly imageSize?: number;
  /** Side the world is rendered at (it needs room for its sign and counter), then area-resized to imageSize. Default 64. */
  readonly worldSize?: number;
  /** World and difficulty settings (width/height are set from imageSize). */
  readonly synthetic?: SyntheticOptionsInput;
}

/** Simulates and renders the clips and returns their pairs. */
export function generateFramePairs(options: FramePairOptions): FramePairs {
  const { split, clips } = options;
  const firstSeed = options.firstSeed ?? 0;
  const perClip = options.framesPerClip ?? 4;
  const size = options.imageSize ?? 64;
  if (!Number.isInteger(clips) || clips < 1)
    throw new EncoderOptionsError('clips', `expected an integer ≥ 1, got ${clips}`);
  if (!Number.isInteger(perClip) || perClip < 1) {
    throw new EncoderOptionsError('framesPerClip', `expected an integer ≥ 1, got ${perClip}`);
  }
  const worldSize = options.worldSize ?? 64;
  const synthetic = parseSyntheticOptions({
    ...options.synthetic,
    world: { ...options.synthetic?.world, width: worldSize, height: worldSize },
  });
  const worldBytes = worldSize * worldSize * 3;
  const frameBytes = size * size * 3;
  const frames = new Uint8Array(clips * perClip * frameBytes);
  const texts: string[] = [];
  const clipIds: string[] = [];
  for (let c = 0; c < clips; c++) {
    const clip = generateClip(split, firstSeed + c, synthetic);
    const rendered = renderScene(clip.scene);
    const count = clip.scene.frameCount;
    for (let k = 0; k < perClip; k++) {
      const index = Math.min(count - 1, Math.floor(((k + 0.5) * count) / perClip)); // centre of slot k
      const offset = texts.length * frameBytes;
      const frame = rendered.data.subarray(index * worldBytes, (index + 1) * worldBytes);
      frames.set(worldSize === size ? frame : resizeArea(frame, worldSize, size), offset);
      texts.push(describeFrame(clip.scene, index));
      clipIds.push(clip.clipId);
    }
  }
  return { frames, imageSize: size, texts, clipIds };
}

/**
 * Resizes an RGB square frame from `from` to `to` pixels a side: each output pixel is the mean of
 * the source pixels its area covers (exact box filter when `to` divides `from`, nearest otherwise).
 */
function resizeArea(frame: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to * to * 3);
  const factor = from / to;
  const box = Number.isInteger(factor) ? factor : 1;
  for (let y = 0; y < to; y++) {
    for (let x = 0; x < to; x++) {
      const y0 = box === 1 ? Math.floor((y + 0.5) * factor) : y * box;
      const x0 = box === 1 ? Math.floor((x + 0.5) * factor) : x * box;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < box; dy++)
          for (let dx = 0; dx < box; dx++) sum += frame[((y0 + dy) * from + x0 + dx) * 3 + c] as number;
        out[(y * to + x) * 3 + c] = Math.round(sum / (box * box));
      }
    }
  }
  return out;
}
