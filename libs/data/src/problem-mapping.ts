import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { ProblemSchema, ProblemType, type Problem } from '@vrft/proto';
import { extractAnswer } from './answer-tags.js';
import { DataOptionsError, ProblemTypeError, SampleValidationError } from './errors.js';
import { PROBLEM_TYPE_NAMES, type ProblemTypeName, type VideoSample } from './sample-format.js';
import { checkRecord } from './sample-rules.js';

const TYPE_BY_NAME: Readonly<Record<ProblemTypeName, ProblemType>> = {
  'multiple choice': ProblemType.MULTIPLE_CHOICE,
  numerical: ProblemType.NUMERICAL,
  OCR: ProblemType.OCR,
  'free-form': ProblemType.FREE_FORM,
  regression: ProblemType.REGRESSION,
};

/** The `ProblemType` enum value of a file's `problem_type` string; throws `ProblemTypeError` for any other string. */
export function toProblemType(name: string): ProblemType {
  if (!(PROBLEM_TYPE_NAMES as readonly string[]).includes(name)) {
    const allowed = PROBLEM_TYPE_NAMES.map((n) => JSON.stringify(n)).join(', ');
    throw new ProblemTypeError(`unknown problem type ${JSON.stringify(name)}: expected one of ${allowed}`);
  }
  return TYPE_BY_NAME[name as ProblemTypeName];
}

/** The file's `problem_type` string of an enum value; throws `ProblemTypeError` for UNSPECIFIED or unknown values. */
export function fromProblemType(type: ProblemType): ProblemTypeName {
  const name = PROBLEM_TYPE_NAMES.find((n) => TYPE_BY_NAME[n] === type);
  if (name === undefined) throw new ProblemTypeError(`problem type ${type} has no name in the sample format`);
  return name;
}

/**
 * The `file://` URI of a sample's media: its `./`-relative path joined to `mediaRoot` (an absolute
 * directory path or a `file:` URL), percent-encoded so names with spaces or `#` survive.
 */
export function resolveMediaUri(samplePath: string, mediaRoot: string | URL): string {
  if (!samplePath.startsWith('./') || samplePath.split('/').includes('..')) {
    throw new SampleValidationError([
      {
        location: '',
        field: 'path',
        message: `expected a "./" path without ".." segments, got ${JSON.stringify(samplePath)}`,
      },
    ]);
  }
  return pathToFileURL(join(mediaRootDirectory(mediaRoot), samplePath)).href;
}

/**
 * Converts a sample to the `Problem` message that travels to actors and the reward service: the
 * answer without its `<answer>` tags, the options, and the media as a `file://` URI under
 * `mediaRoot`. The sample is checked first (`rl` rules, answers not checked); a bad one throws
 * `SampleValidationError`. Image samples also travel as `VideoInput` (a one-frame clip).
 */
export function toProblem(sample: VideoSample, mediaRoot: string | URL): Problem {
  const issues = checkRecord(sample, '', { kind: 'rl', checkAnswers: false });
  if (issues.length > 0) throw new SampleValidationError(issues);
  return create(ProblemSchema, {
    problemId: String(sample.problem_id),
    question: sample.problem,
    problemType: toProblemType(sample.problem_type),
    options: [...(sample.options ?? [])],
    video: { source: { case: 'fileUri', value: resolveMediaUri(sample.path, mediaRoot) } },
    // Validation above guarantees a non-empty <answer> block.
    solution: extractAnswer(sample.solution) ?? '',
    dataSource: sample.data_source,
  });
}

function mediaRootDirectory(mediaRoot: string | URL): string {
  if (mediaRoot instanceof URL || mediaRoot.startsWith('file:')) {
    const url = new URL(mediaRoot);
    if (url.protocol !== 'file:') throw new DataOptionsError('mediaRoot', `expected a file: URL, got ${url.href}`);
    return fileURLToPath(url);
  }
  if (!isAbsolute(mediaRoot)) {
    throw new DataOptionsError('mediaRoot', `expected an absolute directory path, got ${JSON.stringify(mediaRoot)}`);
  }
  return mediaRoot;
}
