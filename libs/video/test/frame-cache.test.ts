/**
 * The LRU frame cache and shared decodes: hits spawn nothing, identical concurrent requests run
 * one ffmpeg, the byte budget evicts the least recently used result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { VideoInputError, VideoReader, encodeFramesToVideo } from '../src/index.js';
import { ByteLruCache } from '../src/frame-cache.js';
import { isProcessAlive, renderMovingSquare } from './synthetic.js';

describe('ByteLruCache', () => {
  it('evicts least recently used entries to stay within the byte budget', () => {
    const cache = new ByteLruCache<Uint8Array>(10, (v) => v.length);
    cache.set('a', new Uint8Array(4));
    cache.set('b', new Uint8Array(4));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('c', new Uint8Array(4)); // 12 > 10: evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBe(8);
    cache.set('huge', new Uint8Array(11)); // larger than the budget: not kept, nothing evicted
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.set('a', new Uint8Array(6)); // replacing updates the byte count
    expect(cache.bytes).toBe(10);
  });
});

/** A reader whose first child is stopped (SIGSTOP) so a decode stays in flight until resumed. */
function createHeldReader(): { reader: VideoReader; held: () => number | undefined; resume: () => void } {
  let pid: number | undefined;
  const reader = new VideoReader({
    onSpawn: (event) => {
      if (pid === undefined && event.pid !== undefined) {
        pid = event.pid;
        process.kill(pid, 'SIGSTOP');
      }
    },
  });
  return { reader, held: () => pid, resume: () => pid !== undefined && process.kill(pid, 'SIGCONT') };
}

describe('VideoReader cache and shared decodes', () => {
  let clipA: Uint8Array;
  let clipB: Uint8Array;
  const sampling = { numFrames: 4, width: 32, height: 32 };
  const resultBytes = 4 * 32 * 32 * 3;

  beforeAll(async () => {
    clipA = await encodeFramesToVideo(renderMovingSquare(10, 32, 32), { fps: 10, codec: 'h264', container: 'mp4' });
    clipB = await encodeFramesToVideo(renderMovingSquare(12, 32, 32), { fps: 10, codec: 'h264', container: 'mp4' });
  });

  it('serves the second decode of the same bytes without spawning ffmpeg', async () => {
    const reader = new VideoReader();
    const first = await reader.decodeFrames(clipA, sampling);
    const spawnsAfterFirst = reader.stats().spawns;
    expect(spawnsAfterFirst).toBe(2); // ffprobe + ffmpeg
    first.data.fill(0); // callers own their copy; the cache is unaffected
    const second = await reader.decodeFrames(Buffer.from(clipA), sampling);
    expect(reader.stats()).toMatchObject({ spawns: spawnsAfterFirst, cacheHits: 1, cacheMisses: 1 });
    expect(second.sha256).toBe(first.sha256);
    expect(second.data.some((v) => v !== 0)).toBe(true);
    await reader.decodeFrames(clipA, { ...sampling, resizeMode: 'center-crop' });
    expect(reader.stats().spawns).toBe(spawnsAfterFirst + 2); // other sampling, other key
  });

  it('runs one decode for identical concurrent requests', async () => {
    const reader = new VideoReader();
    const results = await Promise.all([1, 2, 3].map(() => reader.decodeFrames(clipA, sampling)));
    expect(reader.stats()).toMatchObject({ spawns: 2, cacheMisses: 1, sharedDecodes: 2 });
    expect(Buffer.from(results[1]!.data).equals(Buffer.from(results[0]!.data))).toBe(true);
    expect(results[1]!.data).not.toBe(results[0]!.data);
  });

  it('evicts by bytes', async () => {
    const reader = new VideoReader({ cacheMaxBytes: Math.floor(resultBytes * 1.5) });
    await reader.decodeFrames(clipA, sampling);
    await reader.decodeFrames(clipB, sampling); // evicts A
    expect(reader.stats().cacheBytes).toBe(resultBytes);
    const before = reader.stats().spawns;
    await reader.decodeFrames(clipA, sampling);
    expect(reader.stats().spawns).toBe(before + 2);
  });

  it('keeps a shared decode running for the waiters that stay', async () => {
    const { reader, held, resume } = createHeldReader();
    const leaving = new AbortController();
    const first = reader.decodeFrames(clipB, sampling, { signal: leaving.signal });
    const staying = reader.decodeFrames(clipB, sampling);
    await expect.poll(() => reader.stats().sharedDecodes === 1 && held() !== undefined).toBe(true);
    leaving.abort();
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    resume();
    expect((await staying).shape).toEqual([4, 32, 32, 3]);
    expect(reader.stats().spawns).toBe(2);
  });

  it('cancels the decode when every waiter leaves, and a later request starts afresh', async () => {
    const { reader, held } = createHeldReader();
    const a = new AbortController();
    const b = new AbortController();
    const first = reader.decodeFrames(clipB, sampling, { signal: a.signal });
    const second = reader.decodeFrames(clipB, sampling, { signal: b.signal });
    await expect.poll(() => reader.stats().sharedDecodes === 1 && held() !== undefined).toBe(true);
    a.abort();
    b.abort();
    for (const pending of [first, second]) {
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VideoInputError);
      expect((error as VideoInputError).code).toBe('CANCELLED');
    }
    expect(reader.stats()).toMatchObject({ activeDecodes: 0, cacheEntries: 0 });
    expect(isProcessAlive(held()!)).toBe(false); // the stopped child was killed, not left behind
    expect((await reader.decodeFrames(clipB, sampling)).shape[0]).toBe(4);
  });
});
