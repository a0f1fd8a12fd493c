/**
 * Test helpers: synthetic clips rendered in memory, ffmpeg-made fixtures and image metrics.
 * Everything runs the real ffmpeg/ffprobe; nothing is mocked.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RgbFrames } from '../src/frames.js';

/** Frames of a coloured square moving over a smooth gradient: [F, H, W, 3]. */
export function renderMovingSquare(count: number, height: number, width: number): RgbFrames {
  const data = new Uint8Array(count * height * width * 3);
  const side = Math.max(4, Math.floor(Math.min(width, height) / 4));
  for (let f = 0; f < count; f++) {
    const x0 = Math.round(((width - side) * f) / Math.max(1, count - 1));
    const y0 = Math.round(((height - side) * (count - 1 - f)) / Math.max(1, count - 1));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = ((f * height + y) * width + x) * 3;
        const inSquare = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
        data[i] = inSquare ? 230 : Math.round((200 * x) / width) + 20;
        data[i + 1] = inSquare ? 40 : Math.round((200 * y) / height) + 20;
        data[i + 2] = inSquare ? 60 : 120;
      }
    }
  }
  return { data, shape: [count, height, width, 3] };
}

/** Frames that encode their index: frame n has a bright vertical bar at columns [n·b, (n+1)·b), b = W / N. */
export function renderIndexBars(count: number, height: number, width: number): RgbFrames {
  const bar = Math.floor(width / count);
  if (bar < 2) throw new Error('width too small for the bars');
  const data = new Uint8Array(count * height * width * 3).fill(16);
  for (let f = 0; f < count; f++) {
    for (let y = 0; y < height; y++) {
      for (let x = f * bar; x < (f + 1) * bar; x++)
        data.fill(235, ((f * height + y) * width + x) * 3, ((f * height + y) * width + x + 1) * 3);
    }
  }
  return { data, shape: [count, height, width, 3] };
}

/** Reads back the index drawn by {@link renderIndexBars}: the bar slot with the brightest mean. */
export function readIndexBar(frames: RgbFrames, frame: number, count: number): number {
  const [, height, width] = frames.shape;
  const bar = Math.floor(width / count);
  let best = -1;
  let bestMean = -1;
  for (let slot = 0; slot < count; slot++) {
    let sum = 0;
    for (let y = 0; y < height; y++) {
      for (let x = slot * bar; x < (slot + 1) * bar; x++) sum += frames.data[((frame * height + y) * width + x) * 3]!;
    }
    const mean = sum / (height * bar);
    if (mean > bestMean) [best, bestMean] = [slot, mean];
  }
  return best;
}

/** PSNR in dB between two equally sized byte arrays: 10 · log10(255² / MSE). */
export function computePsnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let squared = 0;
  for (let i = 0; i < a.length; i++) squared += (a[i]! - b[i]!) ** 2;
  const mse = squared / a.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

/** Runs ffmpeg synchronously on `input` bytes and returns stdout; throws with stderr on failure. */
export function runFfmpeg(args: string[], input?: Uint8Array): Buffer {
  const result = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', ...args], {
    ...(input ? { input } : {}),
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** Packet presentation times (seconds, sorted) of the first video stream of a file, via ffprobe. */
export function readPacketTimes(path: string): number[] {
  const result = spawnSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time',
    '-of',
    'csv=p=0',
    path,
  ]);
  if (result.status !== 0) throw new Error(result.stderr.toString());
  return result.stdout
    .toString()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number)
    .sort((x, y) => x - y);
}

/** True while a process with this pid exists (a zombie still counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Like {@link runFfmpeg} but writes the output to a temporary file (for muxers that must seek) and returns its bytes. */
export function runFfmpegToFile(args: string[], input: Uint8Array, extension: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'vrft-video-fixture-'));
  try {
    const path = join(dir, `out.${extension}`);
    runFfmpeg([...args, '-y', path], input);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
