/**
 * Options of a curation run, with defaults and one parse function that throws
 * CurationOptionsError naming the bad field.
 */
import { CurationOptionsError } from '../errors.js';
import { DEFAULT_PERCEPTION_OPTIONS, type PerceptionOptions } from '../perception/perceive-clip.js';
import { type ChatClientOptions } from '../remote/chat-client.js';
import { DEFAULT_REMOTE_STAGE_OPTIONS, type RemoteStageOptions } from '../remote/remote-stages.js';
import { DEFAULT_CHECK_OPTIONS, type ClaimCheckOptions } from '../revise/check-claims.js';
import { DEFAULT_WRITER_OPTIONS, type BuiltinWriterOptions } from '../writer/write-draft.js';
import { parseFilterOptions, type FilterOptions } from './filter.js';

/** Which implementation a stage uses. */
export type StageBackend = 'builtin' | 'openai';

/** Progress after each sample. */
export interface CurateProgress {
  /** Samples finished in this run plus those found done. */
  done: number;
  total: number;
  /** Samples found done in the work directory (a resumed run). */
  resumed: number;
  kept: number;
  failed: number;
  elapsedSec: number;
  /** Samples per second processed in this run. */
  rate: number;
  /** Seconds left at the current rate; undefined before the first sample. */
  etaSec: number | undefined;
}

/** Caller input of `runCuration`. */
export interface CurateOptions {
  /** Dataset directory (sample paths are relative to it). */
  dataDir: string;
  /** Work and output directory: stages/*.jsonl, sft.jsonl, rl.jsonl, report.json, report.md. */
  outDir: string;
  /** Samples file, relative to dataDir or absolute. Default `train.jsonl`. */
  samples?: string;
  /** Curate at most this many samples (the first ones). Default all. */
  limit?: number;
  /** Samples in flight at once. Default 2. */
  concurrency?: number;
  describer?: StageBackend;
  writer?: StageBackend;
  reviser?: StageBackend;
  /** Endpoint and client settings of the remote stages (required when any stage is `openai`). */
  remote?: Omit<ChatClientOptions, 'now' | 'sleep' | 'fetch'> &
    Partial<Pick<ChatClientOptions, 'now' | 'sleep' | 'fetch'>>;
  remoteStages?: Partial<RemoteStageOptions>;
  perception?: Partial<PerceptionOptions>;
  writing?: Partial<BuiltinWriterOptions>;
  checking?: Partial<ClaimCheckOptions>;
  filter?: Partial<FilterOptions>;
  /** Run samples whose earlier attempt failed again (their new record supersedes the old). Default false. */
  retryFailed?: boolean;
  /** Frames decoded per clip at most. Default 256. */
  maxFrames?: number;
  /** `video` (default): decode the clip's file, falling back to its scene; `scene`: render scene files. */
  frames?: 'video' | 'scene';
  ffmpegPath?: string;
  ffprobePath?: string;
  onProgress?: (progress: CurateProgress) => void;
  /** Milliseconds clock (injectable for tests). Default `performance.now`. */
  clock?: () => number;
  signal?: AbortSignal;
}

/** {@link CurateOptions} with defaults applied and values checked. */
export interface CurateSettings {
  dataDir: string;
  outDir: string;
  samples: string;
  limit: number | undefined;
  concurrency: number;
  describer: StageBackend;
  writer: StageBackend;
  reviser: StageBackend;
  remote: CurateOptions['remote'];
  remoteStages: RemoteStageOptions;
  perception: PerceptionOptions;
  writing: BuiltinWriterOptions;
  checking: ClaimCheckOptions;
  filter: FilterOptions;
  retryFailed: boolean;
  maxFrames: number;
  frames: 'video' | 'scene';
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
}

