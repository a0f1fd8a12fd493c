import { SampleValidationError } from './errors.js';
import { type EvalSample } from './sample-format.js';
import { checkRecord } from './sample-rules.js';

/** Options of {@link sampleFromEvalRecord}. */
export interface EvalRecordOptions {
  /** Label of the record in errors, e.g. `index 3` (default: none). */
  location?: string;
  /** Check answers against the problem type (default true). */
  checkAnswers?: boolean;
}

/**
 * Takes one record of a benchmark file (already parsed JSON) as an evaluation sample: the `eval`
 * rules apply, and the benchmark's own `original_question_type` is accepted and kept. Throws
 * `SampleValidationError` listing every issue of the record.
 */
export function sampleFromEvalRecord(record: unknown, options: EvalRecordOptions = {}): EvalSample {
  const issues = checkRecord(record, options.location ?? '', {
    kind: 'eval',
    checkAnswers: options.checkAnswers ?? true,
  });
  if (issues.length > 0) throw new SampleValidationError(issues);
  return record as EvalSample;
}

/**
 * The category an evaluation result is reported under: the benchmark's `original_question_type`
 * when it has one, else the format's `problem_type`.
 */
export function questionCategory(sample: EvalSample): string {
  const original = sample.original_question_type;
  return original !== undefined && original.trim() !== '' ? original : sample.problem_type;
}
