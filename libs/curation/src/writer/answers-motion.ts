/** Order, motion and layout questions: which object comes or goes first, which way and how fast it moves, where it is relative to another. */
import { directionOf } from '../perception/geometry-words.js';
import {
  bestOption,
  closestDirectionOption,
  firstMove,
  numberText,
  optionTracks,
  place,
  type Answerer,
} from './answer-helpers.js';
import { findTrack, formatSeconds, nameTrack, type TrackFacts } from './clip-facts.js';
import { capitalise } from './phrases.js';
import { type ObjectRef } from './question-intent.js';

/** `order-appearance` questions. */
export const answerOrderAppearance: Answerer<'order-appearance'> = (intent, { facts, options }) => {
  const candidates = optionTracks(facts, options);
  const time = (t: TrackFacts | undefined) => t?.firstTime ?? (intent.which === 'first' ? Infinity : -Infinity);
  const sorted = [...candidates].sort((a, b) =>
    intent.which === 'first' ? time(a.track) - time(b.track) : time(b.track) - time(a.track),
  );
  const chosen = sorted[0];
  return {
    answer: chosen?.option.letter ?? options[0]?.letter ?? 'A',
    understand: `The question is about the order of appearance: which listed object shows up ${intent.which}.`,
    moments: candidates.flatMap((c) => (c.track ? [c.track.firstTime] : [])),
    steps: candidates.map((c) =>
      c.track
        ? `${capitalise(nameTrack(c.track))} is first visible at about ${formatSeconds(c.track.firstTime)}.`
        : `I cannot find ${c.option.text.toLowerCase()} clearly.`,
    ),
    check: `Comparing those times, ${chosen?.option.text.toLowerCase() ?? 'that one'} comes ${intent.which}.`,
  };
};

/** `order-leave` questions. */
export const answerOrderLeave: Answerer<'order-leave'> = (_intent, { facts, options }) => {
  const candidates = optionTracks(facts, options);
  const leaveTime = (t: TrackFacts | undefined) => t?.events.find((e) => e.kind === 'leave')?.time ?? Infinity;
  const sorted = [...candidates].sort((a, b) => leaveTime(a.track) - leaveTime(b.track));
  const chosen = sorted[0];
  return {
    answer: chosen?.option.letter ?? options[0]?.letter ?? 'A',
    understand: 'I need to see which of these objects goes out of the frame before the others.',
    moments: candidates.flatMap((c) => (Number.isFinite(leaveTime(c.track)) ? [leaveTime(c.track)] : [])),
    steps: candidates.map((c) => {
      const t = leaveTime(c.track);
      if (!c.track) return `I cannot find ${c.option.text.toLowerCase()} clearly.`;
      return Number.isFinite(t)
        ? `${capitalise(nameTrack(c.track, t - 0.01))} goes out through the edge at about ${formatSeconds(t)}.`
        : `${capitalise(nameTrack(c.track))} stays in view to the end.`;
    }),
    check: `So ${chosen?.option.text.toLowerCase() ?? 'that one'} is the first to leave.`,
  };
};

/** `direction` questions. */
export const answerDirection: Answerer<'direction'> = (intent, { facts, options }) => {
  const track = findTrack(facts, intent.object, intent.when === 'start' ? 0 : undefined);
  const move = track ? firstMove(track) : undefined;
  const direction = move ? directionOf(move.dx, move.dy) : 'right';
  const chosen = closestDirectionOption(options, direction);
  const name = track ? nameTrack(track, move?.from) : intent.object.text;
  return {
    answer: chosen?.letter ?? options[0]?.letter ?? 'A',
    understand: `The question asks which way ${intent.object.text} heads ${intent.when === 'start' ? 'at the start' : 'when it first shows up'}.`,
    moments: move ? [move.from, move.to] : [],
    steps: move
      ? [
          `At ${formatSeconds(move.from)}, ${name} is at the ${place(move.x0, move.y0)}.`,
          `By ${formatSeconds(move.to)} it has moved ${direction}.`,
        ]
      : [`I cannot follow ${intent.object.text} long enough to be sure of its heading.`],
    check: `Its path over those moments points ${direction}, which is option ${chosen?.letter ?? '?'}.`,
  };
};

