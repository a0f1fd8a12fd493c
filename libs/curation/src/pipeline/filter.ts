/**
 * Stage 4 (method.md §2): keep a sample only when its CoT is well formed and its final answer is
 * right for its problem type, scored by the accuracy reward of @vrft/rewards; open-ended
 * (free-form) answers are kept when their similarity to the reference reaches a threshold
 * (mean ROUGE-1/2/L by default, or a caller's function). Every drop says why.
 */
import { toProblemType, type VideoSample } from '@vrft/data';
import { checkFormat, extractAnswer, extractSolution, scoreAccuracy } from '@vrft/rewards';
import { CurationOptionsError } from '../errors.js';

/** Why a sample was dropped. */
export type DropReason = 'bad-format' | 'wrong-answer' | 'low-similarity' | 'unscorable';

/** Options of {@link filterSample}. */
export interface FilterOptions {
  /** Free-form answers need at least this similarity in [0, 1]. Default 0.3. */
  freeFormMin: number;
  /** OCR answers need 1 − WER of at least this. Default 1 (exact). */
  ocrMin: number;
  /** Regression answers need 1 − relative error of at least this. Default 0.9. */
  regressionMin: number;
  /** Similarity of free-form answers (answer, reference) → [0, 1]; default the ROUGE accuracy reward. */
  similarity?: (answer: string, reference: string) => number;
}

/** Defaults of {@link FilterOptions}. */
export const DEFAULT_FILTER_OPTIONS: Readonly<FilterOptions> = { freeFormMin: 0.3, ocrMin: 1, regressionMin: 0.9 };

/** Checks filter options; throws CurationOptionsError naming the bad field. */
export function parseFilterOptions(input: Partial<FilterOptions> = {}): FilterOptions {
  const options = { ...DEFAULT_FILTER_OPTIONS, ...input };
  for (const field of ['freeFormMin', 'ocrMin', 'regressionMin'] as const) {
    const value = options[field];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new CurationOptionsError(`filter.${field}`, `expected a number in [0, 1], got ${JSON.stringify(value)}`);
    }
  }
  if (options.similarity !== undefined && typeof options.similarity !== 'function') {
    throw new CurationOptionsError('filter.similarity', 'expected a function');
  }
  return options;
}

/** The verdict on one sample. */
export interface FilterVerdict {
  kept: boolean;
  /** Accuracy (or similarity) of the final answer in [0, 1]. */
  score: number;
  reason?: DropReason;
  detail?: string;
}

/** Judges one completion against its sample's solution (see the file header). */
export function filterSample(
  sample: Pick<VideoSample, 'problem_type' | 'solution'>,
  completion: string,
  options: FilterOptions = DEFAULT_FILTER_OPTIONS,
): FilterVerdict {
  if (checkFormat(completion).value !== 1) {
    return { kept: false, score: 0, reason: 'bad-format', detail: 'not <think>…</think> <answer>…</answer>' };
  }
  let score: number;
  try {
    if (sample.problem_type === 'free-form' && options.similarity) {
      score = options.similarity(extractAnswer(completion) ?? '', extractSolution(sample.solution));
    } else {
      const result = scoreAccuracy(toProblemType(sample.problem_type), completion, sample.solution);
      score = result.value;
    }
  } catch (cause) {
    return {
      kept: false,
      score: 0,
      reason: 'unscorable',
      detail: cause instanceof Error ? cause.message : String(cause),
    };
  }
  const needed =
    sample.problem_type === 'free-form'
      ? options.freeFormMin
      : sample.problem_type === 'OCR'
        ? options.ocrMin
        : sample.problem_type === 'regression'
          ? options.regressionMin
          : 1;
  if (score + 1e-9 >= needed) return { kept: true, score };
  const reason: DropReason = sample.problem_type === 'free-form' ? 'low-similarity' : 'wrong-answer';
  return { kept: false, score, reason, detail: `score ${score.toFixed(3)} < ${needed}` };
}
