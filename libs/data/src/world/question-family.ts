/**
 * What a question family is: a writer that looks at one clip's facts and either asks a question
 * whose answer follows from the scene graph alone, or declines (undefined) when the clip cannot
 * support an unambiguous one (no collision to ask about, a near tie, …).
 */
import { type ProblemTypeName } from '../sample-format.js';
import { type Rng } from './prng.js';
import { type SceneFacts } from './scene-facts.js';

/** The skills the public video benchmarks test, as the synthetic families tag them. */
export const SKILLS = [
  'counting',
  'temporal order',
  'direction',
  'speed',
  'cause and effect',
  'spatial relation',
  'reading text',
  'description',
  'timing',
] as const;

/** One of {@link SKILLS}. */
export type Skill = (typeof SKILLS)[number];

/** One question about one clip, before it becomes a dataset sample. */
export interface WorldQuestion {
  family: string;
  skill: Skill;
  problemType: ProblemTypeName;
  problem: string;
  /** "A. text" options; empty unless multiple choice. */
  options: string[];
  /** The answer text that goes inside `<answer>…</answer>`. */
  answer: string;
}

/** What a family writer sees. */
export interface FamilyContext {
  facts: SceneFacts;
  rng: Rng;
  /** Distractor closeness in [0, 1] (see `QuestionOptions.closeness`). */
  closeness: number;
}

/** A question family: its name, skill, answer format and writer. */
export interface QuestionFamily {
  name: string;
  skill: Skill;
  problemType: ProblemTypeName;
  /** The question's text, options and answer, or undefined when this clip cannot support it. */
  write(context: FamilyContext): Pick<WorldQuestion, 'problem' | 'options' | 'answer'> | undefined;
}

/** Smallest gap, in frames, between two moments a question contrasts ("appears first"): 1 s easy … 0.25 s hard. */
export function minGapFrames(context: FamilyContext): number {
  const seconds = 1 - 0.75 * context.closeness;
  return Math.max(1, Math.round(seconds * context.facts.scene.fps));
}

/** Smallest ratio between the winner and the runner-up of a comparison (speed): 1.6 easy … 1.15 hard. */
export function minRatio(context: FamilyContext): number {
  return 1.6 - 0.45 * context.closeness;
}
