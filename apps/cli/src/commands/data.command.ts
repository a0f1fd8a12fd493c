/**
 * `vrft data generate` and `vrft data show`: the synthetic video-reasoning benchmark on the
 * command line. main.ts calls {@link runDataCommand} with the arguments after `data`.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DataOptionsError,
  DatasetError,
  PROBLEM_TYPE_NAMES,
  generateDataset,
  loadDatasetClip,
  renderScene,
  type DatasetSummary,
} from '@vrft/data';
import { writeContactSheetPng } from '@vrft/video';
import { GENERATE_USAGE, UsageError, parseGenerateArgs } from '../data/generate-args.js';
import { createProgressPrinter, formatDuration } from '../data/progress-line.js';
import { formatSample, formatScene } from '../data/show-clip.js';
import { upscaleFrames } from '../data/upscale.js';
import { formatTable } from '../table.js';

const EX_USAGE = 64;

/** Where the command writes. */
export interface DataCommandIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

const SHOW_USAGE = `usage: vrft data show DIR ID [--png PATH] [--scale N] [--cols N]

  ID           a clip id (train-00000042) or a sample's problem_id
  --png PATH   contact sheet path (default DIR/contact/<clip id>.png)
  --scale N    upscale frames N× for viewing (default 3)
  --cols N     frames per row of the sheet (default 8)
`;

const USAGE = `usage: vrft data <generate|show> …\n\n${GENERATE_USAGE}\n${SHOW_USAGE}`;

/** Runs `vrft data …`; returns the exit code (0 ok, 1 failure, 64 bad usage). */
export async function runDataCommand(args: readonly string[], io: DataCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'generate') return await runGenerate(rest, io);
    if (sub === 'show') return await runShow(rest, io);
    io.err.write(USAGE);
    return sub === undefined || sub === '--help' || sub === 'help' ? 0 : EX_USAGE;
  } catch (error) {
    if (error instanceof UsageError || error instanceof DataOptionsError) {
      io.err.write(`vrft data ${sub ?? ''}: ${error.message}\n`);
      return EX_USAGE;
    }
    if (error instanceof DatasetError) {
      io.err.write(`vrft data ${sub ?? ''}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function runGenerate(args: readonly string[], io: DataCommandIo): Promise<number> {
  const { options, progressSeconds } = parseGenerateArgs(args);
  io.out.write(
    `generating ${options.count} ${options.split ?? 'train'} clips into ${options.outDir}` +
      `${options.encode === false ? ' (scenes only, no mp4)' : ''}\n`,
  );
  const summary = await generateDataset({ ...options, onProgress: createProgressPrinter(io.out, progressSeconds) });
  io.out.write(`${formatSummary(summary)}\n`);
  return 0;
}

/** The end-of-run report: totals, then samples per problem type and per family. */
export function formatSummary(summary: DatasetSummary): string {
  const byType = PROBLEM_TYPE_NAMES.map((type) => [
    type,
    String(summary.byProblemType[type]),
    summary.samples === 0 ? '0.0%' : `${((100 * summary.byProblemType[type]) / summary.samples).toFixed(1)}%`,
  ]);
  const byFamily = Object.entries(summary.byFamily)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([family, count]) => [family, String(count)]);
  return [
    `done: ${summary.clips} clips (${summary.resumed} resumed), ${summary.samples} samples in ${formatDuration(summary.elapsedSec)}` +
      `, ${summary.clipsPerMinute.toFixed(1)} clips/min${summary.encoded ? ' with mp4 encoding' : ' without encoding'}`,
    `samples: ${summary.samplesPath}`,
    '',
    formatTable(['problem type', 'samples', 'share'], [...byType, ['total', String(summary.samples), '100%']]),
    '',
    formatTable(['family', 'samples'], byFamily),
  ].join('\n');
}

async function runShow(args: readonly string[], io: DataCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        png: { type: 'string' },
        scale: { type: 'string', default: '3' },
        cols: { type: 'string', default: '8' },
      },
    });
  } catch (cause) {
    throw new UsageError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const [dir, id] = parsed.positionals;
  if (dir === undefined || id === undefined) throw new UsageError(`expected DIR and ID\n${SHOW_USAGE}`);
  const scale = Number(parsed.values.scale);
  const cols = Number(parsed.values.cols);
  if (!Number.isInteger(scale) || scale < 1 || scale > 16)
    throw new UsageError('--scale: expected an integer in [1, 16]');
  if (!Number.isInteger(cols) || cols < 1) throw new UsageError('--cols: expected a positive integer');

  const clip = await loadDatasetClip(dir, id);
  const videoExists = await access(clip.videoPath).then(
    () => true,
    () => false,
  );
  io.out.write(`${formatScene(clip, videoExists)}\n\n`);
  for (const sample of clip.samples) io.out.write(`${formatSample(sample)}\n\n`);
  // The sheet shows the frames exactly as rendered (before h264), re-rendered from the scene.
  const frames = upscaleFrames(renderScene(clip.file.scene), scale);
  const png = await writeContactSheetPng(frames, cols);
  const pngPath = parsed.values.png ?? join(dir, 'contact', `${clip.file.clipId}.png`);
  await mkdir(dirname(pngPath), { recursive: true });
  await writeFile(pngPath, png);
  io.out.write(
    `contact sheet: ${pngPath} (${clip.file.scene.frameCount} frames, ${Math.min(cols, clip.file.scene.frameCount)} per row, ×${scale})\n`,
  );
  return 0;
}
