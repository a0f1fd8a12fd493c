/** Cause-and-effect and description questions, and the fallback for questions the writer does not recognise. */
import { joinWords } from '../perception/geometry-words.js';
import { bestOption, closestApproach, nearestWallOf, type Answerer } from './answer-helpers.js';
import { findTrack, formatSeconds, nameTrack, type ClipFacts } from './clip-facts.js';
import { capitalise } from './phrases.js';

/** `cause-after-collision` questions. */
export const answerCauseAfterCollision: Answerer<'cause-after-collision'> = (intent, { facts, options }) => {
  const a = findTrack(facts, intent.a);
  const b = findTrack(facts, intent.b);
  const contact = facts.rep.events.find(
    (e) => e.kind === 'contact' && a && b && e.objects.includes(a.id) && e.objects.includes(b.id),
  );
  const t0 = contact?.time ?? closestApproach(a, b);
  const change = facts.rep.events.find(
    (e) =>
      e.kind === 'colour-change' &&
      e.time >= t0 - 0.01 &&
      e.time <= t0 + 2 * facts.sampleInterval + 0.01 &&
      e.objects.some((id) => id === a?.id || id === b?.id),
  );
  const changed = change ? (change.objects[0] === a?.id ? intent.a : intent.b) : undefined;
  const to = change?.detail.split(' to ').at(-1) ?? '';
  const wanted = changed ? `${changed.text} turns ${to}` : 'Neither object changes colour';
  const chosen = bestOption(options, wanted);
  return {
    answer: chosen?.letter ?? 'A',
    understand: `The question is about the effect of the first collision between ${intent.a.text} and ${intent.b.text}.`,
    moments: [t0],
    steps: [
      `${capitalise(intent.a.text)} and ${intent.b.text} meet at about ${formatSeconds(t0)}.`,
      changed ? `Right after that, ${changed.text} turns ${to}.` : 'Right after that, both keep their colours.',
    ],
    check: `That is what option ${chosen?.letter ?? '?'} says.`,
  };
};

/** `cause-why-colour` questions. */
export const answerCauseWhyColour: Answerer<'cause-why-colour'> = (intent, { facts, options }) => {
  const track = findTrack(facts, intent.object);
  const change =
    track?.events.find((e) => e.kind === 'colour-change' && e.detail.endsWith(intent.to)) ??
    track?.events.find((e) => e.kind === 'colour-change');
  const tc = change?.time ?? 0;
  const window = 2 * facts.sampleInterval + 0.01;
  const contact = track?.events.find((e) => e.kind === 'contact' && Math.abs(e.time - tc) <= window);
  const otherId = contact?.objects.find((id) => id !== track?.id);
  const other = facts.tracks.find((t) => t.id === otherId);
  const bounce = track?.events.find((e) => e.kind === 'bounce' && Math.abs(e.time - tc) <= window);
  const wall = bounce?.detail ?? (track ? nearestWallOf(track, tc) : 'left');
  const wanted = other
    ? `It collides with ${nameTrack(other, tc - facts.sampleInterval)}`
    : `It bounces off the ${wall} wall`;
  const chosen = bestOption(options, wanted);
  return {
    answer: chosen?.letter ?? 'A',
    understand: `I need the cause of ${intent.object.text} turning ${intent.to}.`,
    moments: [tc],
    steps: [
      `${capitalise(intent.object.text)} turns ${intent.to} at about ${formatSeconds(tc)}.`,
      other
        ? `At that moment it is touching ${nameTrack(other, tc - facts.sampleInterval)}.`
        : `At that moment it is right against the ${wall} wall and nothing else is touching it.`,
    ],
    check: `So the change comes from ${other ? 'the collision' : 'the wall'}, option ${chosen?.letter ?? '?'}.`,
  };
};

/** `describe` questions. */
export const answerDescribe: Answerer<'describe'> = (_intent, { facts }) => {
  const text = describeFacts(facts);
  return {
    answer: text,
    understand: 'The question asks for a short account of the whole clip.',
    moments: facts.rep.events.map((e) => e.time).slice(0, 4),
    // The account itself closes the CoT (see verify in write-draft.ts), right before <answer>.
    steps: ['I go through who is there at the start, then what enters, collides and leaves, in order, and the sign.'],
    check: 'That covers who is there, what they run into and what the sign says.',
  };
};

/** `unknown` questions. */
export const answerUnknown: Answerer<'unknown'> = (_intent, { facts, options }) => {
  const chosen = options[0];
  return {
    answer: chosen?.letter ?? describeFacts(facts),
    understand: 'The question asks about the clip as a whole.',
    moments: [],
    steps: [facts.rep.caption],
    check: 'Nothing I saw rules this answer out.',
  };
};

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** A plain account of the clip in the benchmark's own style: who is there, what happens, the sign. */
export function describeFacts(facts: ClipFacts): string {
  const aAn = (name: string) => name.replace(/^the /, /^the [aeiou]/.test(name) ? 'an ' : 'a ');
  const t0 = facts.times[0] ?? 0;
  const atStart = facts.tracks.filter((t) => t.firstTime <= t0 + 1e-6).map((t) => aAn(nameTrack(t, t0)));
  const sentences: string[] = [];
  const n = atStart.length;
  sentences.push(
    n === 0
      ? 'The arena starts empty.'
      : n === 1
        ? `${capitalise(atStart[0] ?? 'an object')} moves around the arena.`
        : `${capitalise(NUMBER_WORDS[n] ?? String(n))} objects move around the arena: ${joinWords(atStart)}.`,
  );
  const byId = new Map(facts.tracks.map((t) => [t.id, t]));
  let contacts = 0;
  for (const e of facts.rep.events) {
    const first = byId.get(e.objects[0] ?? -1);
    const second = byId.get(e.objects[1] ?? -1);
    if (e.kind === 'enter' && first)
      sentences.push(`${capitalise(aAn(nameTrack(first, e.time)))} enters from the ${e.detail}.`);
    else if (e.kind === 'leave' && first)
      sentences.push(`${capitalise(nameTrack(first, e.time - 0.01))} leaves through the ${e.detail}.`);
    else if (e.kind === 'contact' && first && second) {
      contacts += 1;
      if (contacts <= 3) {
        const change = facts.rep.events.find(
          (c) =>
            c.kind === 'colour-change' &&
            Math.abs(c.time - e.time) <= facts.sampleInterval + 0.01 &&
            c.objects.some((id) => e.objects.includes(id)),
        );
        const changed = change ? byId.get(change.objects[0] ?? -1) : undefined;
        const tail =
          change && changed
            ? `, and ${nameTrack(changed, e.time - facts.sampleInterval)} turns ${change.detail.split(' to ').at(-1) ?? ''}`
            : '';
        sentences.push(
          `${capitalise(nameTrack(first, e.time - facts.sampleInterval))} and ${nameTrack(second, e.time - facts.sampleInterval)} collide${tail}.`,
        );
      }
    }
  }
  // The counter at the top right counts collisions; it beats counting touches between samples.
  const collisions = facts.counterReadings.at(-1)?.value ?? contacts;
  if (collisions > 3) sentences.push(`In all, objects collide ${collisions} times.`);
  const signs = [...new Set(facts.signReadings.map((r) => r.text))];
  if (signs.length === 1) sentences.push(`The sign at the top reads ${signs[0] ?? ''}.`);
  else if (signs.length > 1) sentences.push(`The sign changes from ${signs[0] ?? ''} to ${signs.at(-1) ?? ''}.`);
  return sentences.join(' ');
}
