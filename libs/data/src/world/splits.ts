/**
 * Dataset splits with disjoint seed ranges: clip seeds of `train` are [0, R), of `validation`
 * [R, 2R), of `test` [2R, 3R) with R = 10^8, so no clip can appear in two splits whatever seeds
 * the caller picks. `--seed S` is the first local seed; clip i of a run uses local seed S + i.
 */
import { DataOptionsError } from '../errors.js';

/** The splits. */
export const SPLITS = ['train', 'validation', 'test'] as const;

/** One of {@link SPLITS}. */
export type SplitName = (typeof SPLITS)[number];

/** Size of each split's seed range. */
export const SPLIT_SEED_RANGE = 100_000_000;

/** Questions per clip are capped at this, so problem ids clipSeed · 10 + q never collide. */
export const MAX_QUESTIONS_PER_CLIP = 10;

/** Throws DataOptionsError unless `split` is a split name. */
export function parseSplit(split: string): SplitName {
  if (!(SPLITS as readonly string[]).includes(split)) {
    throw new DataOptionsError('split', `expected one of ${SPLITS.join(', ')}, got ${JSON.stringify(split)}`);
  }
  return split as SplitName;
}

/** The global clip seed of local seed `local` in `split`. */
export function clipSeedOf(split: SplitName, local: number): number {
  if (!Number.isSafeInteger(local) || local < 0 || local >= SPLIT_SEED_RANGE) {
    throw new DataOptionsError('seed', `local seeds are integers in [0, ${SPLIT_SEED_RANGE}), got ${local}`);
  }
  return SPLITS.indexOf(split) * SPLIT_SEED_RANGE + local;
}

/** The split a global clip seed belongs to. */
export function splitOfSeed(clipSeed: number): SplitName {
  const split = SPLITS[Math.floor(clipSeed / SPLIT_SEED_RANGE)];
  if (split === undefined) throw new RangeError(`clip seed ${clipSeed} is outside every split`);
  return split;
}

/** The clip id, e.g. `train-00000042` (also the file name of its video and scene). */
export function clipIdOf(split: SplitName, local: number): string {
  return `${split}-${String(local).padStart(8, '0')}`;
}

/** The problem id of question `index` of a clip: clipSeed · 10 + index. */
export function problemIdOf(clipSeed: number, index: number): number {
  return clipSeed * MAX_QUESTIONS_PER_CLIP + index;
}
