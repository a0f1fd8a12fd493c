/**
 * Chooses and writes a clip's questions: a problem type is drawn uniformly among the allowed ones
 * that still have a family to try, then a family of that type; a family that declines the clip
 * is dropped for this clip and the draw repeats. No family is asked twice about one clip.
 */
import { DataOptionsError } from '../errors.js';
import { createRng } from './prng.js';
import { type FamilyContext, type QuestionFamily, type WorldQuestion } from './question-family.js';
import { QUESTION_FAMILIES } from './question-families.js';
import { collectSceneFacts } from './scene-facts.js';
import { type SceneGraph } from './scene-graph.js';
import { type QuestionOptions } from './world-options.js';

/** RNG stream of the question writer (the simulation uses another). */
export const QUESTION_STREAM = 2;

/** The families `options` allow; throws DataOptionsError for an unknown family name. */
export function selectFamilies(options: QuestionOptions): QuestionFamily[] {
  for (const name of options.families) {
    if (!QUESTION_FAMILIES.some((f) => f.name === name)) {
      throw new DataOptionsError(
        'questions.families',
        `unknown family ${JSON.stringify(name)}; known: ${QUESTION_FAMILIES.map((f) => f.name).join(', ')}`,
      );
    }
  }
  return QUESTION_FAMILIES.filter(
    (f) =>
      (options.families.length === 0 || options.families.includes(f.name)) &&
      options.problemTypes.includes(f.problemType),
  );
}

/** Up to `options.questionsPerClip` questions about `scene` (fewer only when every allowed family declines). */
export function writeQuestions(scene: SceneGraph, options: QuestionOptions): WorldQuestion[] {
  const rng = createRng(scene.seed, QUESTION_STREAM);
  const context: FamilyContext = { facts: collectSceneFacts(scene), rng, closeness: options.closeness };
  let pool = selectFamilies(options);
  const questions: WorldQuestion[] = [];
  while (questions.length < options.questionsPerClip && pool.length > 0) {
    const types = [...new Set(pool.map((f) => f.problemType))];
    const type = rng.pick(types);
    const family = rng.pick(pool.filter((f) => f.problemType === type));
    pool = pool.filter((f) => f !== family);
    const written = family.write(context);
    if (written === undefined) continue;
    questions.push({ family: family.name, skill: family.skill, problemType: family.problemType, ...written });
  }
  return questions;
}

/** Asks one named family about `scene` (for tests and inspection); undefined when it declines. */
export function writeQuestionOfFamily(
  scene: SceneGraph,
  family: QuestionFamily,
  closeness: number,
): WorldQuestion | undefined {
  const context: FamilyContext = {
    facts: collectSceneFacts(scene),
    rng: createRng(scene.seed, QUESTION_STREAM),
    closeness,
  };
  const written = family.write(context);
  return written && { family: family.name, skill: family.skill, problemType: family.problemType, ...written };
}
