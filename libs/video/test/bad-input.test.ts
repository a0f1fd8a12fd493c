/**
 * Every bad input gets a clear, coded error; children are killed and reaped on timeout and
 * cancellation; the decode queue fails fast when full.
 */
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FfmpegProcessError,
  VideoInputError,
  VideoReader,
  type SpawnEvent,
  encodeFramesToVideo,
} from '../src/index.js';
import { isProcessAlive, renderMovingSquare } from './synthetic.js';

/** Deterministic pseudo-random bytes (a 32-bit LCG), so "garbage" is the same on every run. */
function makeGarbage(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // x ← a·x + c mod 2³²
    bytes[i] = state >>> 24;
  }
  return bytes;
}

async function expectCode(promise: Promise<unknown>, code: VideoInputError['code']): Promise<VideoInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VideoInputError);
  expect((error as VideoInputError).code).toBe(code);
  return error as VideoInputError;
}

describe('bad input', () => {
  let clip: Uint8Array; // 2 s, index at the end
  let faststartClip: Uint8Array;

  beforeAll(async () => {
    const frames = renderMovingSquare(40, 64, 64);
    clip = await encodeFramesToVideo(frames, { fps: 20, codec: 'h264', container: 'mp4', faststart: false });
    faststartClip = await encodeFramesToVideo(frames, { fps: 20, codec: 'h264', container: 'mp4', faststart: true });
  });

  const reader = new VideoReader({ cacheMaxBytes: 0 });
  const small = { numFrames: 4, width: 32, height: 32 };

  it('rejects empty bytes and an empty stream', async () => {
    await expectCode(reader.decodeFrames(new Uint8Array(0), small), 'EMPTY_INPUT');
    await expectCode(reader.decodeFrames(Readable.from([]), small), 'EMPTY_INPUT');
    expect(reader.stats().spawns).toBe(0);
  });

  it('rejects random bytes as not a video, with ffmpeg stderr only in details', async () => {
    const error = await expectCode(reader.decodeFrames(makeGarbage(8192, 7), small), 'INVALID_VIDEO');
    expect(error.details).toMatch(/invalid data/i);
    expect(error.message).not.toMatch(/invalid data/i);
    expect(error.cause).toBeInstanceOf(FfmpegProcessError);
  });

  it('rejects text that pretends to be a video', async () => {
    const text = new TextEncoder().encode('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\nthis is not a video\n'.repeat(20));
    await expectCode(reader.decodeFrames(text, small), 'INVALID_VIDEO');
  });

  it('rejects an mp4 cut in half (index at the end, and index first)', async () => {
    await expectCode(reader.decodeFrames(clip.subarray(0, Math.floor(clip.length / 2)), small), 'INVALID_VIDEO');
    const error = await expectCode(
      reader.decodeFrames(faststartClip.subarray(0, Math.floor(faststartClip.length / 2)), { ...small, numFrames: 16 }),
      'INVALID_VIDEO',
    );
    // ffmpeg decodes the first half without failing; the shortfall of sampled frames gives it away.
    expect(error.message).toMatch(/truncated/);
    expect(error.details).toMatch(/partial file|invalid/i);
    expect(error.message).not.toMatch(/partial file/);
  });

  it('rejects input above the byte limit: bytes and streams', async () => {
    const tight = new VideoReader({ maxInputBytes: 1000 });
    await expectCode(tight.decodeFrames(clip, small), 'TOO_LARGE');
    const chunks = Array.from({ length: 8 }, (_, i) => clip.subarray(i * 200, (i + 1) * 200));
    await expectCode(tight.decodeFrames(Readable.from(chunks), small), 'TOO_LARGE');
    expect(tight.stats().spawns).toBe(0);
  });

  it('rejects a stream of text chunks', async () => {
    await expectCode(reader.decodeFrames(Readable.from(['not', 'bytes']), small), 'INVALID_ARGUMENT');
  });

  it('decodes from a stream of chunks', async () => {
    const chunks = Array.from({ length: Math.ceil(clip.length / 500) }, (_, i) =>
      clip.subarray(i * 500, (i + 1) * 500),
    );
    const video = await reader.decodeFrames(Readable.from(chunks), small);
    expect(video.shape).toEqual([4, 32, 32, 3]);
  });

  it('rejects a clip above the duration limit and a source above the pixel limit', async () => {
    await expectCode(new VideoReader({ maxDurationSec: 1.5 }).decodeFrames(clip, small), 'TOO_LONG');
    await expectCode(new VideoReader({ maxSourcePixels: 63 * 64 }).decodeFrames(clip, small), 'TOO_LARGE');
  });

  it('rejects bad sampling naming the field', async () => {
    const limited = new VideoReader({ maxFrames: 8, maxWidth: 64, defaultSampling: { numFrames: 4, width: 32 } });
    expect((await expectCode(limited.decodeFrames(clip, { numFrames: 9 }), 'INVALID_ARGUMENT')).field).toBe(
      'numFrames',
    );
    expect((await expectCode(limited.decodeFrames(clip, { width: 65, height: 8 }), 'INVALID_ARGUMENT')).field).toBe(
      'width',
    );
    expect((await expectCode(limited.decodeFrames(clip, { numFrames: 2.5 }), 'INVALID_ARGUMENT')).field).toBe(
      'numFrames',
    );
    expect((await expectCode(limited.decodeFrames(clip, { fps: -1 }), 'INVALID_ARGUMENT')).field).toBe('fps');
    const outputCapped = new VideoReader({ maxOutputBytes: 3 * 32 * 32 * 3 });
    expect((await expectCode(outputCapped.decodeFrames(clip, small), 'INVALID_ARGUMENT')).field).toBe('numFrames');
  });

  it('times out and kills the child', async () => {
    const pids: number[] = [];
    const slow = new VideoReader({ decodeTimeoutMs: 1, onSpawn: (e) => e.pid !== undefined && pids.push(e.pid) });
    const error = await expectCode(slow.decodeFrames(clip, small), 'TIMEOUT');
    expect(error.cause).toBeInstanceOf(FfmpegProcessError);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
  });

  it('cancels a running decode through its AbortSignal and kills ffmpeg', async () => {
    const controller = new AbortController();
    const spawned: SpawnEvent[] = [];
    const cancellable = new VideoReader({
      onSpawn: (event) => {
        spawned.push(event);
        if (event.command === 'ffmpeg') controller.abort(new Error('client went away'));
      },
    });
    await expectCode(cancellable.decodeFrames(clip, small, { signal: controller.signal }), 'CANCELLED');
    expect(spawned.map((e) => e.command)).toEqual(['ffprobe', 'ffmpeg']);
    for (const event of spawned) expect(isProcessAlive(event.pid!)).toBe(false);
    expect(cancellable.stats().activeDecodes).toBe(0);
    await expectCode(cancellable.decodeFrames(clip, small, { signal: controller.signal }), 'CANCELLED');
  });

  it('fails fast with BUSY when the queue is full, and a queued request can be cancelled', async () => {
    // The first decode's ffprobe is stopped (SIGSTOP) so it holds the only slot until continued.
    let held: number | undefined;
    const busy = new VideoReader({
      maxConcurrentDecodes: 1,
      maxQueuedDecodes: 1,
      onSpawn: (event) => {
        if (held === undefined && event.pid !== undefined) {
          held = event.pid;
          process.kill(event.pid, 'SIGSTOP');
        }
      },
    });
    const first = busy.decodeFrames(clip, small);
    await expect.poll(() => held).toBeDefined();
    const controller = new AbortController();
    const queued = busy.decodeFrames(clip, { ...small, numFrames: 5 }, { signal: controller.signal });
    await expect.poll(() => busy.stats().queuedDecodes).toBe(1);
    const error = await expectCode(busy.decodeFrames(clip, { ...small, numFrames: 6 }), 'BUSY');
    expect(error.message).toMatch(/busy/);
    controller.abort();
    await expectCode(queued, 'CANCELLED');
    expect(busy.stats().queuedDecodes).toBe(0);
    process.kill(held!, 'SIGCONT');
    expect((await first).shape).toEqual([4, 32, 32, 3]);
    expect(busy.stats().activeDecodes).toBe(0);
  });

  it('reports a missing ffmpeg as a process error, not as bad input', async () => {
    const broken = new VideoReader({ ffprobePath: '/nonexistent/ffprobe' });
    const error = await broken.decodeFrames(clip, small).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegProcessError);
    expect((error as FfmpegProcessError).reason).toBe('spawn');
  });
});
