/** Nearest-neighbour upscaling of RGB frames [F, H, W, 3] by an integer factor, so 64-pixel clips are viewable in a contact sheet. */
import { type WorldFrames } from '@vrft/data';

/** Each pixel becomes a factor × factor block; factor 1 returns the input. */
export function upscaleFrames(frames: WorldFrames, factor: number): WorldFrames {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`scale must be a positive integer, got ${factor}`);
  if (factor === 1) return frames;
  const [count, height, width] = frames.shape;
  const outWidth = width * factor;
  const outHeight = height * factor;
  const data = new Uint8Array(count * outHeight * outWidth * 3);
  for (let f = 0; f < count; f += 1) {
    for (let y = 0; y < outHeight; y += 1) {
      const source = (f * height + Math.floor(y / factor)) * width * 3;
      const target = (f * outHeight + y) * outWidth * 3;
      for (let x = 0; x < outWidth; x += 1) {
        const s = source + Math.floor(x / factor) * 3;
        const t = target + x * 3;
        data[t] = frames.data[s] ?? 0;
        data[t + 1] = frames.data[s + 1] ?? 0;
        data[t + 2] = frames.data[s + 2] ?? 0;
      }
    }
  }
  return { data, shape: [count, outHeight, outWidth, 3] };
}
