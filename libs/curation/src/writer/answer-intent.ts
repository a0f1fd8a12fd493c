/**
 * Works out the answer to a question from the clip's facts, and the reasoning that leads there:
 * what the question wants, the moments that matter, the observations used, and a check. The
 * answer follows from what the describer saw, so a perception error leads to a wrong answer (the
 * filter stage catches those). One small answerer per kind of question, registered below.
 */
import { type Rng } from '@vrft/data';
import { type AnswerContext, type Answerer, type WorkedAnswer } from './answer-helpers.js';
import {
  answerCountBounces,
  answerCountCollisions,
  answerCountMaxVisible,
  answerCountShape,
  answerReadCounter,
  answerReadSign,
  answerTimeFirstCollision,
  answerTimeVisible,
} from './answers-counting.js';
import { answerCauseAfterCollision, answerCauseWhyColour, answerDescribe, answerUnknown } from './answers-events.js';
import {
  answerDirection,
  answerOrderAppearance,
  answerOrderLeave,
  answerSpatialRelation,
  answerSpeedExtreme,
  answerSpeedRatio,
} from './answers-motion.js';
import { type ClipFacts } from './clip-facts.js';
import { type OptionRef, type QuestionIntent } from './question-intent.js';

export { type WorkedAnswer } from './answer-helpers.js';
export { place as placeOf } from './answer-helpers.js';
export { describeFacts } from './answers-events.js';

const ANSWERERS: { [K in QuestionIntent['kind']]: Answerer<K> } = {
  'count-shape': answerCountShape,
  'count-max-visible': answerCountMaxVisible,
  'count-collisions': answerCountCollisions,
  'count-bounces': answerCountBounces,
  'read-sign': answerReadSign,
  'read-counter': answerReadCounter,
  'time-first-collision': answerTimeFirstCollision,
  'time-visible': answerTimeVisible,
  'order-appearance': answerOrderAppearance,
  'order-leave': answerOrderLeave,
  direction: answerDirection,
  'speed-extreme': answerSpeedExtreme,
  'speed-ratio': answerSpeedRatio,
  'spatial-relation': answerSpatialRelation,
  'cause-after-collision': answerCauseAfterCollision,
  'cause-why-colour': answerCauseWhyColour,
  describe: answerDescribe,
  unknown: answerUnknown,
};

/** Answers `intent` from `facts` (see the file header). */
export function answerIntent(intent: QuestionIntent, facts: ClipFacts, options: OptionRef[], rng: Rng): WorkedAnswer {
  const context: AnswerContext = { facts, options, rng, last: facts.times.at(-1) ?? facts.rep.durationSec };
  const answer = ANSWERERS[intent.kind] as Answerer<typeof intent.kind>;
  return answer(intent as never, context);
}
