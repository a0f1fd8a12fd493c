/**
 * Options of the synthetic world and of its questions, with difficulty presets. One parse
 * function applies a preset, then the caller's overrides, and checks every field; a bad value
 * throws DataOptionsError naming it.
 */
import { DataOptionsError } from '../errors.js';
import { PROBLEM_TYPE_NAMES, type ProblemTypeName } from '../sample-format.js';
import { isDrawableText } from './bitmap-font.js';
import { MAX_SIGN_WORD_CHARS, planHud } from './hud-layout.js';
import { COLOUR_NAMES, SHAPE_NAMES, type ColourName, type ShapeName } from './palette.js';

/** How a clip is simulated and drawn. Lengths are pixels, speeds pixels per second. */
export interface WorldOptions {
  width: number;
  height: number;
  fps: number;
  /** Clip length is drawn uniformly from [minDurationSec, maxDurationSec]. */
  minDurationSec: number;
  maxDurationSec: number;
  /** Object count is drawn uniformly from [minObjects, maxObjects]. */
  minObjects: number;
  maxObjects: number;
  minSpeed: number;
  maxSpeed: number;
  /** Object diameter range. */
  minSize: number;
  maxSize: number;
  /** Chance that an object enters from an edge during the clip instead of being there at the start. */
  enterChance: number;
  /** Chance that an object stops bouncing mid-clip and leaves through the next wall it reaches. */
  leaveChance: number;
  /** Chance that a collision turns one of the two objects a new colour (each object changes at most once). */
  collisionColourChance: number;
  /** Chance per clip that one object changes colour when it first bounces off a wall. */
  wallColourChance: number;
  /** Chance per clip that the sign's text changes once. */
  signChangeChance: number;
  shapes: ShapeName[];
  colours: ColourName[];
  /** Words the sign shows (followed by a number); 1–4 upper-case letters each. */
  signWords: string[];
  /** Physics substeps per frame (more: fewer missed collisions at high speed). */
  substeps: number;
  /** Pixels an object must cover to count as visible. */
  minVisiblePixels: number;
}

/** How questions are written about a clip. */
export interface QuestionOptions {
  /** Questions per clip (each a sample sharing the clip). */
  questionsPerClip: number;
  /**
   * Distractor closeness in [0, 1]: 0 asks only clear-cut questions (the fastest object is much
   * faster than the next), 1 allows near ties and adds neighbouring directions as distractors.
   */
  closeness: number;
  /** Problem types to draw from, uniformly, before a family of that type is drawn. */
  problemTypes: ProblemTypeName[];
  /** Restrict to these families (names of `QUESTION_FAMILIES`); empty means all. */
  families: string[];
}

/** Named difficulty presets. */
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;

/** One of {@link DIFFICULTIES}. */
export type Difficulty = (typeof DIFFICULTIES)[number];

/** The defaults (the `medium` preset): 64×64 at 8 fps for 2–4 s. */
export const DEFAULT_WORLD_OPTIONS: Readonly<WorldOptions> = {
  width: 64,
  height: 64,
  fps: 8,
  minDurationSec: 2,
  maxDurationSec: 4,
  minObjects: 2,
  maxObjects: 5,
  minSpeed: 10,
  maxSpeed: 36,
  minSize: 7,
  maxSize: 13,
  enterChance: 0.3,
  leaveChance: 0.25,
  collisionColourChance: 0.6,
  wallColourChance: 0.3,
  signChangeChance: 0.2,
  shapes: [...SHAPE_NAMES],
  colours: [...COLOUR_NAMES],
  signWords: ['EXIT', 'STOP', 'OPEN', 'GATE', 'ZONE', 'DOCK', 'LANE', 'PARK', 'SHOP', 'HALL', 'ROOM', 'BAY'],
  substeps: 4,
  minVisiblePixels: 4,
};

/** Defaults of {@link QuestionOptions}. */
export const DEFAULT_QUESTION_OPTIONS: Readonly<QuestionOptions> = {
  questionsPerClip: 2,
  closeness: 0.5,
  problemTypes: [...PROBLEM_TYPE_NAMES],
  families: [],
};

/** What each preset changes from the defaults: object count, speed, distractor closeness, clip length. */
export const DIFFICULTY_PRESETS: Readonly<
  Record<Difficulty, { world: Partial<WorldOptions>; questions: Partial<QuestionOptions> }>
> = {
  easy: {
    world: { minObjects: 2, maxObjects: 3, minSpeed: 8, maxSpeed: 24, minDurationSec: 2, maxDurationSec: 3 },
    questions: { closeness: 0.1 },
  },
  medium: { world: {}, questions: {} },
  hard: {
    world: { minObjects: 4, maxObjects: 7, minSpeed: 14, maxSpeed: 48, minSize: 6, maxSize: 11, minDurationSec: 3 },
    questions: { closeness: 0.9 },
  },
};

/** Caller input: a preset plus overrides of any field. */
export interface SyntheticOptionsInput {
  difficulty?: Difficulty;
  world?: Partial<WorldOptions>;
  questions?: Partial<QuestionOptions>;
}

/** Checked options of the world and its questions. */
export interface SyntheticOptions {
  difficulty: Difficulty;
  world: WorldOptions;
  questions: QuestionOptions;
}

