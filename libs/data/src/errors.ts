/** One rule broken by one record: where, which record, which field, and what is wrong. */
export interface SampleIssue {
  /** Where the record is: `line N` (1-based, JSONL) or `index N` (0-based, JSON array). Empty when unknown. */
  readonly location: string;
  /** The record's `problem_id` when it could be read. */
  readonly problemId?: number | string;
  /** The field at fault; absent when the record as a whole is wrong (not an object, not JSON). */
  readonly field?: string;
  /** What is wrong, e.g. `expected one of "video", "image", got "audio"`. */
  readonly message: string;
}

/** Renders an issue as `line 17 (problem_id 42): field "problem_type": expected …`. */
export function formatIssue(issue: SampleIssue): string {
  const id = issue.problemId === undefined ? '' : ` (problem_id ${JSON.stringify(issue.problemId)})`;
  const where = issue.location === '' && id === '' ? '' : `${issue.location}${id}`.trim() + ': ';
  const field = issue.field === undefined ? '' : `field "${issue.field}": `;
  return `${where}${field}${issue.message}`;
}

/** Records that break the sample rules; `issues` lists every one found (one in fail-fast mode). */
export class SampleValidationError extends Error {
  override readonly name = 'SampleValidationError';
  readonly issues: readonly SampleIssue[];

  constructor(issues: readonly SampleIssue[], source?: string, options?: { cause?: unknown }) {
    super(describeIssues(issues, source), options);
    this.issues = issues;
  }
}

/** The file as a whole cannot be read as samples: invalid UTF-8, not a JSON array, an over-long line. */
export class SampleFormatError extends Error {
  override readonly name = 'SampleFormatError';
}

/** An option given to this library is invalid; the message names the option. */
export class DataOptionsError extends Error {
  override readonly name = 'DataOptionsError';
  /** The option at fault, e.g. `indent`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`option "${field}": ${message}`, options);
    this.field = field;
  }
}

/** A problem type string or enum value that has no counterpart. */
export class ProblemTypeError extends Error {
  override readonly name = 'ProblemTypeError';
}

// Long lists are cut so that a file with one systematic fault still gives a readable message;
// the full list stays in `issues`.
const MAX_ISSUES_IN_MESSAGE = 20;

function describeIssues(issues: readonly SampleIssue[], source: string | undefined): string {
  const prefix = source === undefined ? '' : `${source}: `;
  if (issues.length === 1 && issues[0] !== undefined) return prefix + formatIssue(issues[0]);
  const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => `  ${formatIssue(issue)}`);
  const more = issues.length > MAX_ISSUES_IN_MESSAGE ? [`  … and ${issues.length - MAX_ISSUES_IN_MESSAGE} more`] : [];
  return [`${prefix}${issues.length} issues in the samples:`, ...shown, ...more].join('\n');
}
