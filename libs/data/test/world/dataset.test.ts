/**
 * The dataset generator end to end with real ffmpeg: files, validation, resume, and clips that
 * decode back to frames close to the rendered ones with a legible sign.
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VideoReader } from '@vrft/video';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  DataOptionsError,
  generateDataset,
  loadDatasetClip,
  readSamples,
  readBitmapText,
  renderScene,
  type GenerateProgress,
} from '../../src/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vrft-world-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** PSNR in dB between two byte arrays of equal length: 10 · log10(255² / MSE). */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / a.length));
}

describe('generateDataset', () => {
  it('writes mp4 clips, scene files and a valid JSONL, and resumes without redoing clips', async () => {
    const outDir = await tempDir();
    const progress: GenerateProgress[] = [];
    const summary = await generateDataset({
      outDir,
      count: 3,
      seed: 10,
      split: 'validation',
      concurrency: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(summary.clips).toBe(3);
    expect(summary.resumed).toBe(0);
    expect(summary.samples).toBe(6);
    expect(Object.values(summary.byProblemType).reduce((s, n) => s + n, 0)).toBe(6);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(progress.at(-1)?.clipsPerMinute).toBeGreaterThan(0);

    expect((await readdir(join(outDir, 'videos'))).sort()).toEqual([
      'validation-00000010.mp4',
      'validation-00000011.mp4',
      'validation-00000012.mp4',
    ]);
    const samples = await readSamples(join(outDir, 'validation.jsonl'), { kind: 'rl' });
    expect(samples).toHaveLength(6);
    for (const sample of samples) {
      expect(sample.data_source).toBe('vrft-synthetic');
      expect((await stat(join(outDir, sample.path))).size).toBeGreaterThan(0);
    }

    // The clip decodes to frames close to the rendered originals, and the sign still reads.
    const clip = await loadDatasetClip(outDir, 'validation-00000010');
    const rendered = renderScene(clip.file.scene);
    const reader = new VideoReader({ allowedRoots: [outDir] });
    const decoded = await reader.decodeFrames(clip.videoPath, {
      numFrames: clip.file.scene.frameCount,
      width: clip.file.scene.width,
      height: clip.file.scene.height,
    });
    expect(decoded.shape).toEqual(rendered.shape);
    expect(psnr(decoded.data, rendered.data)).toBeGreaterThan(25);
    const { hud, width, height } = clip.file.scene;
    const last = clip.file.scene.frameCount - 1;
    const frame = decoded.data.subarray(last * width * height * 3, (last + 1) * width * height * 3);
    const box = { x: hud.signX, y: hud.signY, scale: hud.scale, chars: 7 };
    expect(readBitmapText(frame, width, height, box)).toBe(clip.file.scene.frames[last]?.sign);

    // A problem id finds its own clip and sample.
    const one = await loadDatasetClip(outDir, String(samples[3]?.problem_id));
    expect(one.samples).toEqual([samples[3]]);

    // Resume: nothing is regenerated, the JSONL is rewritten identically.
    const before = await readFile(join(outDir, 'validation.jsonl'), 'utf8');
    const again = await generateDataset({ outDir, count: 3, seed: 10, split: 'validation' });
    expect(again.resumed).toBe(3);
    expect(await readFile(join(outDir, 'validation.jsonl'), 'utf8')).toBe(before);

    // Other options in the same directory are refused, naming the clip.
    const conflict = generateDataset({
      outDir,
      count: 1,
      seed: 10,
      split: 'validation',
      synthetic: { difficulty: 'hard' },
    });
    await expect(conflict).rejects.toThrow(DatasetError);
    await expect(conflict).rejects.toThrow(/validation-00000010/);
  });

  it('skips encoding with encode: false, and later encodes the missing videos on resume', async () => {
    const outDir = await tempDir();
    const summary = await generateDataset({ outDir, count: 2, encode: false });
    expect(summary.encoded).toBe(false);
    expect(await readdir(outDir)).not.toContain('videos');
    expect(await readdir(join(outDir, 'scenes'))).toHaveLength(2);
    const encoded = await generateDataset({ outDir, count: 2, encode: true });
    expect(encoded.resumed).toBe(2);
    expect((await readdir(join(outDir, 'videos'))).sort()).toEqual(['train-00000000.mp4', 'train-00000001.mp4']);
    expect((await loadDatasetClip(outDir, 'train-00000001')).file.encoded).toBe(true);
  });

  it('rejects bad options by field and unknown ids clearly', async () => {
    const outDir = await tempDir();
    await expect(generateDataset({ outDir, count: 0 })).rejects.toThrow(DataOptionsError);
    await expect(generateDataset({ outDir, count: 1, split: 'dev' })).rejects.toThrow(/split/);
    await expect(generateDataset({ outDir, count: 1, concurrency: 0 })).rejects.toThrow(/concurrency/);
    const noFamily = { questions: { families: ['read-sign'], problemTypes: ['numerical' as const] } };
    await expect(generateDataset({ outDir, count: 1, synthetic: noFamily })).rejects.toThrow(/questions\.families/);
    await expect(generateDataset({ outDir, count: 1, synthetic: { questions: { families: ['x'] } } })).rejects.toThrow(
      /unknown family "x"/,
    );
    await expect(loadDatasetClip(outDir, 'train-00000001')).rejects.toThrow(DatasetError);
    await expect(loadDatasetClip(outDir, 'banana')).rejects.toThrow(/clip id/);
  });
});