/** `speed-extreme` questions. */
export const answerSpeedExtreme: Answerer<'speed-extreme'> = (intent, { facts, options }) => {
  const candidates = optionTracks(facts, options);
  const speed = (t: TrackFacts | undefined) => t?.meanSpeed ?? (intent.which === 'fastest' ? -1 : Infinity);
  const sorted = [...candidates].sort((a, b) =>
    intent.which === 'fastest' ? speed(b.track) - speed(a.track) : speed(a.track) - speed(b.track),
  );
  const chosen = sorted[0];
  return {
    answer: chosen?.option.letter ?? options[0]?.letter ?? 'A',
    understand: `I have to compare how fast the listed objects move on average and pick the ${intent.which}.`,
    moments: [],
    steps: candidates.map((c) =>
      c.track?.meanSpeed !== undefined
        ? `${capitalise(nameTrack(c.track))} covers about ${numberText(c.track.meanSpeed, 2)} frame widths per second.`
        : `I cannot follow ${c.option.text.toLowerCase()} well enough to judge its speed.`,
    ),
    check: `${capitalise(chosen?.option.text.toLowerCase() ?? 'that one')} is clearly the ${intent.which} of them.`,
  };
};

/** `speed-ratio` questions. */
export const answerSpeedRatio: Answerer<'speed-ratio'> = (intent, { facts }) => {
  const fast = findTrack(facts, intent.fast);
  const slow = findTrack(facts, intent.slow);
  const ratio = fast?.meanSpeed !== undefined && slow?.meanSpeed ? fast.meanSpeed / slow.meanSpeed : 1;
  return {
    answer: numberText(ratio, 1),
    understand: `I need the ratio of the average speed of ${intent.fast.text} to that of ${intent.slow.text}.`,
    moments: [],
    steps: [
      `${capitalise(intent.fast.text)} moves about ${numberText(fast?.meanSpeed ?? 0, 2)} frame widths per second.`,
      `${capitalise(intent.slow.text)} moves about ${numberText(slow?.meanSpeed ?? 0, 2)} frame widths per second.`,
    ],
    check: `Dividing one by the other gives roughly ${numberText(ratio, 1)}.`,
  };
};

/** `spatial-relation` questions. */
export const answerSpatialRelation: Answerer<'spatial-relation'> = (intent, { facts, options, last }) => {
  const time = intent.when === 'start' ? (facts.times[0] ?? 0) : last;
  const frame = facts.rep.frames.find((f) => f.time === time);
  const find = (ref: ObjectRef) =>
    frame?.objects.find((o) => o.colour === ref.colour && o.shape === ref.shape) ??
    frame?.objects.find((o) => o.colour === ref.colour);
  const a = find(intent.a);
  const b = find(intent.b);
  let relation = 'To its left';
  if (a && b) {
    const dx = (a.x - b.x) * facts.rep.frameWidth;
    const dy = (a.y - b.y) * facts.rep.frameHeight;
    relation =
      Math.abs(dx) >= Math.abs(dy) ? (dx < 0 ? 'To its left' : 'To its right') : dy < 0 ? 'Above it' : 'Below it';
  }
  const chosen = bestOption(options, relation);
  return {
    answer: chosen?.letter ?? 'A',
    understand: `I need where ${intent.a.text} is compared with ${intent.b.text} ${intent.when === 'start' ? 'at the start' : 'at the end'}.`,
    moments: [time],
    steps:
      a && b
        ? [
            `At ${formatSeconds(time)}, ${intent.a.text} is at the ${place(a.x, a.y)}.`,
            `At ${formatSeconds(time)}, ${intent.b.text} is at the ${place(b.x, b.y)}.`,
          ]
        : [`At ${formatSeconds(time)} I cannot place both objects clearly.`],
    check: `${relation} of ${intent.b.text} is where ${intent.a.text} sits, option ${chosen?.letter ?? '?'}.`,
  };
};
