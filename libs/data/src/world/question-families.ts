/** The registry of question families, covering all five problem types and every skill of {@link SKILLS}. */
import { countBounces, countCollisions, countMaxVisible, countShape } from './families-counting.js';
import { causeAfterCollision, causeWhyColour, describeClip } from './families-events.js';
import { direction, spatialRelation, speedExtreme, speedRatio } from './families-motion.js';
import { readCounter, readSign } from './families-text.js';
import { orderAppearance, orderLeave, timeFirstCollision, timeVisible } from './families-time.js';
import { type QuestionFamily } from './question-family.js';

/** Every family, by name order of skill. */
export const QUESTION_FAMILIES: readonly QuestionFamily[] = [
  countShape,
  countMaxVisible,
  countCollisions,
  countBounces,
  orderAppearance,
  orderLeave,
  direction,
  speedExtreme,
  speedRatio,
  causeAfterCollision,
  causeWhyColour,
  spatialRelation,
  readSign,
  readCounter,
  describeClip,
  timeFirstCollision,
  timeVisible,
];

/** The family called `name`, or undefined. */
export function findQuestionFamily(name: string): QuestionFamily | undefined {
  return QUESTION_FAMILIES.find((f) => f.name === name);
}
