/**
 * The Video-R1 / VideoRFT sample record (method.md §3), typed as it appears in the public JSON and
 * JSONL files: field names stay snake_case so a record is the parsed object itself, and fields the
 * format does not know are kept in place (public files carry extras).
 */

/** The answer formats of the method, spelled as in the files. */
export const PROBLEM_TYPE_NAMES = ['multiple choice', 'numerical', 'OCR', 'free-form', 'regression'] as const;

/** One of {@link PROBLEM_TYPE_NAMES}. */
export type ProblemTypeName = (typeof PROBLEM_TYPE_NAMES)[number];

/** The media kinds of the format. */
export const DATA_TYPES = ['video', 'image'] as const;

/** One of {@link DATA_TYPES}. */
export type DataType = (typeof DATA_TYPES)[number];

/** Which file a record comes from: SFT files carry the CoT, evaluation files may carry the benchmark's own category. */
export const SAMPLE_KINDS = ['sft', 'rl', 'eval'] as const;

/** One of {@link SAMPLE_KINDS}. */
export type SampleKind = (typeof SAMPLE_KINDS)[number];

/** The two file layouts: a JSON array of records, or one JSON record per line. */
export const SAMPLE_FILE_FORMATS = ['json', 'jsonl'] as const;

/** One of {@link SAMPLE_FILE_FORMATS}. */
export type SampleFileFormat = (typeof SAMPLE_FILE_FORMATS)[number];

/** One question about one video or image, as stored in the dataset files. */
export interface VideoSample {
  /** Integer in Video-R1's files, sometimes a string elsewhere; kept as found. */
  problem_id: number | string;
  /** The question; VideoRFT's release embeds the options here. */
  problem: string;
  data_type: DataType;
  problem_type: ProblemTypeName;
  /** Options such as `"A. a red cube"`; absent or empty when embedded in `problem`. */
  options?: string[];
  /** The chain of thought, `<think>…</think>`; SFT files only. */
  process?: string;
  /** The reference answer, `<answer>X</answer>`. */
  solution: string;
  /** Media path relative to the media root, starting `./`. */
  path: string;
  /** Which dataset the record came from; may be empty. */
  data_source: string;
  /** The benchmark's own question category (evaluation files). */
  original_question_type?: string;
  /** Fields outside the format, preserved as read and written back where they were. */
  [extraField: string]: unknown;
}

/** A record of an SFT file: the CoT is present. */
export interface SftSample extends VideoSample {
  process: string;
}

/** A record of an evaluation file. */
export type EvalSample = VideoSample;

/** The record type that a given kind yields. */
export type SampleOf<K extends SampleKind> = K extends 'sft' ? SftSample : K extends 'eval' ? EvalSample : VideoSample;

/**
 * Field order of the public files; `fieldOrder: 'canonical'` writes known fields in this order,
 * followed by extra fields in their own order.
 */
export const CANONICAL_FIELD_ORDER = [
  'problem_id',
  'problem',
  'data_type',
  'problem_type',
  'options',
  'process',
  'solution',
  'path',
  'data_source',
  'original_question_type',
] as const;
