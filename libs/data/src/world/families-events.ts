/**
 * Event families: what a collision caused and why an object changed colour (multiple choice,
 * cause and effect), and a free-form description of the whole clip written from the events.
 */
import { COLOUR_NAMES } from './palette.js';
import { type QuestionFamily } from './question-family.js';
import { buildChoice, capitalise, joinList, nameObject, wallName } from './question-text.js';
import { type ObjectFacts, type SceneFacts } from './scene-facts.js';
import { type EdgeName, type WorldEvent } from './scene-graph.js';

const EDGES: readonly EdgeName[] = ['left', 'right', 'top', 'bottom'];

/** The colour name of an object just before `frame` (what a viewer saw before the event). */
function nameBefore(facts: ObjectFacts, frame: number): string {
  return nameObject(facts, Math.max(0, frame - 1));
}

/**
 * "What happens right after A and B collide for the first time?" — one of them turns a new
 * colour, or neither changes. Only a pair's first collision is asked about, so "the collision"
 * is one moment.
 */
export const causeAfterCollision: QuestionFamily = {
  name: 'cause-after-collision',
  skill: 'cause and effect',
  problemType: 'multiple choice',
  write({ facts, rng }) {
    const seen = new Set<string>();
    const firsts = facts.collisions.filter((c) => {
      const key = c.objects.join('-');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (firsts.length === 0) return undefined;
    // Prefer collisions that changed a colour: they carry the interesting effect.
    const changed = firsts.filter((c) => changeAt(facts, c) !== undefined);
    const collision = rng.pick(changed.length > 0 && rng.chance(0.75) ? changed : firsts);
    const [a, b] = collision.objects.map((id) => facts.objects[id]);
    if (!a || !b) return undefined;
    const nameA = nameBefore(a, collision.frame);
    const nameB = nameBefore(b, collision.frame);
    const change = changeAt(facts, collision);
    // Distractor colours: any palette colour that is not part of the real change.
    const [c1, c2] = rng.shuffle(COLOUR_NAMES.filter((c) => c !== change?.to && c !== change?.from));
    const turns = (name: string, colour: string | undefined): string => `${capitalise(name)} turns ${colour ?? 'grey'}`;
    let correct: string;
    let distractors: string[];
    if (change) {
      const [changedName, unchangedName] = change.object === b.spec.id ? [nameB, nameA] : [nameA, nameB];
      correct = turns(changedName, change.to);
      distractors = [turns(unchangedName, change.to), turns(changedName, c1), 'Neither object changes colour'];
    } else {
      correct = 'Neither object changes colour';
      distractors = [turns(nameA, c1), turns(nameB, c2), 'Both objects stop moving'];
    }
    const choice = buildChoice(rng, correct, distractors);
    return (
      choice && {
        problem: `What happens right after ${nameA} and ${nameB} collide for the first time?`,
        ...choice,
      }
    );
  },
};

function changeAt(
  facts: SceneFacts,
  collision: Extract<WorldEvent, { kind: 'collision' }>,
): Extract<WorldEvent, { kind: 'colour-change' }> | undefined {
  return facts.colourChanges.find(
    (c) =>
      c.frame === collision.frame &&
      c.cause.kind === 'collision' &&
      collision.objects.includes(c.object) &&
      collision.objects.includes(c.cause.with),
  );
}

/** "Why does the red circle turn green?" — it collided with something, or it hit a wall. */
export const causeWhyColour: QuestionFamily = {
  name: 'cause-why-colour',
  skill: 'cause and effect',
  problemType: 'multiple choice',
  write({ facts, rng }) {
    if (facts.colourChanges.length === 0) return undefined;
    const change = rng.pick(facts.colourChanges);
    const target = facts.objects[change.object];
    if (!target) return undefined;
    const name = nameBefore(target, change.frame);
    const hit = (other: ObjectFacts): string => `It collides with ${nameBefore(other, change.frame)}`;
    const bounce = (edge: EdgeName): string => `It bounces off ${wallName(edge)}`;
    // A distractor must be false at that moment: no collision with that object, no bounce off that wall.
    const sameFrame = facts.scene.events.filter((e) => e.frame === change.frame);
    const collidedWith = new Set(
      sameFrame.flatMap((e) => (e.kind === 'collision' && e.objects.includes(target.spec.id) ? e.objects : [])),
    );
    const bouncedOff = new Set(
      sameFrame.flatMap((e) => (e.kind === 'bounce' && e.object === target.spec.id ? [e.edge] : [])),
    );
    const cause = change.cause;
    const partner = cause.kind === 'collision' ? facts.objects[cause.with] : undefined;
    const correct = cause.kind === 'wall' ? bounce(cause.edge) : partner ? hit(partner) : undefined;
    if (correct === undefined) return undefined;
    const distractors = [
      ...EDGES.filter((edge) => !bouncedOff.has(edge)).map(bounce),
      ...facts.appeared
        .filter((o) => o !== target && !collidedWith.has(o.spec.id) && o.states[change.frame]?.visible)
        .map(hit),
    ];
    if (!sameFrame.some((e) => e.kind === 'sign-change')) distractors.push('The sign above changes');
    const choice = buildChoice(rng, correct, rng.shuffle(distractors));
    return choice && { problem: `Why does ${name} turn ${change.to}?`, ...choice };
  },
};

/** "Describe what happens in the video." — the reference is written from the events in order. */
export const describeClip: QuestionFamily = {
  name: 'describe-clip',
  skill: 'description',
  problemType: 'free-form',
  write({ facts }) {
    return {
      problem: 'Describe what happens in the video in a few sentences.',
      options: [],
      answer: describeScene(facts),
    };
  },
};

// Beyond this many collisions the description summarises instead of listing each.
const LISTED_COLLISIONS = 3;

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function countWord(count: number): string {
  return NUMBER_WORDS[count] ?? String(count);
}

/** A plain-English account of a clip: who is there, what enters, collides, changes colour and leaves, and the sign. */
export function describeScene(facts: SceneFacts): string {
  const aAn = (name: string): string => name.replace(/^the /, /^the [aeiou]/.test(name) ? 'an ' : 'a ');
  const atStart = facts.appeared.filter((o) => o.firstVisible === 0).map((o) => aAn(nameObject(o, 0)));
  const sentences: string[] = [];
  const count = atStart.length;
  sentences.push(
    count === 0
      ? 'The arena starts empty.'
      : count === 1
        ? `${capitalise(atStart[0] ?? 'an object')} moves around the arena.`
        : `${capitalise(countWord(count))} objects move around the arena: ${joinList(atStart)}.`,
  );
  let collisions = 0;
  for (const event of facts.scene.events) {
    const object = (id: number): ObjectFacts | undefined => facts.objects[id];
    if (event.kind === 'enter') {
      const o = object(event.object);
      if (o) sentences.push(`${capitalise(aAn(nameObject(o, event.frame)))} enters from the ${event.edge}.`);
    } else if (event.kind === 'leave') {
      const o = object(event.object);
      if (o) sentences.push(`${capitalise(nameObject(o, event.frame - 1))} leaves through the ${event.edge}.`);
    } else if (event.kind === 'collision') {
      collisions += 1;
      if (collisions > LISTED_COLLISIONS) continue;
      const [a, b] = event.objects.map(object);
      if (!a || !b) continue;
      const change = changeAt(facts, event);
      const changed = change ? object(change.object) : undefined;
      const tail = change && changed ? `, and ${nameBefore(changed, event.frame)} turns ${change.to}` : '';
      sentences.push(`${capitalise(nameBefore(a, event.frame))} and ${nameBefore(b, event.frame)} collide${tail}.`);
    } else if (event.kind === 'colour-change' && event.cause.kind === 'wall') {
      const o = object(event.object);
      if (o)
        sentences.push(
          `${capitalise(nameBefore(o, event.frame))} turns ${event.to} when it hits ${wallName(event.cause.edge)}.`,
        );
    } else if (event.kind === 'sign-change') {
      sentences.push(`The sign changes from ${event.from} to ${event.to}.`);
    }
  }
  if (collisions > LISTED_COLLISIONS) sentences.push(`In all, objects collide ${collisions} times.`);
  if (facts.signTexts.length === 1) sentences.push(`The sign at the top reads ${facts.signTexts[0] ?? ''}.`);
  return sentences.join(' ');
}
