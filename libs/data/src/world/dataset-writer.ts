/**
 * The dataset adapter: writes a split of the synthetic benchmark to disk.
 *
 *   DIR/videos/<clipId>.mp4     h264 through @vrft/video (skipped with encode: false)
 *   DIR/scenes/<clipId>.json    scene graph, questions, samples, options (see SceneFile)
 *   DIR/<split>.jsonl           the Video-R1 samples of the split, validated, in clip order
 *   DIR/<split>.manifest.json   what was asked for and what came out
 *
 * Resumable: a clip whose scene file exists with the same options digest is reused (and only
 * encoded when its video is missing). Each file appears whole or not at all (temp file + rename),
 * and the scene file is written after the video, so a killed run leaves no half clip behind.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeFramesToVideo } from '@vrft/video';
import { PROBLEM_TYPE_NAMES, type ProblemTypeName, type VideoSample } from '../sample-format.js';
import { writeSamples } from '../sample-files.js';
import { parseDatasetOptions, type DatasetSettings, type GenerateDatasetOptions } from './dataset-options.js';
import { renderScene } from './render.js';
import { isSceneFile, SCENE_FILE_FORMAT, type SceneFile } from './scene-file.js';
import { clipIdOf } from './splits.js';
import { clipPaths, generateClip, toVideoSamples } from './world-clip.js';

/** The generator could not produce or reuse a clip; `clipId` names it when known. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly clipId: string | undefined;

  constructor(message: string, clipId?: string, options?: { cause?: unknown }) {
    super(clipId === undefined ? message : `${clipId}: ${message}`, options);
    this.clipId = clipId;
  }
}

/** What a run produced. */
export interface DatasetSummary {
  split: string;
  clips: number;
  resumed: number;
  samples: number;
  encoded: boolean;
  byProblemType: Record<ProblemTypeName, number>;
  /** Samples per question family. */
  byFamily: Record<string, number>;
  /** Path of the split's JSONL. */
  samplesPath: string;
  elapsedSec: number;
  /** Clips generated (not resumed) per minute. */
  clipsPerMinute: number;
}

/**
 * Digest of the options that decide a clip's content. Encoding settings are left out on purpose:
 * a scenes-only run can be encoded later by resuming it with encoding on.
 */
export function digestOptions(settings: DatasetSettings): string {
  return createHash('sha256').update(JSON.stringify(settings.synthetic)).digest('hex').slice(0, 16);
}

