import { type Problem } from '@vrft/proto';
import { DataOptionsError } from './errors.js';
import { fromProblemType } from './problem-mapping.js';
import { PROBLEM_TYPE_NAMES, type ProblemTypeName } from './sample-format.js';

/**
 * The wording of the prompt (method.md §3): the question, the options when they are listed apart
 * from it, the instruction to reason inside `<think>` and answer inside `<answer>`, and one line
 * saying what the answer must look like for the problem type.
 */
export interface PromptTemplate {
  /** Line that introduces the list of options. */
  readonly optionsHeader: string;
  /** The reasoning and answer-format instruction. */
  readonly instruction: string;
  /** What goes inside `<answer>`, per problem type. */
  readonly answerHints: Readonly<Record<ProblemTypeName, string>>;
}

/** The project's prompt wording. */
export const DEFAULT_PROMPT_TEMPLATE: PromptTemplate = {
  optionsHeader: 'Options:',
  instruction:
    'Think the question through step by step, going back over what happens in the video, and write that ' +
    'reasoning between <think> and </think>; then write your final answer between <answer> and </answer>.',
  answerHints: {
    'multiple choice': 'Inside <answer> </answer>, put only the letter of the option you choose, such as A or C.',
    numerical: 'Inside <answer> </answer>, put only the number, such as 42 or 3.14.',
    OCR: 'Inside <answer> </answer>, put only the text shown in the video, transcribed as written.',
    'free-form': 'Inside <answer> </answer>, put your answer in plain words.',
    regression: 'Inside <answer> </answer>, put only your estimate as a number, such as 42 or 3.14.',
  },
};

/** What a prompt is built from; a proto `Problem` fits. */
export type PromptProblem = Pick<Problem, 'question' | 'problemType'> & { readonly options: readonly string[] };

/**
 * The text prompt for a problem (deterministic: the same problem always gives the same string).
 * Options are appended for multiple choice unless the question already contains every one of
 * them (VideoRFT's release embeds them). The video itself is passed beside the text, not in it.
 */
export function buildPrompt(problem: PromptProblem, template: PromptTemplate = DEFAULT_PROMPT_TEMPLATE): string {
  checkTemplate(template);
  // Throws ProblemTypeError for UNSPECIFIED: the answer hint depends on the type.
  const typeName = fromProblemType(problem.problemType);
  const lines = [problem.question.trim()];
  const options = problem.options.map((o) => o.trim()).filter((o) => o !== '');
  const embedded = options.every((option) => problem.question.includes(option));
  if (typeName === 'multiple choice' && options.length > 0 && !embedded) {
    lines.push(template.optionsHeader, ...options);
  }
  lines.push(template.instruction, template.answerHints[typeName]);
  return lines.join('\n');
}

function checkTemplate(template: PromptTemplate): void {
  for (const field of ['optionsHeader', 'instruction'] as const) {
    if (typeof template[field] !== 'string' || template[field].trim() === '') {
      throw new DataOptionsError(field, 'expected a non-empty string');
    }
  }
  for (const name of PROBLEM_TYPE_NAMES) {
    const hint: unknown = template.answerHints[name];
    if (typeof hint !== 'string' || hint.trim() === '') {
      throw new DataOptionsError(`answerHints["${name}"]`, 'expected a non-empty string');
    }
  }
}