/** Applies the preset (default `medium`), then overrides, and checks every field. */
export function parseSyntheticOptions(input: SyntheticOptionsInput = {}): SyntheticOptions {
  const difficulty = input.difficulty ?? 'medium';
  if (!DIFFICULTIES.includes(difficulty)) {
    throw new DataOptionsError('difficulty', `expected one of ${DIFFICULTIES.join(', ')}, got ${String(difficulty)}`);
  }
  const preset = DIFFICULTY_PRESETS[difficulty];
  const world = parseWorldOptions({ ...DEFAULT_WORLD_OPTIONS, ...preset.world, ...input.world });
  const questions = parseQuestionOptions({ ...DEFAULT_QUESTION_OPTIONS, ...preset.questions, ...input.questions });
  return { difficulty, world, questions };
}

/** Checks a complete set of world options; throws DataOptionsError naming the bad field. */
export function parseWorldOptions(options: WorldOptions): WorldOptions {
  const o = {
    ...options,
    shapes: [...options.shapes],
    colours: [...options.colours],
    signWords: [...options.signWords],
  };
  checkInteger('world.width', o.width, 16, 4096);
  checkInteger('world.height', o.height, 16, 4096);
  checkNumber('world.fps', o.fps, 1, 120);
  checkNumber('world.minDurationSec', o.minDurationSec, 0.5, 600);
  checkNumber('world.maxDurationSec', o.maxDurationSec, o.minDurationSec, 600);
  checkInteger('world.minObjects', o.minObjects, 1, 32);
  checkInteger('world.maxObjects', o.maxObjects, o.minObjects, 32);
  checkNumber('world.minSpeed', o.minSpeed, 0.5, 10_000);
  checkNumber('world.maxSpeed', o.maxSpeed, o.minSpeed, 10_000);
  checkNumber('world.minSize', o.minSize, 3, 1024);
  checkNumber('world.maxSize', o.maxSize, o.minSize, 1024);
  for (const field of [
    'enterChance',
    'leaveChance',
    'collisionColourChance',
    'wallColourChance',
    'signChangeChance',
  ] as const) {
    checkNumber(`world.${field}`, o[field], 0, 1);
  }
  checkInteger('world.substeps', o.substeps, 1, 64);
  checkInteger('world.minVisiblePixels', o.minVisiblePixels, 1, 1024);
  checkSubset('world.shapes', o.shapes, SHAPE_NAMES);
  checkSubset('world.colours', o.colours, COLOUR_NAMES);
  if (o.colours.length < 2) throw new DataOptionsError('world.colours', 'needs at least 2 colours');
  // Every object needs its own (shape, colour) pair, so a question can name it.
  if (o.shapes.length * o.colours.length < o.maxObjects) {
    throw new DataOptionsError(
      'world.maxObjects',
      `${o.maxObjects} objects need as many distinct shape/colour pairs; shapes × colours = ${o.shapes.length * o.colours.length}`,
    );
  }
  if (o.signWords.length === 0) throw new DataOptionsError('world.signWords', 'needs at least one word');
  for (const word of o.signWords) {
    if (!/^[A-Z]+$/.test(word) || word.length > MAX_SIGN_WORD_CHARS || !isDrawableText(word)) {
      throw new DataOptionsError(
        'world.signWords',
        `expected 1–${MAX_SIGN_WORD_CHARS} upper-case letters, got ${JSON.stringify(word)}`,
      );
    }
  }
  if (planHud(o.width, o.height) === undefined) {
    throw new DataOptionsError('world.width', `a ${o.width}×${o.height} frame cannot hold the sign and the counter`);
  }
  if (o.maxSize * 2 > Math.min(o.width, o.height)) {
    throw new DataOptionsError('world.maxSize', `objects of ${o.maxSize} px do not fit a ${o.width}×${o.height} frame`);
  }
  return o;
}

/** Checks a complete set of question options; throws DataOptionsError naming the bad field. */
export function parseQuestionOptions(options: QuestionOptions): QuestionOptions {
  const o = { ...options, problemTypes: [...options.problemTypes], families: [...options.families] };
  checkInteger('questions.questionsPerClip', o.questionsPerClip, 1, 10);
  checkNumber('questions.closeness', o.closeness, 0, 1);
  checkSubset('questions.problemTypes', o.problemTypes, PROBLEM_TYPE_NAMES);
  if (o.problemTypes.length === 0) throw new DataOptionsError('questions.problemTypes', 'needs at least one type');
  return o;
}

function checkNumber(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new DataOptionsError(field, `expected a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
}

function checkInteger(field: string, value: unknown, min: number, max: number): void {
  checkNumber(field, value, min, max);
  if (!Number.isInteger(value)) throw new DataOptionsError(field, `expected an integer, got ${JSON.stringify(value)}`);
}

function checkSubset(field: string, values: unknown, allowed: readonly string[]): void {
  if (!Array.isArray(values)) throw new DataOptionsError(field, 'expected a list');
  for (const value of values) {
    if (!allowed.includes(value as string)) {
      throw new DataOptionsError(field, `expected values among ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
  }
  if (new Set(values).size !== values.length) throw new DataOptionsError(field, 'has duplicates');
}
