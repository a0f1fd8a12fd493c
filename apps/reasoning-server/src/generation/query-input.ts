/**
 * From a ReasoningQuery to what the engine takes: the prompt text (the project's template,
 * `<video>` first when there is a video) and the sampling input, checked against the
 * configured limits. Each refusal is a QueryError naming the field.
 */
import { buildPrompt } from '@vrft/data';
import { type SamplingParamsInput } from '@vrft/engine-ort';
import { ProblemType, type ReasoningQuery, type SamplingParams } from '@vrft/proto';
import type { ReasoningServerConfig } from '../reasoning-server.config.js';
import { QueryError } from '../reasoning-server.errors.js';

/** The video placeholder line the model was trained with before the question. */
export const VIDEO_PREFIX = '<video>\n';

type Limits = ReasoningServerConfig['limits'];

const KNOWN_PROBLEM_TYPES = new Set<number>([
  ProblemType.MULTIPLE_CHOICE,
  ProblemType.NUMERICAL,
  ProblemType.OCR,
  ProblemType.FREE_FORM,
  ProblemType.REGRESSION,
]);

/** The prompt text of a query; unspecified problem types are answered free-form. */
export function promptTextOf(query: ReasoningQuery, limits: Limits, withVideo: boolean): string {
  const question = query.question.trim();
  if (question === '') throw new QueryError('query.question', 'is empty');
  if (query.question.length > limits.maxQuestionChars) {
    throw new QueryError(
      'query.question',
      `is ${query.question.length} characters, at most ${limits.maxQuestionChars}`,
    );
  }
  if (query.options.length > limits.maxOptions) {
    throw new QueryError('query.options', `${query.options.length} options, at most ${limits.maxOptions}`);
  }
  query.options.forEach((option, i) => {
    if (option.length > limits.maxQuestionChars) {
      throw new QueryError(`query.options[${i}]`, `is longer than ${limits.maxQuestionChars} characters`);
    }
  });
  const problemType = query.problemType === ProblemType.UNSPECIFIED ? ProblemType.FREE_FORM : query.problemType;
  if (!KNOWN_PROBLEM_TYPES.has(problemType)) {
    throw new QueryError('query.problem_type', `unknown problem type ${query.problemType}`);
  }
  const text = buildPrompt({ question, problemType, options: query.options });
  return withVideo ? `${VIDEO_PREFIX}${text}` : text;
}

/** The engine's sampling input from the message, with the server's length default and bound. */
export function samplingInputOf(message: SamplingParams | undefined, limits: Limits): SamplingParamsInput {
  const maxNewTokens = message?.maxNewTokens ?? limits.defaultMaxNewTokens;
  if (maxNewTokens > limits.maxNewTokens) {
    throw new QueryError(
      'query.sampling.max_new_tokens',
      `${maxNewTokens} is above this server's limit of ${limits.maxNewTokens}`,
    );
  }
  const stop = message?.stop ?? [];
  if (stop.length > limits.maxStopSequences) {
    throw new QueryError('query.sampling.stop', `${stop.length} stop sequences, at most ${limits.maxStopSequences}`);
  }
  return {
    maxNewTokens,
    stop,
    ...(message?.temperature === undefined ? {} : { temperature: message.temperature }),
    ...(message?.topP === undefined ? {} : { topP: message.topP }),
    ...(message?.topK === undefined ? {} : { topK: message.topK }),
    ...(message?.seed === undefined ? {} : { seed: message.seed }),
  };
}
