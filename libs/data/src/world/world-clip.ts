/**
 * One clip of the synthetic benchmark: simulate → (render) → questions → Video-R1 samples. Pure:
 * no files, no clock; the dataset writer adds the I/O.
 */
import { type VideoSample } from '../sample-format.js';
import { type WorldQuestion } from './question-family.js';
import { writeQuestions } from './question-writer.js';
import { type SceneGraph } from './scene-graph.js';
import { simulateWorld } from './simulate.js';
import { clipIdOf, clipSeedOf, problemIdOf, type SplitName } from './splits.js';
import { type SyntheticOptions } from './world-options.js';

/** `data_source` of every synthetic sample. */
export const SYNTHETIC_DATA_SOURCE = 'vrft-synthetic';

/** A simulated clip and its questions. */
export interface WorldClip {
  clipId: string;
  split: SplitName;
  /** Local seed within the split. */
  localSeed: number;
  /** Global seed (split offset + local seed); drives the simulation and the questions. */
  seed: number;
  scene: SceneGraph;
  questions: WorldQuestion[];
}

/** Simulates clip `localSeed` of `split` and writes its questions. */
export function generateClip(split: SplitName, localSeed: number, options: SyntheticOptions): WorldClip {
  const seed = clipSeedOf(split, localSeed);
  const scene = simulateWorld(seed, options.world);
  return {
    clipId: clipIdOf(split, localSeed),
    split,
    localSeed,
    seed,
    scene,
    questions: writeQuestions(scene, options.questions),
  };
}

/** Relative paths of a clip's files inside a dataset directory. */
export function clipPaths(clipId: string): { video: string; scene: string } {
  return { video: `./videos/${clipId}.mp4`, scene: `./scenes/${clipId}.json` };
}

/** The clip's questions as Video-R1 records (field order of the public files; `original_question_type` = skill). */
export function toVideoSamples(clip: WorldClip): VideoSample[] {
  return clip.questions.map((question, index) => ({
    problem_id: problemIdOf(clip.seed, index),
    problem: question.problem,
    data_type: 'video',
    problem_type: question.problemType,
    options: question.options,
    solution: `<answer>${question.answer}</answer>`,
    path: clipPaths(clip.clipId).video,
    data_source: SYNTHETIC_DATA_SOURCE,
    original_question_type: question.skill,
  }));
}