function checkNumber(field: string, value: unknown, min: number, max: number, integer = false): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a number';
    throw new CurationOptionsError(field, `expected ${kind} in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
}

function checkBackend(field: string, value: unknown): StageBackend {
  if (value !== 'builtin' && value !== 'openai') {
    throw new CurationOptionsError(field, `expected "builtin" or "openai", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Applies defaults and checks every field (see {@link CurateOptions}). */
export function parseCurateOptions(options: CurateOptions): CurateSettings {
  for (const field of ['dataDir', 'outDir'] as const) {
    if (typeof options[field] !== 'string' || options[field] === '')
      throw new CurationOptionsError(field, 'expected a directory path');
  }
  const concurrency = options.concurrency ?? 2;
  checkNumber('concurrency', concurrency, 1, 1024, true);
  if (options.limit !== undefined) checkNumber('limit', options.limit, 1, Number.MAX_SAFE_INTEGER, true);
  const maxFrames = options.maxFrames ?? 256;
  checkNumber('maxFrames', maxFrames, 2, 100_000, true);
  const describer = checkBackend('describer', options.describer ?? 'builtin');
  const writer = checkBackend('writer', options.writer ?? 'builtin');
  const reviser = checkBackend('reviser', options.reviser ?? 'builtin');
  if ([describer, writer, reviser].includes('openai') && options.remote === undefined) {
    throw new CurationOptionsError('remote', 'a stage uses "openai" but no endpoint and model are set');
  }
  const perception = { ...DEFAULT_PERCEPTION_OPTIONS, ...options.perception };
  checkNumber('perception.sampleFps', perception.sampleFps, 0.01, 1000);
  checkNumber('perception.minObjectPixels', perception.minObjectPixels, 1, 1e6, true);
  checkNumber('perception.uncertainPixels', perception.uncertainPixels, 1, 1e6, true);
  checkNumber('perception.maxColourDistance', perception.maxColourDistance, 1, 442);
  checkNumber('perception.colourMarginMin', perception.colourMarginMin, 0, 442);
  checkNumber('perception.shapeMarginMin', perception.shapeMarginMin, 0, 10);
  checkNumber('perception.maxTrackSpeed', perception.maxTrackSpeed, 0, 1e6);
  checkNumber('perception.maxMissedSamples', perception.maxMissedSamples, 0, 1000, true);
  checkNumber('perception.contactSlackPx', perception.contactSlackPx, 0, 1000);
  checkNumber('perception.textUncertainMismatches', perception.textUncertainMismatches, 0, 35, true);
  const writing = { ...DEFAULT_WRITER_OPTIONS, ...options.writing };
  checkNumber('writing.seed', writing.seed, 0, 2 ** 32 - 1, true);
  checkNumber('writing.browseMoments', writing.browseMoments, 1, 100, true);
  const checking = { ...DEFAULT_CHECK_OPTIONS, ...options.checking };
  checkNumber('checking.minObjectPixels', checking.minObjectPixels, 1, 1e6, true);
  checkNumber('checking.maxColourDistance', checking.maxColourDistance, 1, 442);
  checkNumber('checking.shapeMarginMin', checking.shapeMarginMin, 0, 10);
  checkNumber('checking.frameSlack', checking.frameSlack, 0, 1000, true);
  checkNumber('checking.directionToleranceDeg', checking.directionToleranceDeg, 0, 180);
  checkNumber('checking.textUncertainMismatches', checking.textUncertainMismatches, 0, 35, true);
  const remoteStages = { ...DEFAULT_REMOTE_STAGE_OPTIONS, ...options.remoteStages };
  checkNumber('remoteStages.maxImages', remoteStages.maxImages, 1, 256, true);
  checkNumber('remoteStages.sampleFps', remoteStages.sampleFps, 0.01, 1000);
  const frames = options.frames ?? 'video';
  if (frames !== 'video' && frames !== 'scene') throw new CurationOptionsError('frames', 'expected "video" or "scene"');
  return {
    dataDir: options.dataDir,
    outDir: options.outDir,
    samples: options.samples ?? 'train.jsonl',
    limit: options.limit,
    concurrency,
    describer,
    writer,
    reviser,
    remote: options.remote,
    remoteStages,
    perception,
    writing,
    checking,
    filter: parseFilterOptions(options.filter),
    retryFailed: options.retryFailed ?? false,
    maxFrames,
    frames,
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
  };
}
