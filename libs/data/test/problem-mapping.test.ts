import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ProblemSchema, ProblemType } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import {
  DataOptionsError,
  PROBLEM_TYPE_NAMES,
  ProblemTypeError,
  SampleValidationError,
  fromProblemType,
  readSamples,
  resolveMediaUri,
  toProblem,
  toProblemType,
} from '@vrft/data';
import { fixturePath } from './fixture-paths.js';

describe('problem type mapping', () => {
  it('maps every name to its enum value and back', () => {
    expect(PROBLEM_TYPE_NAMES.map(toProblemType)).toEqual([
      ProblemType.MULTIPLE_CHOICE,
      ProblemType.NUMERICAL,
      ProblemType.OCR,
      ProblemType.FREE_FORM,
      ProblemType.REGRESSION,
    ]);
    for (const name of PROBLEM_TYPE_NAMES) expect(fromProblemType(toProblemType(name))).toBe(name);
  });

  it('rejects names and values without a counterpart', () => {
    expect(() => toProblemType('mcq')).toThrow(ProblemTypeError);
    expect(() => toProblemType('ocr')).toThrow(/unknown problem type "ocr": expected one of "multiple choice"/);
    expect(() => fromProblemType(ProblemType.UNSPECIFIED)).toThrow(ProblemTypeError);
    expect(() => fromProblemType(99 as ProblemType)).toThrow(/problem type 99/);
  });
});

describe('toProblem', () => {
  it('converts a sample into the Problem contract', async () => {
    const [sample] = await readSamples(fixturePath('sft-samples.json.txt'), { kind: 'sft' });
    if (sample === undefined) throw new Error('fixture is empty');
    const problem = toProblem(sample, '/data/media');
    expect(problem).toEqual(
      create(ProblemSchema, {
        problemId: '1',
        question: 'Which shape crosses the frame from left to right?',
        problemType: ProblemType.MULTIPLE_CHOICE,
        options: ['A. a red cube', 'B. a blue sphere', 'C. a green cone', 'D. nothing moves'],
        video: { source: { case: 'fileUri', value: 'file:///data/media/synthetic/clips/000001.mp4' } },
        solution: 'B',
        dataSource: 'vrft-synthetic',
      }),
    );
    // The message survives the wire.
    expect(fromBinary(ProblemSchema, toBinary(ProblemSchema, problem))).toEqual(problem);
  });

  it('strips the answer tags, keeps string ids and encodes awkward file names', async () => {
    const samples = await readSamples(fixturePath('sft-samples.json.txt'), { kind: 'sft' });
    const image = samples[2];
    if (image === undefined) throw new Error('fixture is short');
    const problem = toProblem(image, new URL('file:///srv/media%20root/'));
    expect(problem.problemId).toBe('img-3');
    expect(problem.solution).toBe('SÜD');
    expect(problem.problemType).toBe(ProblemType.OCR);
    expect(problem.options).toEqual([]);
    expect(problem.video?.source).toEqual({
      case: 'fileUri',
      value: 'file:///srv/media%20root/synthetic/images/caf%C3%A9%20%233.png',
    });
  });

  it('refuses bad samples and a relative media root', async () => {
    const [sample] = await readSamples(fixturePath('rl-samples.jsonl'), { kind: 'rl' });
    if (sample === undefined) throw new Error('fixture is empty');
    expect(() => toProblem({ ...sample, path: './a/../../b.mp4' }, '/data')).toThrow(SampleValidationError);
    expect(() => toProblem({ ...sample, solution: 'C' }, '/data')).toThrow(/field "solution"/);
    expect(() => toProblem(sample, 'media')).toThrow(DataOptionsError);
    expect(() => toProblem(sample, 'https://example.org/media/')).toThrow(DataOptionsError);
    expect(() => resolveMediaUri('../x.mp4', '/data')).toThrow(/field "path"/);
    expect(resolveMediaUri('./x y.mp4', 'file:///data/')).toBe('file:///data/x%20y.mp4');
  });
});
