/** Counting families (numerical answers): objects of a shape, most visible at once, collisions, wall bounces. */
import { type QuestionFamily } from './question-family.js';
import { nameObject } from './question-text.js';

const PLURAL: Record<string, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  diamond: 'diamonds',
};

/** "How many circles appear in the video?" — counts objects of a shape that are ever visible. */
export const countShape: QuestionFamily = {
  name: 'count-shape',
  skill: 'counting',
  problemType: 'numerical',
  write({ facts, rng }) {
    if (facts.appeared.length === 0) return undefined;
    // Mostly shapes that occur; sometimes one that does not, so 0 is a possible answer.
    const present = [...new Set(facts.appeared.map((o) => o.spec.shape))];
    const all = Object.keys(PLURAL);
    const shape = rng.chance(0.85) ? rng.pick(present) : rng.pick(all);
    const count = facts.appeared.filter((o) => o.spec.shape === shape).length;
    return { problem: `How many ${PLURAL[shape] ?? shape} appear in the video?`, options: [], answer: String(count) };
  },
};

/** "What is the largest number of objects visible at the same time?" */
export const countMaxVisible: QuestionFamily = {
  name: 'count-max-visible',
  skill: 'counting',
  problemType: 'numerical',
  write({ facts }) {
    return {
      problem: 'What is the largest number of moving objects visible at the same time in the video?',
      options: [],
      answer: String(facts.maxVisible),
    };
  },
};

/** "How many times do two objects collide with each other?" */
export const countCollisions: QuestionFamily = {
  name: 'count-collisions',
  skill: 'counting',
  problemType: 'numerical',
  write({ facts }) {
    return {
      problem: 'How many times do two of the moving objects collide with each other in the video?',
      options: [],
      answer: String(facts.collisions.length),
    };
  },
};

/** "How many times does the red circle bounce off the walls?" — skipped when two bounces fall too close to tell apart. */
export const countBounces: QuestionFamily = {
  name: 'count-bounces',
  skill: 'counting',
  problemType: 'numerical',
  write({ facts, rng }) {
    const candidates = facts.appeared.filter((o) =>
      // A corner hit makes two bounce events within a frame or two: a viewer sees one bounce.
      o.bounces.every((b, i) => i === 0 || b.frame - (o.bounces[i - 1]?.frame ?? -10) > 2),
    );
    if (candidates.length === 0) return undefined;
    const target = rng.pick(candidates);
    return {
      problem: `How many times does ${nameObject(target)} bounce off the edges of the arena?`,
      options: [],
      answer: String(target.bounces.length),
    };
  },
};
