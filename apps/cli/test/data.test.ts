/**
 * `vrft data generate` → `vrft data show` end to end, in process, with real ffmpeg: the files,
 * the progress and summary output, the printed sample and a PNG contact sheet of the right size.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSamples } from '@vrft/data';
import { afterAll, describe, expect, it } from 'vitest';
import { runDataCommand } from '../src/commands/data.command.js';
import { parseGenerateArgs } from '../src/data/generate-args.js';
import { captureIo as capture } from './capture-io.js';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('vrft data', () => {
  it('generates a small dataset and shows a sample with a contact sheet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vrft-data-cli-'));
    dirs.push(dir);
    const gen = capture();
    const code = await runDataCommand(
      [
        'generate',
        '--out',
        dir,
        '--count',
        '3',
        '--seed',
        '7',
        '--split',
        'test',
        '--concurrency',
        '2',
        '--questions-per-clip',
        '3',
      ],
      gen.io,
    );
    expect(gen.err()).toBe('');
    expect(code).toBe(0);
    expect(gen.out()).toMatch(/clips 3\/3 .*clips\/min/);
    expect(gen.out()).toMatch(/done: 3 clips \(0 resumed\), 9 samples/);
    for (const type of ['multiple choice', 'numerical', 'OCR', 'free-form', 'regression']) {
      expect(gen.out()).toContain(type);
    }
    const samples = await readSamples(join(dir, 'test.jsonl'), { kind: 'rl' });
    expect(samples).toHaveLength(9);

    const sample = samples[4];
    if (!sample) throw new Error('expected a sample');
    const show = capture();
    expect(await runDataCommand(['show', dir, String(sample.problem_id), '--scale', '2', '--cols', '4'], show.io)).toBe(
      0,
    );
    const text = show.out();
    const clipId = sample.path.replace('./videos/', '').replace('.mp4', '');
    expect(text).toContain(`clip ${clipId}`);
    expect(text).toContain(sample.problem);
    expect(text).toContain(sample.solution);
    for (const option of sample.options ?? []) expect(text).toContain(option);
    const pngPath = /contact sheet: (\S+)/.exec(text)?.[1];
    if (!pngPath) throw new Error('no contact sheet path printed');
    const png = await readFile(pngPath);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const frames = Number(/(\d+) frames at/.exec(text)?.[1]);
    // 4 columns of 128-px tiles with 2 px padding and margin.
    expect(pngSize(png)).toEqual([
      4 * 128 + 3 * 2 + 2 * 2,
      Math.ceil(frames / 4) * 128 + (Math.ceil(frames / 4) - 1) * 2 + 4,
    ]);

    // Running again resumes every clip.
    const again = capture();
    expect(
      await runDataCommand(
        ['generate', '--out', dir, '--count', '3', '--seed', '7', '--split', 'test', '--questions-per-clip', '3'],
        again.io,
      ),
    ).toBe(0);
    expect(again.out()).toMatch(/done: 3 clips \(3 resumed\)/);
  });

  it('answers bad usage with exit code 64 and a message naming the option', async () => {
    const missing = capture();
    expect(await runDataCommand(['generate', '--count', '2'], missing.io)).toBe(64);
    expect(missing.err()).toContain('--out');
    const badNumber = capture();
    expect(await runDataCommand(['generate', '--out', '/tmp/x', '--count', 'many'], badNumber.io)).toBe(64);
    expect(badNumber.err()).toContain('--count');
    const badType = capture();
    expect(
      await runDataCommand(
        ['generate', '--out', join(tmpdir(), 'never'), '--count', '1', '--problem-types', 'essay'],
        badType.io,
      ),
    ).toBe(64);
    expect(badType.err()).toContain('questions.problemTypes');
    const unknown = capture();
    expect(await runDataCommand(['show', tmpdir(), 'train-00000001'], unknown.io)).toBe(1);
    expect(unknown.err()).toContain('scene file');
    expect(await runDataCommand(['frobnicate'], capture().io)).toBe(64);
  });

  it('maps command-line options onto the generator options', () => {
    const { options } = parseGenerateArgs([
      '--out',
      'd',
      '--count',
      '5',
      '--no-encode',
      '--difficulty',
      'hard',
      '--width',
      '128',
      '--height',
      '128',
      '--families',
      'read-sign, direction',
      '--closeness',
      '0.2',
    ]);
    expect(options).toMatchObject({
      outDir: 'd',
      count: 5,
      encode: false,
      synthetic: {
        difficulty: 'hard',
        world: { width: 128, height: 128 },
        questions: { families: ['read-sign', 'direction'], closeness: 0.2 },
      },
    });
  });
});
