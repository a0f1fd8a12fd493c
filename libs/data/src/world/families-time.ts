/**
 * Time families: which object appears or leaves first (multiple choice, temporal order) and how
 * many seconds until or during something (regression, timing). Times are frame index / fps.
 */
import { minGapFrames, type QuestionFamily } from './question-family.js';
import { buildChoice, capitalise, formatDecimal, nameObject } from './question-text.js';
import { type ObjectFacts } from './scene-facts.js';

/**
 * "Which of these objects appears first?" (or last): the options are the correct object and
 * objects that appear at least the minimum gap later (earlier), so the order is visible.
 */
export const orderAppearance: QuestionFamily = {
  name: 'order-appearance',
  skill: 'temporal order',
  problemType: 'multiple choice',
  write(context) {
    const { facts, rng } = context;
    const gap = minGapFrames(context);
    const first = (o: ObjectFacts): number => o.firstVisible ?? Number.POSITIVE_INFINITY;
    const askLast = rng.chance(0.5);
    const pool = rng.shuffle(facts.appeared);
    for (const target of pool) {
      const others = facts.appeared.filter((o) =>
        askLast ? first(o) <= first(target) - gap : first(o) >= first(target) + gap,
      );
      if (others.length === 0) continue;
      const choice = buildChoice(
        rng,
        capitalise(nameObject(target)),
        others.map((o) => capitalise(nameObject(o))),
      );
      if (!choice) continue;
      const which = askLast ? 'last' : 'first';
      return { problem: `Which of these objects appears in the video ${which}?`, ...choice };
    }
    return undefined;
  },
};

/** "Which of these objects leaves the frame first?" — distractors leave at least the gap later, or stay. */
export const orderLeave: QuestionFamily = {
  name: 'order-leave',
  skill: 'temporal order',
  problemType: 'multiple choice',
  write(context) {
    const { facts, rng } = context;
    const gap = minGapFrames(context);
    const leavers = facts.appeared.filter((o) => o.leave !== undefined);
    if (leavers.length === 0) return undefined;
    const leaveFrame = (o: ObjectFacts): number => o.leave?.frame ?? Number.POSITIVE_INFINITY;
    const target = leavers.reduce((a, b) => (leaveFrame(b) < leaveFrame(a) ? b : a));
    const others = facts.appeared.filter(
      (o) => o !== target && leaveFrame(o) >= leaveFrame(target) + gap && (o.lastVisible ?? 0) >= leaveFrame(target),
    );
    const choice = buildChoice(
      rng,
      capitalise(nameObject(target)),
      others.map((o) => capitalise(nameObject(o))),
    );
    return choice && { problem: 'Which of these objects leaves the frame first?', ...choice };
  },
};

/** "How many seconds after the start do two objects first collide?" */
export const timeFirstCollision: QuestionFamily = {
  name: 'time-first-collision',
  skill: 'timing',
  problemType: 'regression',
  write({ facts }) {
    const first = facts.collisions[0];
    if (first === undefined || first.frame === 0) return undefined;
    return {
      problem: 'How many seconds after the start of the video do two of the objects collide for the first time?',
      options: [],
      answer: formatDecimal(first.frame / facts.scene.fps, 2),
    };
  },
};

/** "For how many seconds is the red circle visible?" — visible frames / fps; objects that enter or leave first. */
export const timeVisible: QuestionFamily = {
  name: 'time-visible',
  skill: 'timing',
  problemType: 'regression',
  write({ facts, rng }) {
    const partial = facts.appeared.filter((o) => o.visibleFrames < facts.scene.frameCount);
    const pool = partial.length > 0 && rng.chance(0.8) ? partial : facts.appeared;
    if (pool.length === 0) return undefined;
    const target = rng.pick(pool);
    return {
      problem: `For how many seconds in total is ${nameObject(target)} visible in the video?`,
      options: [],
      answer: formatDecimal(target.visibleFrames / facts.scene.fps, 2),
    };
  },
};
