/**
 * Shared pieces of the answer writers: the worked-answer shape, the answerer signature, and small
 * helpers to match options, name places and measure motion from the clip's facts.
 */
import { type Rng } from '@vrft/data';
import { angleBetween, angleOf, DIRECTION_NAMES } from '../perception/geometry-words.js';
import { findTrack, sightingNear, type ClipFacts, type TrackFacts } from './clip-facts.js';
import { parseObjectRef, type ObjectRef, type OptionRef, type QuestionIntent } from './question-intent.js';

/** The answer and the reasoning behind it. */
export interface WorkedAnswer {
  answer: string;
  /** Restates what is asked. */
  understand: string;
  /** Times worth a closer look. */
  moments: number[];
  /** Observations and inferences, in order. */
  steps: string[];
  /** The self-check before answering. */
  check: string;
}

/** What every answerer sees. */
export interface AnswerContext {
  facts: ClipFacts;
  options: OptionRef[];
  rng: Rng;
  /** Time of the last sampled frame. */
  last: number;
}

/** Answers one kind of question. */
export type Answerer<K extends QuestionIntent['kind']> = (
  intent: Extract<QuestionIntent, { kind: K }>,
  context: AnswerContext,
) => WorkedAnswer;

/** Plural of a shape name. */

export const PLURAL: Record<string, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  diamond: 'diamonds',
};

export function numberText(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** The option whose text shares the most words with `wanted` (ties: the first). */
export function bestOption(options: readonly OptionRef[], wanted: string): OptionRef | undefined {
  const words = new Set(
    wanted
      .toLowerCase()
      .split(/\W+/)
      .filter((w) => w !== ''),
  );
  let best: OptionRef | undefined;
  let bestScore = -1;
  for (const option of options) {
    const own = option.text
      .toLowerCase()
      .split(/\W+/)
      .filter((w) => w !== '');
    const shared = own.filter((w) => words.has(w)).length;
    const score = shared / Math.max(own.length, words.size);
    if (score > bestScore) {
      best = option;
      bestScore = score;
    }
  }
  return best;
}

export function optionTracks(
  facts: ClipFacts,
  options: readonly OptionRef[],
): { option: OptionRef; track: TrackFacts | undefined; ref: ObjectRef | undefined }[] {
  return options.map((option) => {
    const ref = parseObjectRef(option.text);
    return { option, ref, track: ref ? findTrack(facts, ref) : undefined };
  });
}

/** "top left", "centre", … for a point in frame fractions (the arena starts below the text strip). */
export function place(x: number, y: number): string {
  const col = x < 1 / 3 ? 'left' : x > 2 / 3 ? 'right' : '';
  const row = y < 0.4 ? 'top' : y > 0.75 ? 'bottom' : '';
  if (row === '' && col === '') return 'centre';
  return [row, col].filter((w) => w !== '').join(' ');
}

/** Displacement over the first stretch of motion: first sighting to the last one before a reversal, at most ~1 s. */
export function firstMove(
  track: TrackFacts,
): { dx: number; dy: number; from: number; to: number; x0: number; y0: number } | undefined {
  const start = track.sightings[0];
  if (!start) return undefined;
  let end = track.sightings[1];
  if (!end) return undefined;
  const bounce = track.events.find((e) => e.kind === 'bounce' && e.time > start.time);
  for (const s of track.sightings.slice(2)) {
    if (s.time - start.time > 1 || (bounce && s.time > bounce.time)) break;
    end = s;
  }
  return { dx: end.x - start.x, dy: end.y - start.y, from: start.time, to: end.time, x0: start.x, y0: start.y };
}

export function closestDirectionOption(
  options: readonly OptionRef[],
  direction: (typeof DIRECTION_NAMES)[number],
): OptionRef | undefined {
  let best: OptionRef | undefined;
  let bestGap = Infinity;
  for (const option of options) {
    const name = DIRECTION_NAMES.find((d) => d === option.text.toLowerCase());
    if (!name) continue;
    const gap = angleBetween(angleOf(name), angleOf(direction));
    if (gap < bestGap) {
      best = option;
      bestGap = gap;
    }
  }
  return best;
}

export function closestApproach(a: TrackFacts | undefined, b: TrackFacts | undefined): number {
  if (!a || !b) return 0;
  let best = Infinity;
  let at = 0;
  for (const s of a.sightings) {
    const o = sightingNear(b, s.time);
    if (!o || Math.abs(o.time - s.time) > 1e-6) continue;
    const d = Math.hypot(s.x - o.x, s.y - o.y);
    if (d < best) {
      best = d;
      at = s.time;
    }
  }
  return at;
}

export function nearestWallOf(track: TrackFacts, time: number): string {
  const s = sightingNear(track, time);
  if (!s) return 'left';
  const gaps: [string, number][] = [
    ['left', s.x],
    ['right', 1 - s.x],
    ['top', s.y - 0.15],
    ['bottom', 1 - s.y],
  ];
  return gaps.sort((p, q) => p[1] - q[1])[0]?.[0] ?? 'left';
}
