/**
 * Resize geometry: the pure plan, and letterbox / center-crop / stretch checked pixel by pixel
 * on non-square, anamorphic and rotated inputs decoded by the real ffmpeg.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type RgbFrames, VideoReader, computeResizePlan, encodeFramesToVideo } from '../src/index.js';
import { buildResizeFilter } from '../src/geometry.js';
import { runFfmpeg, runFfmpegToFile } from './synthetic.js';

const BLUE = [0, 0, 255];
const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLACK = [0, 0, 0];

/** Frames of vertical bands: blue on the left quarter, red in the middle half, green on the right quarter. */
function renderBands(count: number, height: number, width: number): RgbFrames {
  const data = new Uint8Array(count * height * width * 3);
  for (let i = 0; i < count * height * width; i++) {
    const x = i % width;
    const color = x < width / 4 ? BLUE : x < (3 * width) / 4 ? RED : GREEN;
    data.set(color, i * 3);
  }
  return { data, shape: [count, height, width, 3] };
}

function pixel(frames: RgbFrames, x: number, y: number, frame = 0): number[] {
  const [, height, width] = frames.shape;
  const i = ((frame * height + y) * width + x) * 3;
  return [frames.data[i]!, frames.data[i + 1]!, frames.data[i + 2]!];
}

function expectColor(actual: number[], expected: number[], tolerance: number): void {
  actual.forEach((v, c) => expect(Math.abs(v - expected[c]!)).toBeLessThanOrEqual(tolerance));
}

describe('computeResizePlan', () => {
  it('letterboxes a wide source into a square, centred', () => {
    expect(computeResizePlan({ width: 640, height: 360 }, 224, 224, 'letterbox')).toMatchObject({
      scaleWidth: 224,
      scaleHeight: 126, // 360 · 224/640
      padX: 0,
      padY: 49, // ⌊(224 − 126)/2⌋
    });
  });

  it('center-crops a tall source into a square', () => {
    expect(computeResizePlan({ width: 360, height: 640 }, 224, 224, 'center-crop')).toMatchObject({
      scaleWidth: 224,
      scaleHeight: 398, // 640 · 224/360
      cropX: 0,
      cropY: 87, // ⌊(398 − 224)/2⌋
    });
  });

  it('stretches to the exact size and never scales a side to zero', () => {
    expect(computeResizePlan({ width: 10, height: 10 }, 7, 3, 'stretch')).toMatchObject({
      scaleWidth: 7,
      scaleHeight: 3,
    });
    expect(computeResizePlan({ width: 10000, height: 1 }, 8, 8, 'letterbox')).toMatchObject({
      scaleWidth: 8,
      scaleHeight: 1,
    });
  });

  it('builds pad and crop filters only when needed', () => {
    const same = computeResizePlan({ width: 32, height: 32 }, 16, 16, 'letterbox');
    expect(buildResizeFilter(same, 'area')).not.toContain('pad=');
    const wide = computeResizePlan({ width: 64, height: 32 }, 32, 32, 'letterbox');
    expect(buildResizeFilter(wide, 'area')).toContain('pad=32:32:0:8');
    const crop = computeResizePlan({ width: 64, height: 32 }, 32, 32, 'center-crop');
    expect(buildResizeFilter(crop, 'bicubic')).toContain('crop=32:32:16:0');
  });
});

describe('resize modes on decoded video', () => {
  const reader = new VideoReader({ cacheMaxBytes: 0 });
  let wide: Uint8Array; // 64×32, lossless
  let anamorphic: Uint8Array; // stored 32×32 with 2:1 pixels, displayed 64×32
  let rotated: Uint8Array; // stored 64×32, displayed rotated by 90°

  beforeAll(async () => {
    wide = await encodeFramesToVideo(renderBands(4, 32, 64), { fps: 4, codec: 'ffv1', container: 'mkv' });
    anamorphic = runFfmpeg(
      ['-i', 'pipe:0', '-vf', 'setsar=2/1', '-c:v', 'ffv1', '-f', 'matroska', 'pipe:1'],
      await encodeFramesToVideo(renderBands(4, 32, 32), { fps: 4, codec: 'ffv1', container: 'mkv' }),
    );
    const h264 = await encodeFramesToVideo(renderBands(4, 32, 64), {
      fps: 4,
      codec: 'h264',
      container: 'mp4',
      quality: 10,
    });
    rotated = runFfmpegToFile(
      ['-i', 'pipe:0', '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-movflags', '+faststart'],
      h264,
      'mp4',
    );
  });

  it('letterbox keeps the aspect ratio and pads top and bottom with black', async () => {
    const video = await reader.decodeFrames(wide, { numFrames: 2, width: 32, height: 32, resizeMode: 'letterbox' });
    expect(video.shape).toEqual([2, 32, 32, 3]);
    for (const y of [0, 7, 24, 31]) expectColor(pixel(video, 16, y), BLACK, 0);
    for (const y of [8, 16, 23]) {
      expectColor(pixel(video, 3, y), BLUE, 2);
      expectColor(pixel(video, 16, y), RED, 2);
      expectColor(pixel(video, 28, y), GREEN, 2);
    }
  });

  it('center-crop keeps the aspect ratio and cuts the sides', async () => {
    const video = await reader.decodeFrames(wide, { numFrames: 2, width: 32, height: 32, resizeMode: 'center-crop' });
    for (const [x, y] of [
      [0, 0],
      [31, 0],
      [0, 31],
      [31, 31],
      [16, 16],
    ] as const) {
      expectColor(pixel(video, x, y), RED, 2);
    }
  });

  it('stretch fills the frame and squeezes the bands', async () => {
    const video = await reader.decodeFrames(wide, { numFrames: 2, width: 32, height: 32, resizeMode: 'stretch' });
    for (const y of [0, 16, 31]) {
      expectColor(pixel(video, 3, y), BLUE, 2);
      expectColor(pixel(video, 16, y), RED, 2);
      expectColor(pixel(video, 28, y), GREEN, 2);
    }
  });

  it('honours the pixel aspect ratio of anamorphic video', async () => {
    const probe = await reader.probe(anamorphic);
    expect([probe.width, probe.height, probe.displayWidth, probe.displayHeight]).toEqual([32, 32, 64, 32]);
    const video = await reader.decodeFrames(anamorphic, {
      numFrames: 1,
      width: 32,
      height: 32,
      resizeMode: 'letterbox',
    });
    expectColor(pixel(video, 16, 4), BLACK, 0);
    expectColor(pixel(video, 16, 16), RED, 2);
    expectColor(pixel(video, 16, 27), BLACK, 0);
  });

  it('applies display rotation before fitting', async () => {
    const probe = await reader.probe(rotated);
    expect(Math.abs(probe.rotation)).toBe(90);
    expect([probe.displayWidth, probe.displayHeight]).toEqual([32, 64]);
    const video = await reader.decodeFrames(rotated, { numFrames: 1, width: 32, height: 32, resizeMode: 'letterbox' });
    // Portrait 32×64 fits as 16×32: black columns at both sides, the bands now run horizontally.
    for (const x of [0, 7, 24, 31]) expectColor(pixel(video, x, 16), BLACK, 0);
    expectColor(pixel(video, 16, 16), RED, 12);
    const ends = [pixel(video, 16, 2), pixel(video, 16, 29)];
    expect(ends.some((p) => p[2]! > 200) && ends.some((p) => p[1]! > 200)).toBe(true); // blue at one end, green at the other
  });
});
