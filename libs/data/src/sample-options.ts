import { DataOptionsError } from './errors.js';
import { type JsonStyle } from './json-style.js';
import { SAMPLE_FILE_FORMATS, type SampleFileFormat, type SampleKind } from './sample-format.js';
import { describeValue, parseSampleRules, type SampleRules } from './sample-rules.js';

/** Options of the readers. */
export interface ReadSamplesOptions<K extends SampleKind = SampleKind> {
  /** Which rules apply (see `ValidateSampleOptions.kind`). Required: it decides whether `process` must be there. */
  kind: K;
  /**
   * `'auto'` (default): `.json` / `.jsonl` by file extension, otherwise by the first non-blank
   * character (`[` → JSON array, `{` → JSONL).
   */
  format?: SampleFileFormat | 'auto';
  /**
   * `'first'` (default): stop at the first bad record. `'all'`: read to the end (a streaming reader
   * still yields the good records) and then throw one `SampleValidationError` listing every issue.
   */
  errors?: 'first' | 'all';
  /** Check answers against the problem type (default true; see `ValidateSampleOptions.checkAnswers`). */
  checkAnswers?: boolean;
  /** In `errors: 'all'` mode, stop collecting and throw once this many issues are found (default 1000). */
  maxIssues?: number;
  /** Streaming readers: longest JSONL line accepted, in characters (default 64 Mi); bounds memory on a file without newlines. */
  maxLineChars?: number;
}

/** {@link ReadSamplesOptions} with defaults applied and values checked. */
export interface ReadSettings extends SampleRules {
  readonly format: SampleFileFormat | 'auto';
  readonly errors: 'first' | 'all';
  readonly maxIssues: number;
  readonly maxLineChars: number;
}

/** Defaults of {@link ReadSamplesOptions}. */
export const READ_DEFAULTS = {
  format: 'auto',
  errors: 'first',
  maxIssues: 1000,
  maxLineChars: 64 * 1024 * 1024,
} as const;

/** Applies defaults and checks every read option; throws `DataOptionsError` naming the bad one. */
export function parseReadOptions(options: ReadSamplesOptions): ReadSettings {
  const format = options.format ?? READ_DEFAULTS.format;
  checkOneOf('format', format, [...SAMPLE_FILE_FORMATS, 'auto']);
  const errors = options.errors ?? READ_DEFAULTS.errors;
  checkOneOf('errors', errors, ['first', 'all']);
  const maxIssues = options.maxIssues ?? READ_DEFAULTS.maxIssues;
  checkInteger('maxIssues', maxIssues, 1, Number.MAX_SAFE_INTEGER);
  const maxLineChars = options.maxLineChars ?? READ_DEFAULTS.maxLineChars;
  checkInteger('maxLineChars', maxLineChars, 1, Number.MAX_SAFE_INTEGER);
  return { ...parseSampleRules(options), format, errors, maxIssues, maxLineChars };
}

/** Options of the writers. Defaults reproduce the layout of the public files. */
export interface WriteSamplesOptions {
  /** `'auto'` (default): by the file extension (`.json` / `.jsonl`); the string formatter needs it explicit. */
  format?: SampleFileFormat | 'auto';
  /** JSON only: spaces per level (default 4, as the public files; 0–16). */
  indent?: number;
  /** Escape non-ASCII as `\uXXXX` (default true, as Python's `json.dump` wrote the public files). */
  escapeNonAscii?: boolean;
  /** JSONL only: `'python'` (default) writes `{"a": 1, "b": 2}`, `'compact'` writes `{"a":1,"b":2}`. */
  jsonlSpacing?: 'python' | 'compact';
  /** JSON only: end the file with a newline (default false: Python's `json.dump` writes none). */
  finalNewline?: boolean;
  /** `'preserve'` (default): each record's own key order; `'canonical'`: `CANONICAL_FIELD_ORDER`, then extras. */
  fieldOrder?: 'preserve' | 'canonical';
  /** Validate every record before writing it (default true), with these rules. */
  validate?: boolean;
  /** Rules for validation (default `'rl'`). */
  kind?: SampleKind;
  /** See `ReadSamplesOptions.checkAnswers` (default true). */
  checkAnswers?: boolean;
}

/** {@link WriteSamplesOptions} with defaults applied and values checked. */
export interface WriteSettings extends SampleRules {
  readonly format: SampleFileFormat | 'auto';
  readonly indent: number;
  readonly escapeNonAscii: boolean;
  readonly jsonlSpacing: 'python' | 'compact';
  readonly finalNewline: boolean;
  readonly fieldOrder: 'preserve' | 'canonical';
  readonly validate: boolean;
}

/** Defaults of {@link WriteSamplesOptions}. */
export const WRITE_DEFAULTS = {
  format: 'auto',
  indent: 4,
  escapeNonAscii: true,
  jsonlSpacing: 'python',
  finalNewline: false,
  fieldOrder: 'preserve',
  validate: true,
  kind: 'rl',
  checkAnswers: true,
} as const;

/** Applies defaults and checks every write option; throws `DataOptionsError` naming the bad one. */
export function parseWriteOptions(options: WriteSamplesOptions = {}): WriteSettings {
  const format = options.format ?? WRITE_DEFAULTS.format;
  checkOneOf('format', format, [...SAMPLE_FILE_FORMATS, 'auto']);
  const indent = options.indent ?? WRITE_DEFAULTS.indent;
  checkInteger('indent', indent, 0, 16);
  const escapeNonAscii = options.escapeNonAscii ?? WRITE_DEFAULTS.escapeNonAscii;
  checkBoolean('escapeNonAscii', escapeNonAscii);
  const jsonlSpacing = options.jsonlSpacing ?? WRITE_DEFAULTS.jsonlSpacing;
  checkOneOf('jsonlSpacing', jsonlSpacing, ['python', 'compact']);
  const finalNewline = options.finalNewline ?? WRITE_DEFAULTS.finalNewline;
  checkBoolean('finalNewline', finalNewline);
  const fieldOrder = options.fieldOrder ?? WRITE_DEFAULTS.fieldOrder;
  checkOneOf('fieldOrder', fieldOrder, ['preserve', 'canonical']);
  const validate = options.validate ?? WRITE_DEFAULTS.validate;
  checkBoolean('validate', validate);
  const rules = parseSampleRules({
    kind: options.kind ?? WRITE_DEFAULTS.kind,
    checkAnswers: options.checkAnswers ?? WRITE_DEFAULTS.checkAnswers,
  });
  return { ...rules, format, indent, escapeNonAscii, jsonlSpacing, finalNewline, fieldOrder, validate };
}

/** The JSON layout of one file format: the JSON array is indented, a JSONL record is one line. */
export function styleFor(format: SampleFileFormat, settings: WriteSettings): JsonStyle {
  const { escapeNonAscii } = settings;
  if (format === 'json') return { indent: settings.indent, itemSeparator: ',', keySeparator: ': ', escapeNonAscii };
  const compact = settings.jsonlSpacing === 'compact';
  return { indent: null, itemSeparator: compact ? ',' : ', ', keySeparator: compact ? ':' : ': ', escapeNonAscii };
}

function checkOneOf(field: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) {
    throw new DataOptionsError(
      field,
      `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeValue(value)}`,
    );
  }
}

function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DataOptionsError(field, `expected an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
}

function checkBoolean(field: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new DataOptionsError(field, `expected a boolean, got ${describeValue(value)}`);
}
