/**
 * Writing frames: encoder option validation, cancellation, and the contact-sheet PNG read back
 * through ffmpeg.
 */
import { describe, expect, it } from 'vitest';
import { FfmpegProcessError, VideoOptionsError, encodeFramesToVideo, writeContactSheetPng } from '../src/index.js';
import { renderMovingSquare, runFfmpeg } from './synthetic.js';

function fieldOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof VideoOptionsError ? error.field : String(error)),
  );
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function readPngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

describe('encodeFramesToVideo', () => {
  const frames = renderMovingSquare(6, 16, 16);

  it('produces a file that ffprobe recognises in the requested container and codec', async () => {
    const bytes = await encodeFramesToVideo(frames, { fps: 6, codec: 'vp9', container: 'webm' });
    expect(Buffer.from(bytes.subarray(0, 4)).toString('hex')).toBe('1a45dfa3'); // EBML magic
    const avi = await encodeFramesToVideo(frames, { fps: 6, codec: 'mjpeg', container: 'avi' });
    expect(Buffer.from(avi.subarray(0, 4)).toString()).toBe('RIFF');
  });

  it('validates codec, container, size, fps and quality by field', async () => {
    expect(await fieldOf(encodeFramesToVideo(frames, { fps: 6, codec: 'vp9', container: 'avi' }))).toBe('codec');
    expect(await fieldOf(encodeFramesToVideo(frames, { fps: 0, codec: 'h264', container: 'mp4' }))).toBe('fps');
    expect(await fieldOf(encodeFramesToVideo(frames, { fps: 6, codec: 'h264', container: 'mp4', quality: 99 }))).toBe(
      'quality',
    );
    const odd = renderMovingSquare(2, 15, 16);
    expect(await fieldOf(encodeFramesToVideo(odd, { fps: 6, codec: 'h264', container: 'mp4' }))).toBe('frames.shape');
    expect((await encodeFramesToVideo(odd, { fps: 6, codec: 'ffv1', container: 'mkv' })).length).toBeGreaterThan(0);
    expect(
      await fieldOf(
        encodeFramesToVideo(
          { data: new Uint8Array(10), shape: [1, 2, 2, 3] },
          { fps: 6, codec: 'png', container: 'mov' },
        ),
      ),
    ).toBe('frames.data');
  });

  it('is cancelled by its AbortSignal', async () => {
    const controller = new AbortController();
    const pending = encodeFramesToVideo(renderMovingSquare(30, 64, 64), {
      fps: 10,
      codec: 'vp9',
      container: 'webm',
      signal: controller.signal,
      onSpawn: () => controller.abort(),
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegProcessError);
    expect((error as FfmpegProcessError).reason).toBe('aborted');
  });
});

describe('writeContactSheetPng', () => {
  it('tiles frames in a grid with padding and margins', async () => {
    const frames = renderMovingSquare(5, 8, 16);
    const png = await writeContactSheetPng(frames, 3, { padding: 2, margin: 1 });
    expect(Buffer.from(png.subarray(1, 4)).toString()).toBe('PNG');
    // 3 columns × 2 rows: W = 3·16 + 2·2 + 2·1, H = 2·8 + 1·2 + 2·1
    expect(readPngSize(png)).toEqual([54, 20]);
    const rgb = runFfmpeg(['-f', 'png_pipe', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], png);
    const at = (x: number, y: number): number[] => Array.from(rgb.subarray((y * 54 + x) * 3, (y * 54 + x) * 3 + 3));
    // Tile (col 1, row 1) holds frame 4; its top-left pixel sits at (1 + 16 + 2, 1 + 8 + 2).
    const source = (f: number, x: number, y: number): number[] =>
      Array.from(frames.data.subarray(((f * 8 + y) * 16 + x) * 3, ((f * 8 + y) * 16 + x) * 3 + 3));
    expect(at(19, 11)).toEqual(source(4, 0, 0));
    expect(at(1, 1)).toEqual(source(0, 0, 0));
    expect(at(0, 0)).toEqual([0, 0, 0]); // margin
    expect(at(40, 15)).toEqual([0, 0, 0]); // the empty sixth cell stays black
  });

  it('validates the column count', async () => {
    expect(await fieldOf(writeContactSheetPng(renderMovingSquare(2, 8, 8), 0))).toBe('cols');
  });
});
