import { ProblemType, RewardComponent, ZeroReason } from '@vrft/proto';
import { type ComponentScore, fullScore, quoteForDetail, valueScore, zeroScore } from './component-score.js';
import { RewardInputError } from './errors.js';
import { hasSeparator, parseDecimal, toHundredths } from './numbers.js';
import { DEFAULT_REGRESSION_EPSILON, regressionAccuracy, relativeError } from './regression.js';
import { extractSolution, locateTag } from './tags.js';
import { rougeOfTokens, wordErrorRateOfWords } from './text-metrics.js';
import { splitOcrWords, tokenizeForRouge } from './text-tokens.js';

/** Options of the accuracy reward. */
export interface AccuracyOptions {
  /** ε of the regression relative error |pred − gt| / max(|gt|, ε). Default 1e-9. */
  readonly regressionEpsilon?: number;
}

/** A reference answer parsed once per group, in the form its problem type compares. */
export type PreparedSolution =
  | { readonly type: ProblemType.MULTIPLE_CHOICE; readonly text: string }
  | { readonly type: ProblemType.NUMERICAL; readonly text: string; readonly value: number }
  | { readonly type: ProblemType.OCR; readonly text: string; readonly words: readonly string[] }
  | { readonly type: ProblemType.FREE_FORM; readonly text: string; readonly tokens: readonly string[] }
  | { readonly type: ProblemType.REGRESSION; readonly text: string; readonly value: number };

/**
 * Parses the reference answer (tagged or not) for its problem type. The ground
 * truth must be scorable: an empty, unparsable or unknown-type solution is bad
 * data and throws RewardInputError rather than silently scoring 0.
 */
export function prepareSolution(problemType: ProblemType, solution: string, field = 'solution'): PreparedSolution {
  const text = extractSolution(solution, field);
  if (text === '') throw new RewardInputError(field, 'missing (empty once trimmed and untagged)');
  switch (problemType) {
    case ProblemType.MULTIPLE_CHOICE:
      return { type: problemType, text };
    case ProblemType.NUMERICAL:
    case ProblemType.REGRESSION: {
      const value = parseDecimal(text);
      if (value === undefined) throw new RewardInputError(field, `${quoteForDetail(text)} is not a number`);
      return { type: problemType, text, value };
    }
    case ProblemType.OCR:
      return { type: problemType, text, words: splitOcrWords(text) };
    case ProblemType.FREE_FORM: {
      const tokens = tokenizeForRouge(text);
      if (tokens.length === 0) throw new RewardInputError(field, `${quoteForDetail(text)} has no word tokens`);
      return { type: problemType, text, tokens };
    }
    default:
      throw new RewardInputError('problemType', `unknown problem type ${String(problemType)}`);
  }
}

/**
 * R_a of a completion: the text inside its first `<answer>` block against the
 * solution. No answer block (or a broken one) scores 0 with a tag reason.
 */
export function scoreAccuracy(
  problemType: ProblemType,
  completion: string,
  solution: string,
  options: AccuracyOptions = {},
): ComponentScore {
  return scoreCompletionAnswer(prepareSolution(problemType, solution), completion, options);
}

/** R_a of an answer string already taken out of its tags (evaluation scores a raw output this way). */
export function scoreAnswer(
  problemType: ProblemType,
  answer: string,
  solution: string,
  options: AccuracyOptions = {},
): ComponentScore {
  return scorePreparedAnswer(prepareSolution(problemType, solution), answer, options);
}

/** R_a of a completion against a prepared solution. */
export function scoreCompletionAnswer(
  solution: PreparedSolution,
  completion: string,
  options: AccuracyOptions = {},
): ComponentScore {
  const answer = locateTag(completion, 'answer');
  if (!answer.ok) return zeroScore(RewardComponent.ACCURACY, answer.reason, answer.detail);
  return scorePreparedAnswer(solution, answer.content, options);
}

