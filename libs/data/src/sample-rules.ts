import { extractAnswer, extractThink, isNumberText, optionLetter } from './answer-tags.js';
import { DataOptionsError, type SampleIssue } from './errors.js';
import {
  DATA_TYPES,
  PROBLEM_TYPE_NAMES,
  SAMPLE_KINDS,
  type ProblemTypeName,
  type SampleKind,
  type VideoSample,
} from './sample-format.js';

/** Which rules a record is held to. */
export interface ValidateSampleOptions {
  /** `sft` requires `process` with a `<think>…</think>` block; `rl` and `eval` do not. */
  kind: SampleKind;
  /**
   * Also check the answer against the problem type (default true): a multiple-choice answer is one
   * option letter (one of the listed letters when options are given); a numerical or regression
   * answer reads as a number. Off, only the `<answer>` tags are required.
   */
  checkAnswers?: boolean;
  /** Label of the record in issues, e.g. `line 17` (default: none). */
  location?: string;
}

/** {@link ValidateSampleOptions} with defaults applied. */
export type SampleRules = Required<Omit<ValidateSampleOptions, 'location'>>;

/** Validates rule options once; throws {@link DataOptionsError} naming the bad option. */
export function parseSampleRules(options: Omit<ValidateSampleOptions, 'location'>): SampleRules {
  if (!(SAMPLE_KINDS as readonly unknown[]).includes(options.kind)) {
    throw new DataOptionsError('kind', `expected one of ${quoteAll(SAMPLE_KINDS)}, got ${describeValue(options.kind)}`);
  }
  const checkAnswers = options.checkAnswers ?? true;
  if (typeof checkAnswers !== 'boolean') {
    throw new DataOptionsError('checkAnswers', `expected a boolean, got ${describeValue(checkAnswers)}`);
  }
  return { kind: options.kind, checkAnswers };
}

/** Every rule `record` breaks, in field order; an empty list means it is a valid {@link VideoSample}. */
export function validateSample(record: unknown, options: ValidateSampleOptions): SampleIssue[] {
  return checkRecord(record, options.location ?? '', parseSampleRules(options));
}

/** Narrows `record` after {@link validateSample} found nothing wrong. */
export function isValidSample(record: unknown, options: ValidateSampleOptions): record is VideoSample {
  return validateSample(record, options).length === 0;
}

/** The rule checks, with options already parsed (the per-record path of the readers). */
export function checkRecord(record: unknown, location: string, rules: SampleRules): SampleIssue[] {
  if (!isPlainRecord(record)) {
    return [{ location, message: `expected a JSON object, got ${describeValue(record)}` }];
  }
  const problemId = isValidProblemId(record.problem_id) ? record.problem_id : undefined;
  const issues: SampleIssue[] = [];
  const report = (field: string, message: string): void => {
    issues.push(problemId === undefined ? { location, field, message } : { location, problemId, field, message });
  };
  const required = (field: string): unknown => {
    const value = record[field];
    if (value === undefined) report(field, 'is required');
    return value;
  };

  const id = required('problem_id');
  if (id !== undefined && problemId === undefined) {
    report('problem_id', `expected an integer or a non-empty string, got ${describeValue(id)}`);
  }
  checkNonEmptyString(required('problem'), 'problem', report);
  checkOneOf(required('data_type'), DATA_TYPES, 'data_type', report);
  const problemType = checkOneOf(required('problem_type'), PROBLEM_TYPE_NAMES, 'problem_type', report);
  const options = checkOptions(record.options, report);
  checkProcess(rules.kind === 'sft' ? required('process') : record.process, rules.kind === 'sft', report);
  checkSolution(required('solution'), rules.checkAnswers ? problemType : undefined, options, report);
  checkPath(required('path'), report);
  const dataSource = required('data_source');
  if (dataSource !== undefined && typeof dataSource !== 'string') {
    report('data_source', `expected a string, got ${describeValue(dataSource)}`);
  }
  const category = record.original_question_type;
  if (category !== undefined && typeof category !== 'string') {
    report('original_question_type', `expected a string, got ${describeValue(category)}`);
  }
  return issues;
}

type Report = (field: string, message: string) => void;

function isValidProblemId(value: unknown): value is number | string {
  // Integers only: a float id would not survive a write in another language's number format.
  return typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'string' && value.trim() !== '';
}

function checkNonEmptyString(value: unknown, field: string, report: Report): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim() === '') {
    report(field, `expected a non-empty string, got ${describeValue(value)}`);
  }
}

function checkOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  report: Report,
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  report(field, `expected one of ${quoteAll(allowed)}, got ${describeValue(value)}`);
  return undefined;
}

function checkOptions(value: unknown, report: Report): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    report('options', `expected a list of strings, got ${describeValue(value)}`);
    return undefined;
  }
  let ok = true;
  value.forEach((option: unknown, i) => {
    if (typeof option !== 'string' || option.trim() === '') {
      report(`options[${i}]`, `expected a non-empty string, got ${describeValue(option)}`);
      ok = false;
    }
  });
  return ok ? (value as string[]) : undefined;
}

function checkProcess(value: unknown, needed: boolean, report: Report): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    report('process', `expected a string, got ${describeValue(value)}`);
    return;
  }
  // Outside SFT files an empty CoT is tolerated; a non-empty one must still be well formed.
  if (!needed && value.trim() === '') return;
  const think = extractThink(value);
  if (think === undefined) report('process', `expected a <think>…</think> block, got ${describeValue(value)}`);
  else if (think === '') report('process', 'the <think>…</think> block is empty');
}

function checkSolution(
  value: unknown,
  problemType: ProblemTypeName | undefined,
  options: readonly string[] | undefined,
  report: Report,
): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    report('solution', `expected a string, got ${describeValue(value)}`);
    return;
  }
  const answer = extractAnswer(value);
  if (answer === undefined) {
    report('solution', `expected an <answer>…</answer> block, got ${describeValue(value)}`);
    return;
  }
  if (answer === '') {
    report('solution', 'the <answer>…</answer> block is empty');
    return;
  }
  if (problemType === 'multiple choice') {
    const letters = (options ?? []).map(optionLetter).filter((l): l is string => l !== undefined);
    if (!/^[A-Z]$/.test(answer)) report('solution', `expected a single option letter, got ${describeValue(answer)}`);
    else if (letters.length > 0 && !letters.includes(answer)) {
      report('solution', `expected one of the option letters ${letters.join(', ')}, got ${describeValue(answer)}`);
    }
  } else if ((problemType === 'numerical' || problemType === 'regression') && !isNumberText(answer)) {
    report('solution', `expected a number for a ${problemType} problem, got ${describeValue(answer)}`);
  }
}

function checkPath(value: unknown, report: Report): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    report('path', `expected a string, got ${describeValue(value)}`);
    return;
  }
  if (!value.startsWith('./') || value.length === 2) {
    report('path', `expected a relative path starting "./", got ${describeValue(value)}`);
  } else if (value.split('/').includes('..')) {
    // A ".." segment could leave the media root once the path is resolved against it.
    report('path', `".." segments are not allowed, got ${describeValue(value)}`);
  }
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Values in messages are shown as JSON, cut short so one huge field does not flood a log.
const MAX_SHOWN_CHARS = 80;

/** A short, quoted rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const shown = typeof value === 'bigint' ? `${value}n` : String(JSON.stringify(value) ?? typeof value);
  return shown.length > MAX_SHOWN_CHARS ? `${shown.slice(0, MAX_SHOWN_CHARS)}…` : shown;
}

function quoteAll(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}
