/**
 * A contact sheet: frames tiled in a grid as one PNG (ffmpeg's tile filter), for `vrft data show`.
 */
import { VideoOptionsError } from './errors.js';
import { checkRgbFrames, type RgbFrames } from './frames.js';
import { buildRawInputArgs, type FfmpegToolOptions, resolveToolOptions } from './encode-video.js';
import { runProcess } from './process-runner.js';

/** Options of {@link writeContactSheetPng}. */
export interface ContactSheetOptions extends Omit<FfmpegToolOptions, 'tempDir'> {
  /** Black pixels between tiles. Default 2. */
  padding?: number;
  /** Black pixels around the grid. Default 2. */
  margin?: number;
}

/**
 * Tiles frames [F, H, W, 3] into a PNG of `cols` columns (capped at F) and ⌈F / cols⌉ rows; cells
 * past the last frame stay black. The PNG is W' = cols·W + (cols−1)·padding + 2·margin wide.
 */
export async function writeContactSheetPng(
  frames: RgbFrames,
  cols: number,
  options: ContactSheetOptions = {},
): Promise<Uint8Array> {
  checkRgbFrames(frames);
  const tool = resolveToolOptions(options);
  if (!Number.isSafeInteger(cols) || cols < 1) throw new VideoOptionsError('cols', 'must be a positive integer');
  const padding = options.padding ?? 2;
  const margin = options.margin ?? 2;
  for (const [field, value] of [
    ['padding', padding],
    ['margin', margin],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > 1024)
      throw new VideoOptionsError(field, 'must be an integer in [0, 1024]');
  }
  const count = frames.shape[0];
  const columns = Math.min(cols, count);
  const rows = Math.ceil(count / columns);
  const tile = `tile=${columns}x${rows}:padding=${padding}:margin=${margin}:color=black`;
  const args = [
    ...['-nostdin', '-v', 'error', ...buildRawInputArgs(frames, 1)],
    ...['-vf', tile, '-frames:v', '1', '-c:v', 'png', '-f', 'image2pipe', 'pipe:1'],
  ];
  const { stdout } = await runProcess({
    command: tool.ffmpegPath,
    args,
    input: frames.data,
    captureStdout: true,
    maxStdoutBytes: tool.maxOutputBytes,
    timeoutMs: tool.timeoutMs,
    signal: options.signal,
    stderrTailBytes: tool.stderrTailBytes,
    onSpawn: options.onSpawn,
  });
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}
