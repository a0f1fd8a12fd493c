/**
 * Finds a clip of a generated dataset by clip id (`train-00000042`) or by a sample's problem id
 * (clipSeed · 10 + question index), without scanning the JSONL: the id says where the file is.
 */
import { join } from 'node:path';
import { type VideoSample } from '../sample-format.js';
import { DatasetError, readSceneFile } from './dataset-writer.js';
import { type SceneFile } from './scene-file.js';
import { clipIdOf, MAX_QUESTIONS_PER_CLIP, SPLIT_SEED_RANGE, SPLITS, splitOfSeed } from './splits.js';
import { clipPaths } from './world-clip.js';

/** A clip found in a dataset, with the samples asked for (one for a problem id, all for a clip id). */
export interface DatasetClip {
  file: SceneFile;
  samples: VideoSample[];
  /** Absolute-or-relative (as `dir` was given) path of the scene file. */
  scenePath: string;
  /** Path of the clip's video (it exists only when the clip was encoded). */
  videoPath: string;
}

const CLIP_ID = new RegExp(`^(${SPLITS.join('|')})-(\\d{8})$`);

/** Loads the clip `id` names from dataset directory `dir`; throws DatasetError when it is not there. */
export async function loadDatasetClip(dir: string, id: string): Promise<DatasetClip> {
  let clipId: string;
  let problemId: number | undefined;
  const match = CLIP_ID.exec(id);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    clipId = id;
  } else if (/^\d+$/.test(id)) {
    problemId = Number(id);
    const clipSeed = Math.floor(problemId / MAX_QUESTIONS_PER_CLIP);
    let split;
    try {
      split = splitOfSeed(clipSeed);
    } catch (cause) {
      throw new DatasetError(`problem id ${id} belongs to no split`, undefined, { cause });
    }
    clipId = clipIdOf(split, clipSeed % SPLIT_SEED_RANGE);
  } else {
    throw new DatasetError(`expected a clip id like train-00000042 or a numeric problem id, got ${JSON.stringify(id)}`);
  }
  const paths = clipPaths(clipId);
  const scenePath = join(dir, paths.scene);
  const file = await readSceneFile(scenePath);
  const samples = problemId === undefined ? file.samples : file.samples.filter((s) => s.problem_id === problemId);
  if (samples.length === 0) throw new DatasetError(`clip ${clipId} has no sample with problem id ${id}`, clipId);
  return { file, samples, scenePath, videoPath: join(dir, paths.video) };
}
