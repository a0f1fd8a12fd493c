/** Counting, reading and timing questions: how many, what the sign or counter shows, when and for how long. */
import { joinWords } from '../perception/geometry-words.js';
import { numberText, PLURAL, type Answerer } from './answer-helpers.js';
import { findTrack, formatSeconds, nameTrack } from './clip-facts.js';
import { capitalise, say } from './phrases.js';

/** `count-shape` questions. */
export const answerCountShape: Answerer<'count-shape'> = (intent, { facts, rng }) => {
  const matching = facts.tracks.filter((t) => t.shape === intent.shape);
  const plural = PLURAL[intent.shape] ?? `${intent.shape}s`;
  const steps = matching.map((t) => `I see ${nameTrack(t)} from about ${formatSeconds(t.firstTime)}.`);
  if (matching.length === 0) steps.push(`None of the shapes I see is a ${intent.shape}.`);
  return {
    answer: String(matching.length),
    understand: `I need to count the ${plural} that show up at any point.`,
    moments: matching.map((t) => t.firstTime),
    steps,
    check: say(rng, [
      `Going over the whole clip once more, I still count ${matching.length} ${matching.length === 1 ? intent.shape : plural}.`,
      `Counting again from start to end gives ${matching.length} again.`,
    ]),
  };
};

/** `count-max-visible` questions. */
export const answerCountMaxVisible: Answerer<'count-max-visible'> = (_intent, { facts }) => {
  let best = 0;
  let at = 0;
  for (const frame of facts.rep.frames) {
    if (frame.objects.length > best) {
      best = frame.objects.length;
      at = frame.time;
    }
  }
  const frame = facts.rep.frames.find((f) => f.time === at);
  const names = (frame?.objects ?? []).map((o) => `the ${o.colour} ${o.shape}`);
  return {
    answer: String(best),
    understand: 'The question wants the most objects on screen at one moment.',
    moments: [at],
    steps: [`The busiest moment is around ${formatSeconds(at)}, when I can see ${joinWords(names)}.`],
    check: `No other moment shows more than ${best} at once, so ${best} it is.`,
  };
};

/** `count-collisions` questions. */
export const answerCountCollisions: Answerer<'count-collisions'> = (_intent, { facts }) => {
  const final = facts.counterReadings.at(-1);
  const contacts = facts.rep.events.filter((e) => e.kind === 'contact');
  const count = final?.value ?? contacts.length;
  const steps: string[] = contacts.slice(0, 3).map((e) => `Around ${formatSeconds(e.time)} two objects touch.`);
  if (final) steps.push(`The counter at the top right, which goes up with each collision, ends at ${final.value}.`);
  return {
    answer: String(count),
    understand: 'I have to count how many times two of the moving objects run into each other.',
    moments: contacts.map((e) => e.time),
    steps,
    check: final
      ? `That matches the number of bumps I noticed closely enough to trust the counter: ${count}.`
      : `I found ${count} bump${count === 1 ? '' : 's'} and no other moment where two objects meet.`,
  };
};

/** `count-bounces` questions. */
export const answerCountBounces: Answerer<'count-bounces'> = (intent, { facts }) => {
  const track = findTrack(facts, intent.object);
  const bounces = track?.events.filter((e) => e.kind === 'bounce') ?? [];
  return {
    answer: String(bounces.length),
    understand: `I need to count how often ${intent.object.text} comes off the edge of the arena.`,
    moments: bounces.map((e) => e.time),
    steps:
      bounces.length > 0
        ? bounces.map((e) => `Around ${formatSeconds(e.time)} it comes back off the ${e.detail} wall.`)
        : [`${capitalise(intent.object.text)} never seems to reverse against a wall.`],
    check: `Following it through the clip again, the count stays at ${bounces.length}.`,
  };
};

/** `read-sign` questions. */
export const answerReadSign: Answerer<'read-sign'> = (intent, { facts }) => {
  const readings = facts.signReadings;
  const pickFrom = intent.when === 'end' ? [...readings].reverse() : readings;
  const confident = pickFrom.find((r) => !r.uncertain) ?? pickFrom[0];
  const text = confident?.text ?? '';
  const changed = new Set(readings.map((r) => r.text)).size > 1;
  return {
    answer: text,
    understand: `I have to read the white sign at the top left${intent.when === 'only' ? '' : ` ${intent.when === 'end' ? 'at the end' : 'at the start'}`}.`,
    moments: confident ? [confident.time] : [],
    steps: [
      `At ${formatSeconds(confident?.time ?? 0)}, the sign reads "${text}".`,
      changed ? 'The sign does change during the clip, so the moment matters.' : 'The sign stays the same throughout.',
    ],
    check: `Reading it letter by letter again, it says ${text}.`,
  };
};

/** `read-counter` questions. */
export const answerReadCounter: Answerer<'read-counter'> = (_intent, { facts, last }) => {
  const final = facts.counterReadings.at(-1);
  const value = final?.value ?? facts.rep.events.filter((e) => e.kind === 'contact').length;
  return {
    answer: String(value),
    understand: 'I need the number on the yellow counter at the top right in the last moments.',
    moments: final ? [final.time] : [],
    steps: [`At ${formatSeconds(final?.time ?? last)}, the counter shows ${value}.`],
    check: `It does not change after that, so the final number is ${value}.`,
  };
};

/** `time-first-collision` questions. */
export const answerTimeFirstCollision: Answerer<'time-first-collision'> = (_intent, { facts }) => {
  const contact = facts.rep.events.find((e) => e.kind === 'contact');
  const rise = facts.counterReadings.find((r) => r.value > 0);
  const time = contact?.time ?? rise?.time ?? 0;
  return {
    answer: numberText(time, 2),
    understand: 'I need the time of the first collision between two objects.',
    moments: [time],
    steps: [
      contact ? `The first contact I see is at about ${formatSeconds(contact.time)}.` : 'I do not see a clear contact.',
      rise ? `The counter first shows ${rise.value} at ${formatSeconds(rise.time)}.` : 'The counter stays at 0.',
    ],
    check: `So the first collision happens at about ${numberText(time, 2)} seconds.`,
  };
};

/** `time-visible` questions. */
export const answerTimeVisible: Answerer<'time-visible'> = (intent, { facts }) => {
  const track = findTrack(facts, intent.object);
  const seconds = track ? Math.min(facts.rep.durationSec, track.lastTime - track.firstTime + facts.sampleInterval) : 0;
  return {
    answer: numberText(seconds, 2),
    understand: `I need how long ${intent.object.text} stays in view in total.`,
    moments: track ? [track.firstTime, track.lastTime] : [],
    steps: track
      ? [
          `${capitalise(nameTrack(track))} is first visible at about ${formatSeconds(track.firstTime)}.`,
          `It is last visible at about ${formatSeconds(track.lastTime)}.`,
        ]
      : [`I cannot find ${intent.object.text}.`],
    check: `From first to last sighting, plus the moment it is on screen, that is about ${numberText(seconds, 2)} seconds.`,
  };
};