/** R_a of an answer string against a prepared solution, per problem type (method.md §4). */
export function scorePreparedAnswer(
  solution: PreparedSolution,
  rawAnswer: string,
  options: AccuracyOptions = {},
): ComponentScore {
  const answer = rawAnswer.trim();
  if (answer === '') return zeroScore(RewardComponent.ACCURACY, ZeroReason.EMPTY_ANSWER, 'empty <answer>');
  switch (solution.type) {
    case ProblemType.MULTIPLE_CHOICE:
      return scoreMultipleChoice(solution.text, answer);
    case ProblemType.NUMERICAL:
      return scoreNumerical(solution.text, solution.value, answer);
    case ProblemType.OCR:
      return scoreOcr(solution.words, answer);
    case ProblemType.FREE_FORM:
      return scoreFreeForm(solution.tokens, answer);
    case ProblemType.REGRESSION:
      return scoreRegression(solution.value, answer, options.regressionEpsilon ?? DEFAULT_REGRESSION_EPSILON);
  }
}

// Exact string match of the trimmed answers.
function scoreMultipleChoice(expected: string, answer: string): ComponentScore {
  if (answer === expected) return fullScore(RewardComponent.ACCURACY);
  return wrong(`${quoteForDetail(answer)} ≠ ${quoteForDetail(expected)}`);
}

// 0 unless both strings agree on containing '.' or ','; then equal after rounding to 2 decimals.
function scoreNumerical(expectedText: string, expected: number, answer: string): ComponentScore {
  const value = parseDecimal(answer);
  if (value === undefined) return unparsable(answer);
  if (hasSeparator(answer) !== hasSeparator(expectedText)) {
    return wrong(`${quoteForDetail(answer)} and ${quoteForDetail(expectedText)} disagree on containing '.' or ','`);
  }
  if (toHundredths(value) === toHundredths(expected)) {
    return fullScore(RewardComponent.ACCURACY);
  }
  return wrong(`${value} ≠ ${expected} at 2 decimals`);
}

// R_a = 1 − WER clipped to [0, 1]; WER ≥ 0 so only the upper clip can bite.
function scoreOcr(reference: readonly string[], answer: string): ComponentScore {
  const wer = wordErrorRateOfWords(splitOcrWords(answer), reference);
  const value = Math.min(1, Math.max(0, 1 - wer)); // R_a = clip(1 − WER, 0, 1)
  return valueScore(RewardComponent.ACCURACY, value, ZeroReason.WRONG_ANSWER, `WER ${wer.toFixed(3)} ≥ 1`);
}

// R_a = (F(ROUGE-1) + F(ROUGE-2) + F(ROUGE-L)) / 3.
function scoreFreeForm(reference: readonly string[], answer: string): ComponentScore {
  const tokens = tokenizeForRouge(answer);
  if (tokens.length === 0) {
    return zeroScore(RewardComponent.ACCURACY, ZeroReason.EMPTY_ANSWER, 'answer has no word tokens');
  }
  const rouge = rougeOfTokens(tokens, reference);
  const value = (rouge.rouge1 + rouge.rouge2 + rouge.rougeL) / 3; // mean of the three F-scores
  return valueScore(RewardComponent.ACCURACY, value, ZeroReason.WRONG_ANSWER, 'no token overlap with the solution');
}

// R_a = 1 − min(1, |pred − gt| / max(|gt|, ε)).
function scoreRegression(expected: number, answer: string, epsilon: number): ComponentScore {
  const value = parseDecimal(answer);
  if (value === undefined) return unparsable(answer);
  const score = regressionAccuracy(value, expected, epsilon);
  const detail = `relative error ${relativeError(value, expected, epsilon).toPrecision(3)} ≥ 1`;
  return valueScore(RewardComponent.ACCURACY, score, ZeroReason.WRONG_ANSWER, detail);
}

function wrong(detail: string): ComponentScore {
  return zeroScore(RewardComponent.ACCURACY, ZeroReason.WRONG_ANSWER, detail);
}

function unparsable(answer: string): ComponentScore {
  return zeroScore(RewardComponent.ACCURACY, ZeroReason.UNPARSABLE_NUMBER, `${quoteForDetail(answer)} is not a number`);
}
