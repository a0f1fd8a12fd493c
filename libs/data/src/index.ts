/**
 * Dataset formats of the method (Video-R1 / VideoRFT JSON and JSONL samples), their conversion to
 * the `Problem` contract, and the prompt template.
 */
export {
  CANONICAL_FIELD_ORDER,
  DATA_TYPES,
  PROBLEM_TYPE_NAMES,
  SAMPLE_FILE_FORMATS,
  SAMPLE_KINDS,
  type DataType,
  type EvalSample,
  type ProblemTypeName,
  type SampleFileFormat,
  type SampleKind,
  type SampleOf,
  type SftSample,
  type VideoSample,
} from './sample-format.js';
export {
  DataOptionsError,
  ProblemTypeError,
  SampleFormatError,
  SampleValidationError,
  formatIssue,
  type SampleIssue,
} from './errors.js';
export { extractAnswer, extractThink } from './answer-tags.js';
export { isValidSample, validateSample, type ValidateSampleOptions } from './sample-rules.js';
export { READ_DEFAULTS, WRITE_DEFAULTS, type ReadSamplesOptions, type WriteSamplesOptions } from './sample-options.js';
export { formatSamples, parseSamples } from './sample-text.js';
export { readSamples, streamSamples, writeSamples, type SampleSource } from './sample-files.js';
export { fromProblemType, resolveMediaUri, toProblem, toProblemType } from './problem-mapping.js';
export { DEFAULT_PROMPT_TEMPLATE, buildPrompt, type PromptProblem, type PromptTemplate } from './prompt-template.js';
export { questionCategory, sampleFromEvalRecord, type EvalRecordOptions } from './eval-sample.js';
