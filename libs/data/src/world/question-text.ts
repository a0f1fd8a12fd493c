/**
 * Wording shared by the question writers: object names, multiple-choice options, number format.
 * Names are unique by construction: no two objects of one shape ever share a colour.
 */
import { type Rng } from './prng.js';
import { type EdgeName } from './scene-graph.js';
import { colourAt, type ObjectFacts } from './scene-facts.js';

/**
 * "the red circle", as it looks at `frame`; for the whole clip (no frame) an object that changes
 * colour is named by its first colour: "the circle that is red at first".
 */
export function nameObject(facts: ObjectFacts, frame?: number): string {
  const colour = colourAt(facts, frame);
  if (frame === undefined && facts.colourChange !== undefined)
    return `the ${facts.spec.shape} that is ${colour} at first`;
  return `the ${colour} ${facts.spec.shape}`;
}

/** {@link nameObject} with an upper-case first letter, for option texts. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A multiple-choice question's options ("A. text") and the correct letter. */
export interface Choice {
  options: string[];
  answer: string;
}

const LETTERS = 'ABCDEFGH';

/**
 * Shuffles the correct text among up to `max − 1` distinct distractors (drawn at random from
 * `distractors`); undefined when no distractor differs from the correct text.
 */
export function buildChoice(rng: Rng, correct: string, distractors: readonly string[], max = 4): Choice | undefined {
  const unique = [...new Set(distractors)].filter((d) => d !== correct);
  if (unique.length === 0) return undefined;
  const texts = rng.shuffle([correct, ...rng.shuffle(unique).slice(0, max - 1)]);
  const index = texts.indexOf(correct);
  return {
    options: texts.map((text, i) => `${LETTERS[i] ?? '?'}. ${text}`),
    answer: LETTERS[index] ?? 'A',
  };
}

/** A number with at most `digits` decimals and no trailing zeros ("1.5", "2"). */
export function formatDecimal(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** "the left wall", "the top wall", … */
export function wallName(edge: EdgeName): string {
  return `the ${edge} wall`;
}

/** Joins names as "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
