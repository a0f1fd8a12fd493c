/**
 * Encode → decode round trips through the real ffmpeg in several codecs and containers, and the
 * uniform sampling picking the expected source frames (constant and variable frame rate).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoReader, encodeFramesToVideo, type VideoCodec, type VideoContainer } from '../src/index.js';
import { needsSeekableInput } from '../src/container-layout.js';
import {
  computePsnr,
  readIndexBar,
  readPacketTimes,
  renderIndexBars,
  renderMovingSquare,
  runFfmpeg,
} from './synthetic.js';

const FRAMES = 20;
const FPS = 10;
const SIZE = 64;

// Bounds from measurements on ffmpeg 5.1 with this clip: every 4:2:0 codec lands at 31.9–32.3 dB
// (the chroma subsampling of the sharp square dominates), gif at 19.6 dB (256-colour palette);
// the lossless codecs return the exact bytes.
const CASES: {
  codec: VideoCodec;
  container: VideoContainer;
  minPsnr: number;
  faststart?: boolean;
  lossless?: boolean;
}[] = [
  { codec: 'h264', container: 'mp4', minPsnr: 30 },
  { codec: 'h264', container: 'mp4', minPsnr: 30, faststart: false },
  { codec: 'vp9', container: 'webm', minPsnr: 28 },
  { codec: 'vp8', container: 'webm', minPsnr: 28 },
  { codec: 'mpeg4', container: 'mkv', minPsnr: 28 },
  { codec: 'mjpeg', container: 'avi', minPsnr: 28 },
  { codec: 'h265', container: 'mov', minPsnr: 28 },
  { codec: 'ffv1', container: 'mkv', minPsnr: 40, lossless: true },
  { codec: 'png', container: 'avi', minPsnr: 40, lossless: true },
  { codec: 'gif', container: 'gif', minPsnr: 18 },
];

describe('round trip through ffmpeg', () => {
  const reader = new VideoReader({ cacheMaxBytes: 0 });
  const original = renderMovingSquare(FRAMES, SIZE, SIZE);

  for (const c of CASES) {
    it(`${c.codec}/${c.container}${c.faststart === false ? ' (index at the end)' : ''} decodes every frame above ${c.minPsnr} dB`, async () => {
      const bytes = await encodeFramesToVideo(original, {
        fps: FPS,
        codec: c.codec,
        container: c.container,
        faststart: c.faststart ?? true,
      });
      const video = await reader.decodeFrames(bytes, {
        numFrames: FRAMES,
        width: SIZE,
        height: SIZE,
        resizeMode: 'stretch',
      });
      expect(video.shape).toEqual([FRAMES, SIZE, SIZE, 3]);
      expect(video.data.length).toBe(FRAMES * SIZE * SIZE * 3);
      expect(video.probe.width).toBe(SIZE);
      expect(video.probe.durationSec).toBeCloseTo(FRAMES / FPS, 1);
      expect(needsSeekableInput(bytes)).toBe(c.faststart === false);
      expect(computePsnr(video.data, original.data)).toBeGreaterThanOrEqual(c.minPsnr);
      if (c.lossless) expect(Buffer.from(video.data).equals(Buffer.from(original.data))).toBe(true);
    });
  }
});

describe('uniform sampling', () => {
  const reader = new VideoReader({ cacheMaxBytes: 0 });
  const bars = renderIndexBars(FRAMES, 16, 80);
  let clip: Uint8Array;

  beforeAll(async () => {
    clip = await encodeFramesToVideo(bars, { fps: FPS, codec: 'h264', container: 'mp4' });
  });

  // Frame on screen just before t_i = (i + 0.5)·D/F with D = N/r: the last n with n/r < t_i.
  const expectedIndex = (i: number, count: number): number => Math.ceil(((i + 0.5) * FRAMES) / count) - 1;

  for (const count of [1, 3, 7, 16, 20, 30]) {
    it(`F=${count} picks the frames at the frame centres`, async () => {
      const video = await reader.decodeFrames(clip, { numFrames: count, width: 80, height: 16, resizeMode: 'stretch' });
      expect(video.shape[0]).toBe(count);
      const picked = Array.from({ length: count }, (_, i) => readIndexBar(video, i, FRAMES));
      expect(picked).toEqual(Array.from({ length: count }, (_, i) => expectedIndex(i, count)));
      expect(video.timestamps).toEqual(Array.from({ length: count }, (_, i) => ((i + 0.5) * 2) / count));
    });
  }

  it('fps sampling takes round(D·fps) frames within the bounds', async () => {
    const byRate = await reader.decodeFrames(clip, { fps: 2, width: 80, height: 16, resizeMode: 'stretch' });
    expect(byRate.shape[0]).toBe(4);
    expect(Array.from({ length: 4 }, (_, i) => readIndexBar(byRate, i, FRAMES))).toEqual([2, 7, 12, 17]);
    const capped = await reader.decodeFrames(clip, { fps: 25, maxFrames: 5, width: 80, height: 16 });
    expect(capped.shape[0]).toBe(5);
    const floored = await reader.decodeFrames(clip, { fps: 0.1, minFrames: 3, width: 80, height: 16 });
    expect(floored.shape[0]).toBe(3);
  });

  describe('variable frame rate', () => {
    let dir: string;
    let path: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vrft-video-vfr-'));
      path = join(dir, 'vfr.mkv');
      // Frames 0–9 every 50 ms, then 10–19 every 150 ms, with real (not resampled) timestamps.
      const setpts = "settb=1/1000,setpts='if(lt(N,10),N*0.05,0.5+(N-10)*0.15)/TB'";
      const [, h, w] = bars.shape;
      const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-framerate', String(FPS), '-i', 'pipe:0'];
      await writeFile(
        path,
        runFfmpeg(
          [
            ...raw,
            '-vf',
            setpts,
            '-fps_mode',
            'passthrough',
            '-enc_time_base',
            '1/1000',
            '-c:v',
            'ffv1',
            '-f',
            'matroska',
            'pipe:1',
          ],
          bars.data,
        ),
      );
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('picks the frame on screen at each centre from the real timestamps', async () => {
      const times = readPacketTimes(path);
      expect(times).toHaveLength(FRAMES);
      const vfrReader = new VideoReader({ allowedRoots: [dir], cacheMaxBytes: 0 });
      const count = 12;
      const video = await vfrReader.decodeFrames(path, {
        numFrames: count,
        width: 80,
        height: 16,
        resizeMode: 'stretch',
      });
      const duration = video.probe.durationSec;
      const expected = Array.from({ length: count }, (_, i) => {
        const t = ((i + 0.5) * duration) / count;
        return times.filter((pts) => pts < t).length - 1;
      });
      const picked = Array.from({ length: count }, (_, i) => readIndexBar(video, i, FRAMES));
      expect(picked).toEqual(expected);
      // A CFR assumption (index = ⌊t · N / D⌋) would disagree somewhere on this clip.
      expect(picked).not.toEqual(Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * FRAMES) / count)));
    });
  });
});
