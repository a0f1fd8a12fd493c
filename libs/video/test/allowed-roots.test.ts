/**
 * File paths: only real paths inside the allowed roots are read; traversal, outside paths and
 * escaping symlinks are refused; temporary files never outlive a call.
 */
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoInputError, VideoReader, encodeFramesToVideo } from '../src/index.js';
import { resolveAllowedPath } from '../src/allowed-roots.js';
import { renderMovingSquare } from './synthetic.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VideoInputError);
  return (error as VideoInputError).code;
}

describe('allowed roots', () => {
  let base: string;
  let root: string;
  let outside: string;
  let reader: VideoReader;
  const small = { numFrames: 3, width: 16, height: 16 };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'vrft-video-roots-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'clips'), { recursive: true });
    await mkdir(outside);
    const clip = await encodeFramesToVideo(renderMovingSquare(10, 32, 32), {
      fps: 10,
      codec: 'h264',
      container: 'mp4',
      faststart: false,
    });
    await writeFile(join(root, 'clips', 'a.mp4'), clip);
    await writeFile(join(outside, 'secret.mp4'), clip);
    await writeFile(join(root, 'clips', 'notes.mp4'), 'these are my notes, not a video\n'.repeat(50));
    await symlink(join(outside, 'secret.mp4'), join(root, 'clips', 'escape.mp4'));
    await symlink(outside, join(root, 'outside-dir'));
    await symlink(join(root, 'clips', 'a.mp4'), join(root, 'inner-link.mp4'));
    reader = new VideoReader({ allowedRoots: [root], cacheMaxBytes: 0 });
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('reads a file by absolute path, relative path and file:// URI', async () => {
    const byPath = await reader.decodeFrames(join(root, 'clips', 'a.mp4'), small);
    expect(byPath.shape).toEqual([3, 16, 16, 3]);
    const byRelative = await reader.decodeFrames('clips/a.mp4', small);
    const byUri = await reader.decodeFrames(pathToFileURL(join(root, 'clips', 'a.mp4')).href, small);
    const byUrl = await reader.decodeFrames(pathToFileURL(join(root, 'clips', 'a.mp4')), small);
    for (const video of [byRelative, byUri, byUrl]) {
      expect(video.sha256).toBe(byPath.sha256);
      expect(Buffer.from(video.data).equals(Buffer.from(byPath.data))).toBe(true);
    }
    expect((await reader.probe('clips/a.mp4')).codec).toBe('h264');
  });

  it('follows a symlink that stays inside the root', async () => {
    expect((await reader.decodeFrames('inner-link.mp4', small)).shape[0]).toBe(3);
  });

  it('refuses paths outside the roots', async () => {
    expect(await codeOf(reader.decodeFrames(join(outside, 'secret.mp4'), small))).toBe('PATH_NOT_ALLOWED');
    expect(await codeOf(reader.decodeFrames(pathToFileURL(join(outside, 'secret.mp4')).href, small))).toBe(
      'PATH_NOT_ALLOWED',
    );
    expect(await codeOf(reader.decodeFrames('/etc/passwd', small))).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses ".." traversal, even when it would land inside a root', async () => {
    expect(await codeOf(reader.decodeFrames('../outside/secret.mp4', small))).toBe('PATH_NOT_ALLOWED');
    expect(await codeOf(reader.decodeFrames(`${root}/clips/../../outside/secret.mp4`, small))).toBe('PATH_NOT_ALLOWED');
    expect(await codeOf(reader.decodeFrames('clips/../clips/a.mp4', small))).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses symlinks inside a root that point outside', async () => {
    expect(await codeOf(reader.decodeFrames('clips/escape.mp4', small))).toBe('PATH_NOT_ALLOWED');
    expect(await codeOf(reader.decodeFrames('outside-dir/secret.mp4', small))).toBe('PATH_NOT_ALLOWED');
  });

  it('reports a missing file or a directory as NOT_FOUND', async () => {
    expect(await codeOf(reader.decodeFrames('clips/missing.mp4', small))).toBe('NOT_FOUND');
    expect(await codeOf(reader.decodeFrames('clips', small))).toBe('NOT_FOUND');
  });

  it('reports a text file named .mp4 as INVALID_VIDEO', async () => {
    expect(await codeOf(reader.decodeFrames('clips/notes.mp4', small))).toBe('INVALID_VIDEO');
  });

  it('refuses other URI schemes and file access without roots', async () => {
    expect(await codeOf(reader.decodeFrames('http://example.com/a.mp4', small))).toBe('PATH_NOT_ALLOWED');
    expect(await codeOf(new VideoReader().decodeFrames(join(root, 'clips', 'a.mp4'), small))).toBe('PATH_NOT_ALLOWED');
    await expect(resolveAllowedPath('a\0b', [root])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses files above the byte limit', async () => {
    const tight = new VideoReader({ allowedRoots: [root], maxInputBytes: 100 });
    expect(await codeOf(tight.decodeFrames('clips/a.mp4', small))).toBe('TOO_LARGE');
  });

  it('leaves no temporary file behind after success, failure or timeout', async () => {
    const scratch = join(base, 'scratch');
    await mkdir(scratch);
    const clip = await encodeFramesToVideo(renderMovingSquare(10, 32, 32), {
      fps: 10,
      codec: 'h264',
      container: 'mp4',
      faststart: false,
    });
    const local = new VideoReader({ tempDir: scratch, cacheMaxBytes: 0 });
    let sawTempDir = false;
    const watching = new VideoReader({
      tempDir: scratch,
      cacheMaxBytes: 0,
      onSpawn: () => {
        // While ffmpeg runs, the clip (index at the end) sits in a private temp directory.
        sawTempDir ||= readdirSync(scratch).some((name) => name.startsWith('vrft-video-'));
      },
    });
    expect((await watching.decodeFrames(clip, small)).shape[0]).toBe(3);
    expect(sawTempDir).toBe(true);
    expect(await codeOf(local.decodeFrames(clip.subarray(0, clip.length >> 1), small))).toBe('INVALID_VIDEO');
    expect(await codeOf(new VideoReader({ tempDir: scratch, decodeTimeoutMs: 1 }).decodeFrames(clip, small))).toBe(
      'TIMEOUT',
    );
    expect(await readdir(scratch)).toEqual([]);
  });
});