/** Generates (or resumes) `count` clips of a split into `outDir`; see the file header for the layout. */
export async function generateDataset(options: GenerateDatasetOptions): Promise<DatasetSummary> {
  const settings = parseDatasetOptions(options);
  const clock = options.clock ?? (() => performance.now());
  const digest = digestOptions(settings);
  await mkdir(join(settings.outDir, 'scenes'), { recursive: true });
  if (settings.encode) await mkdir(join(settings.outDir, 'videos'), { recursive: true });

  const started = clock();
  const results: VideoSample[][] = new Array<VideoSample[]>(settings.count);
  const families: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let resumed = 0;
  const worker = async (): Promise<void> => {
    while (next < settings.count) {
      const index = next;
      next += 1;
      options.signal?.throwIfAborted();
      const file = await produceClip(settings, digest, settings.seed + index, options.signal);
      results[index] = file.samples;
      for (const q of file.questions) families[q.family] = (families[q.family] ?? 0) + 1;
      if (file.resumed) resumed += 1;
      done += 1;
      if (options.onProgress) {
        const elapsedSec = (clock() - started) / 1000;
        const generated = done - resumed;
        const rate = elapsedSec > 0 ? generated / elapsedSec : 0;
        options.onProgress({
          done,
          total: settings.count,
          resumed,
          elapsedSec,
          clipsPerMinute: rate * 60,
          etaSec: rate > 0 ? (settings.count - done) / rate : undefined,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, settings.count) }, worker));

  const samples = results.flat();
  const samplesPath = join(settings.outDir, `${settings.split}.jsonl`);
  await writeSamples(samplesPath, samples, { kind: 'rl' });
  const byProblemType = Object.fromEntries(PROBLEM_TYPE_NAMES.map((t) => [t, 0])) as Record<ProblemTypeName, number>;
  for (const sample of samples) byProblemType[sample.problem_type] += 1;
  const elapsedSec = (clock() - started) / 1000;
  const summary: DatasetSummary = {
    split: settings.split,
    clips: settings.count,
    resumed,
    samples: samples.length,
    encoded: settings.encode,
    byProblemType,
    byFamily: families,
    samplesPath,
    elapsedSec,
    clipsPerMinute: elapsedSec > 0 ? ((settings.count - resumed) / elapsedSec) * 60 : 0,
  };
  const manifest = {
    split: settings.split,
    firstSeed: settings.seed,
    count: settings.count,
    encoded: settings.encode,
    optionsDigest: digest,
    options: settings.synthetic,
    samples: samples.length,
    byProblemType,
    byFamily: families,
  };
  await writeFileAtomic(
    join(settings.outDir, `${settings.split}.manifest.json`),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  return summary;
}

async function produceClip(
  settings: DatasetSettings,
  digest: string,
  localSeed: number,
  signal: AbortSignal | undefined,
): Promise<SceneFile & { resumed: boolean }> {
  const clipId = clipIdOf(settings.split, localSeed);
  const paths = clipPaths(clipId);
  const scenePath = join(settings.outDir, paths.scene);
  const videoPath = join(settings.outDir, paths.video);
  if (settings.resume) {
    const existing = await readSceneFileIfPresent(scenePath, clipId);
    if (existing !== undefined) {
      if (existing.optionsDigest !== digest) {
        throw new DatasetError(
          `${paths.scene} was made with other options (digest ${existing.optionsDigest}, now ${digest}); use another directory or resume: false`,
          clipId,
        );
      }
      const needsVideo = settings.encode && !(await exists(videoPath));
      if (!needsVideo) return { ...existing, resumed: true };
      await encodeClip(settings, existing, videoPath, signal);
      const updated = { ...existing, encoded: true };
      await writeFileAtomic(scenePath, JSON.stringify(updated));
      return { ...updated, resumed: true };
    }
  }
  const clip = generateClip(settings.split, localSeed, settings.synthetic);
  const file: SceneFile = {
    format: SCENE_FILE_FORMAT,
    version: 1,
    clipId,
    split: clip.split,
    localSeed,
    seed: clip.seed,
    optionsDigest: digest,
    options: settings.synthetic,
    encoded: settings.encode,
    questions: clip.questions,
    samples: toVideoSamples(clip),
    scene: clip.scene,
  };
  if (settings.encode) await encodeClip(settings, file, videoPath, signal);
  await writeFileAtomic(scenePath, JSON.stringify(file));
  return { ...file, resumed: false };
}

async function encodeClip(
  settings: DatasetSettings,
  file: SceneFile,
  videoPath: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const frames = renderScene(file.scene);
  let bytes: Uint8Array;
  try {
    bytes = await encodeFramesToVideo(frames, {
      fps: file.scene.fps,
      codec: 'h264',
      container: 'mp4',
      quality: settings.quality,
      ffmpegPath: settings.ffmpegPath,
      timeoutMs: settings.encodeTimeoutMs,
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw new DatasetError(
      `encoding the video failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      file.clipId,
      {
        cause,
      },
    );
  }
  await writeFileAtomic(videoPath, bytes);
}

/** Reads and checks a scene file; throws DatasetError when it is missing or not a scene file. */
export async function readSceneFile(path: string): Promise<SceneFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new DatasetError(`cannot read scene file ${path}`, undefined, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DatasetError(`scene file ${path} is not JSON`, undefined, { cause });
  }
  if (!isSceneFile(value)) throw new DatasetError(`${path} is not a ${SCENE_FILE_FORMAT} file`);
  return value;
}

async function readSceneFileIfPresent(path: string, clipId: string): Promise<SceneFile | undefined> {
  if (!(await exists(path))) return undefined;
  try {
    return await readSceneFile(path);
  } catch (cause) {
    throw new DatasetError(`cannot resume: ${path} is unreadable; delete it to regenerate the clip`, clipId, { cause });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

let tempCounter = 0;

async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  tempCounter += 1;
  const temp = `${path}.${process.pid}-${tempCounter}.tmp`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
