/**
 * What a question asks, read from its wording: which skill, which objects, which moment, and the
 * options. The patterns cover the synthetic benchmark's question families; anything else is
 * `unknown` and the writer falls back to a general answer (which the filter will likely drop).
 */
import { COLOUR_NAMES, SHAPE_NAMES } from '@vrft/data';

/** An object as a question names it: "the red circle", or "the circle that is red at first". */
export interface ObjectRef {
  colour: string;
  shape: string;
  /** Named by the colour it has when it first appears (it changes colour later). */
  atFirst: boolean;
  /** The words that named it. */
  text: string;
}

/** One multiple-choice option. */
export interface OptionRef {
  letter: string;
  text: string;
}

/** The parsed question. */
export type QuestionIntent =
  | { kind: 'count-shape'; shape: string }
  | { kind: 'count-max-visible' }
  | { kind: 'count-collisions' }
  | { kind: 'count-bounces'; object: ObjectRef }
  | { kind: 'order-appearance'; which: 'first' | 'last' }
  | { kind: 'order-leave' }
  | { kind: 'direction'; object: ObjectRef; when: 'start' | 'first-appears' }
  | { kind: 'speed-extreme'; which: 'fastest' | 'slowest' }
  | { kind: 'speed-ratio'; fast: ObjectRef; slow: ObjectRef }
  | { kind: 'cause-after-collision'; a: ObjectRef; b: ObjectRef }
  | { kind: 'cause-why-colour'; object: ObjectRef; to: string }
  | { kind: 'spatial-relation'; when: 'start' | 'end'; a: ObjectRef; b: ObjectRef }
  | { kind: 'read-sign'; when: 'only' | 'start' | 'end' }
  | { kind: 'read-counter' }
  | { kind: 'describe' }
  | { kind: 'time-first-collision' }
  | { kind: 'time-visible'; object: ObjectRef }
  | { kind: 'unknown' };

const COLOUR = `(${COLOUR_NAMES.join('|')})`;
const SHAPE = `(${SHAPE_NAMES.join('|')})`;
/** Matches an object name; groups: 1 colour, 2 shape (plain) or 3 shape, 4 colour (at first). */
const OBJECT = `the (?:${COLOUR} ${SHAPE}|${SHAPE} that is ${COLOUR} at first)`;
const OBJECT_RE = new RegExp(OBJECT, 'i');

/** Parses an object name such as "The red circle" or "the circle that is red at first". */
export function parseObjectRef(text: string): ObjectRef | undefined {
  const match = OBJECT_RE.exec(text);
  if (!match) return undefined;
  const [whole, colour, shape, shape2, colour2] = match;
  if (colour && shape) return { colour: colour.toLowerCase(), shape: shape.toLowerCase(), atFirst: false, text: whole };
  if (colour2 && shape2)
    return { colour: colour2.toLowerCase(), shape: shape2.toLowerCase(), atFirst: true, text: whole };
  return undefined;
}

/** The options of a question ("A. text" strings). */
export function parseOptions(options: readonly string[] | undefined): OptionRef[] {
  return (options ?? []).flatMap((option) => {
    const match = /^\s*([A-Z])\s*[.)]\s*(.*)$/.exec(option);
    return match?.[1] !== undefined ? [{ letter: match[1], text: (match[2] ?? '').trim() }] : [];
  });
}

function objects(text: string): ObjectRef[] {
  const re = new RegExp(OBJECT, 'gi');
  const out: ObjectRef[] = [];
  for (const match of text.matchAll(re)) {
    const ref = parseObjectRef(match[0]);
    if (ref) out.push(ref);
  }
  return out;
}

/** Reads the intent of a question (see the file header). */
export function parseQuestion(problem: string): QuestionIntent {
  const q = problem.trim();
  const refs = objects(q);
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^How many ${SHAPE}s appear`, 'i').exec(q)))
    return { kind: 'count-shape', shape: (m[1] ?? '').toLowerCase() };
  if (/largest number of .*visible at the same time/i.test(q)) return { kind: 'count-max-visible' };
  if (/How many times do two .* collide/i.test(q)) return { kind: 'count-collisions' };
  if (/How many times does .* bounce/i.test(q) && refs[0]) return { kind: 'count-bounces', object: refs[0] };
  if ((m = /Which of these objects appears in the video (first|last)/i.exec(q))) {
    return { kind: 'order-appearance', which: m[1]?.toLowerCase() === 'last' ? 'last' : 'first' };
  }
  if (/Which of these objects leaves the frame first/i.test(q)) return { kind: 'order-leave' };
  if (/^Which way is .* moving/i.test(q) && refs[0]) {
    return { kind: 'direction', object: refs[0], when: /at the start/i.test(q) ? 'start' : 'first-appears' };
  }
  if ((m = /Which object moves (fastest|slowest)/i.exec(q))) {
    return { kind: 'speed-extreme', which: m[1]?.toLowerCase() === 'slowest' ? 'slowest' : 'fastest' };
  }
  if (/how many times faster than/i.test(q) && refs[0] && refs[1])
    return { kind: 'speed-ratio', slow: refs[0], fast: refs[1] };
  if (/What happens right after .* collide/i.test(q) && refs[0] && refs[1]) {
    return { kind: 'cause-after-collision', a: refs[0], b: refs[1] };
  }
  if ((m = new RegExp(`^Why does .* turn ${COLOUR}`, 'i').exec(q)) && refs[0]) {
    return { kind: 'cause-why-colour', object: refs[0], to: (m[1] ?? '').toLowerCase() };
  }
  if ((m = /^At the (start|end) of the video, where is/i.exec(q)) && refs[0] && refs[1]) {
    return {
      kind: 'spatial-relation',
      when: m[1]?.toLowerCase() === 'start' ? 'start' : 'end',
      a: refs[0],
      b: refs[1],
    };
  }
  if (/What does the .*sign.* say/i.test(q)) {
    return { kind: 'read-sign', when: /at the end/i.test(q) ? 'end' : /at the start/i.test(q) ? 'start' : 'only' };
  }
  if (/What number does the .*counter.* show/i.test(q)) return { kind: 'read-counter' };
  if (/^Describe what happens/i.test(q)) return { kind: 'describe' };
  if (/How many seconds .* collide for the first time/i.test(q)) return { kind: 'time-first-collision' };
  if (/For how many seconds .* visible/i.test(q) && refs[0]) return { kind: 'time-visible', object: refs[0] };
  return { kind: 'unknown' };
}
