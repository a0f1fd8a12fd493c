/**
 * The per-clip scene file (`scenes/<clipId>.json`): the scene graph, the questions with their
 * family and skill, the samples written for them, and the options that made them. It is the
 * record of truth for a clip: frames re-render from it exactly, and a resumed run trusts it.
 */
import { type VideoSample } from '../sample-format.js';
import { type WorldQuestion } from './question-family.js';
import { type SceneGraph } from './scene-graph.js';
import { type SplitName } from './splits.js';
import { type SyntheticOptions } from './world-options.js';

/** The `format` tag of a scene file. */
export const SCENE_FILE_FORMAT = 'vrft-synthetic-scene';

/** A scene file's content. */
export interface SceneFile {
  format: typeof SCENE_FILE_FORMAT;
  version: 1;
  clipId: string;
  split: SplitName;
  localSeed: number;
  seed: number;
  /** Digest of `options`: a resumed run only reuses clips made with the same options. */
  optionsDigest: string;
  options: SyntheticOptions;
  /** Whether `videos/<clipId>.mp4` was written. */
  encoded: boolean;
  questions: WorldQuestion[];
  samples: VideoSample[];
  scene: SceneGraph;
}

/** Whether a parsed JSON value has the shape of a scene file (format, version and the main fields). */
export function isSceneFile(value: unknown): value is SceneFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SceneFile>;
  return (
    v.format === SCENE_FILE_FORMAT &&
    v.version === 1 &&
    typeof v.clipId === 'string' &&
    typeof v.optionsDigest === 'string' &&
    Array.isArray(v.samples) &&
    Array.isArray(v.questions) &&
    typeof v.scene === 'object' &&
    v.scene !== null &&
    Array.isArray(v.scene.frames)
  );
}
