import { SampleFormatError, SampleValidationError, type SampleIssue } from './errors.js';
import { JsonValueError, formatJsonValue } from './json-style.js';
import {
  CANONICAL_FIELD_ORDER,
  type SampleFileFormat,
  type SampleKind,
  type SampleOf,
  type VideoSample,
} from './sample-format.js';
import {
  parseReadOptions,
  parseWriteOptions,
  styleFor,
  type ReadSamplesOptions,
  type ReadSettings,
  type WriteSamplesOptions,
  type WriteSettings,
} from './sample-options.js';
import { checkRecord } from './sample-rules.js';

/**
 * Parses a whole JSON or JSONL text into validated samples (no I/O; the file readers share the
 * per-record logic). JSONL blank lines are skipped but counted, so line numbers match an editor's.
 */
export function parseSamples<K extends SampleKind>(text: string, options: ReadSamplesOptions<K>): SampleOf<K>[] {
  const settings = parseReadOptions(options);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const format = settings.format === 'auto' ? detectFormat(body, 'text') : settings.format;
  const collector = new RecordCollector(settings, 'text');
  const samples: VideoSample[] = [];
  if (format === 'json') {
    parseJsonArray(body, 'text').forEach((record, i) => pushIfValid(samples, collector.accept(record, `index ${i}`)));
  } else {
    body.split('\n').forEach((line, i) => pushIfValid(samples, collector.acceptLine(line, i + 1)));
  }
  collector.finish();
  return samples as SampleOf<K>[];
}

/**
 * Formats samples as the text of a JSON or JSONL file, exactly as `writeSamples` writes it.
 * `format` must be given (`'auto'` needs a file name).
 */
export function formatSamples(samples: Iterable<VideoSample>, options: WriteSamplesOptions): string {
  const settings = parseWriteOptions(options);
  if (settings.format === 'auto') {
    throw new SampleFormatError('formatSamples needs format "json" or "jsonl": there is no file name to tell');
  }
  const renderer = new SampleRenderer(settings.format, settings);
  const parts: string[] = [];
  for (const sample of samples) parts.push(renderer.record(sample));
  parts.push(renderer.end());
  return parts.join('');
}

/** Tells JSON from JSONL by the first non-blank character: `[` opens an array, `{` a record. */
export function detectFormat(text: string, source: string): SampleFileFormat {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined || first === '{') return 'jsonl';
  if (first === '[') return 'json';
  throw new SampleFormatError(
    `${source}: cannot tell JSON from JSONL (first character ${JSON.stringify(first)}); set the "format" option`,
  );
}

/** Parses the text of a JSON file: it must be an array (of records, checked one by one later). */
export function parseJsonArray(text: string, source: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SampleFormatError(`${source}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (!Array.isArray(value)) throw new SampleFormatError(`${source}: expected a JSON array of records`);
  return value;
}

function pushIfValid(samples: VideoSample[], sample: VideoSample | undefined): void {
  if (sample !== undefined) samples.push(sample);
}

/**
 * Checks records one at a time and applies the error policy: fail on the first issue, or collect
 * up to `maxIssues` and fail at the end.
 */
export class RecordCollector {
  private readonly issues: SampleIssue[] = [];

  constructor(
    private readonly settings: ReadSettings,
    private readonly source: string,
  ) {}

  /** The record as a sample when it is valid, otherwise `undefined` (or a throw, by policy). */
  accept(record: unknown, location: string): VideoSample | undefined {
    const found = checkRecord(record, location, this.settings);
    if (found.length === 0) return record as VideoSample;
    this.report(found);
    return undefined;
  }

  /** Parses and checks one JSONL line (1-based number); a blank line yields nothing. */
  acceptLine(line: string, lineNumber: number): VideoSample | undefined {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return undefined;
    const location = `line ${lineNumber}`;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (cause) {
      this.report([{ location, message: `not valid JSON: ${(cause as Error).message}` }]);
      return undefined;
    }
    return this.accept(record, location);
  }

  /** Throws the collected issues, if any; call once the input is exhausted. */
  finish(): void {
    if (this.issues.length > 0) throw new SampleValidationError(this.issues, this.source);
  }

  private report(found: readonly SampleIssue[]): void {
    if (this.settings.errors === 'first') throw new SampleValidationError(found.slice(0, 1), this.source);
    this.issues.push(...found);
    if (this.issues.length >= this.settings.maxIssues) {
      throw new SampleValidationError(this.issues.slice(0, this.settings.maxIssues), this.source);
    }
  }
}

/**
 * Turns samples into file text piece by piece, so a writer can stream: `record` for each sample,
 * then `end` once. JSON comes out as Python's `json.dump(records, indent=N)` lays it out.
 */
export class SampleRenderer {
  private count = 0;
  private readonly inner: string;

  constructor(
    private readonly format: SampleFileFormat,
    private readonly settings: WriteSettings,
  ) {
    this.inner = '\n' + ' '.repeat(settings.indent);
  }

  /** The text of one record, with what separates it from the previous one. */
  record(sample: VideoSample): string {
    const location = `index ${this.count}`;
    if (this.settings.validate) {
      const found = checkRecord(sample, location, this.settings);
      if (found.length > 0) throw new SampleValidationError(found);
    }
    const ordered = this.settings.fieldOrder === 'canonical' ? orderCanonically(sample) : sample;
    let text: string;
    try {
      text = formatJsonValue(ordered, styleFor(this.format, this.settings), this.format === 'json' ? 1 : 0);
    } catch (cause) {
      if (!(cause instanceof JsonValueError)) throw cause;
      throw new SampleValidationError([{ location, problemId: sample.problem_id, message: cause.message }], undefined, {
        cause,
      });
    }
    const first = this.count === 0;
    this.count += 1;
    if (this.format === 'jsonl') return text + '\n';
    return (first ? '[' : ',') + this.inner + text;
  }

  /** What closes the file. */
  end(): string {
    if (this.format === 'jsonl') return '';
    const close = this.count === 0 ? '[]' : '\n]';
    return this.settings.finalNewline ? close + '\n' : close;
  }
}

function orderCanonically(sample: VideoSample): VideoSample {
  const ordered: Record<string, unknown> = {};
  for (const field of CANONICAL_FIELD_ORDER) if (field in sample) ordered[field] = sample[field];
  for (const [field, value] of Object.entries(sample)) if (!(field in ordered)) ordered[field] = value;
  return ordered as VideoSample;
}
