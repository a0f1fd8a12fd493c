/** Options of the dataset generator, with defaults and one parse function that names a bad field. */
import { DataOptionsError } from '../errors.js';
import { selectFamilies } from './question-writer.js';
import { parseSplit, SPLIT_SEED_RANGE, type SplitName } from './splits.js';
import { parseSyntheticOptions, type SyntheticOptions, type SyntheticOptionsInput } from './world-options.js';

/** Progress after each clip. */
export interface GenerateProgress {
  /** Clips finished (generated or resumed) of `total`. */
  done: number;
  total: number;
  /** Clips taken from an earlier run's files. */
  resumed: number;
  elapsedSec: number;
  /** Clips generated (not resumed) per minute so far. */
  clipsPerMinute: number;
  /** Seconds left at the current rate; undefined before the first generated clip. */
  etaSec: number | undefined;
}

/** Caller input of `generateDataset`. */
export interface GenerateDatasetOptions {
  /** Dataset directory; created when missing. */
  outDir: string;
  /** Clips to make. */
  count: number;
  /** First local seed in the split; clip i uses seed + i. Default 0. */
  seed?: number;
  /** Default `train`. */
  split?: SplitName | string;
  /** Encode each clip to `videos/<id>.mp4` (h264). Default true; false writes scenes only (frames re-render from them). */
  encode?: boolean;
  /** Clips in flight at once (each encode is one ffmpeg process). Default 2. */
  concurrency?: number;
  /** Reuse clips already in `outDir` made with the same options. Default true. */
  resume?: boolean;
  /** World and question options (difficulty preset and overrides). */
  synthetic?: SyntheticOptionsInput;
  /** h264 CRF, 0–51. Default 18. */
  quality?: number;
  /** ffmpeg executable. Default `ffmpeg`. */
  ffmpegPath?: string;
  /** Per-clip encode time limit. Default 60 000 ms. */
  encodeTimeoutMs?: number;
  onProgress?: (progress: GenerateProgress) => void;
  /** Milliseconds clock for rates (injectable for tests). Default `performance.now`. */
  clock?: () => number;
  signal?: AbortSignal;
}

/** {@link GenerateDatasetOptions} with defaults applied and values checked. */
export interface DatasetSettings {
  outDir: string;
  count: number;
  seed: number;
  split: SplitName;
  encode: boolean;
  concurrency: number;
  resume: boolean;
  synthetic: SyntheticOptions;
  quality: number;
  ffmpegPath: string;
  encodeTimeoutMs: number;
}

/** Applies defaults and checks every field; throws DataOptionsError naming the bad one. */
export function parseDatasetOptions(options: GenerateDatasetOptions): DatasetSettings {
  if (typeof options.outDir !== 'string' || options.outDir === '') {
    throw new DataOptionsError('outDir', 'expected a directory path');
  }
  const count = options.count;
  checkInteger('count', count, 1, SPLIT_SEED_RANGE);
  const seed = options.seed ?? 0;
  checkInteger('seed', seed, 0, SPLIT_SEED_RANGE - 1);
  if (seed + count > SPLIT_SEED_RANGE) {
    throw new DataOptionsError('count', `seed + count must stay within the split's ${SPLIT_SEED_RANGE} seeds`);
  }
  const concurrency = options.concurrency ?? 2;
  checkInteger('concurrency', concurrency, 1, 256);
  const quality = options.quality ?? 18;
  checkInteger('quality', quality, 0, 51);
  const encodeTimeoutMs = options.encodeTimeoutMs ?? 60_000;
  checkInteger('encodeTimeoutMs', encodeTimeoutMs, 1, 3_600_000);
  const synthetic = parseSyntheticOptions(options.synthetic);
  if (selectFamilies(synthetic.questions).length === 0) {
    throw new DataOptionsError('questions.families', 'no question family has one of the chosen problem types');
  }
  if (synthetic.world.width % 2 !== 0 || synthetic.world.height % 2 !== 0) {
    // h264 in 4:2:0 needs even sizes; only checked when encoding.
    if (options.encode ?? true) throw new DataOptionsError('world.width', 'h264 needs an even width and height');
  }
  return {
    outDir: options.outDir,
    count,
    seed,
    split: parseSplit(options.split ?? 'train'),
    encode: options.encode ?? true,
    concurrency,
    resume: options.resume ?? true,
    synthetic,
    quality,
    ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
    encodeTimeoutMs,
  };
}

function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new DataOptionsError(field, `expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
}
