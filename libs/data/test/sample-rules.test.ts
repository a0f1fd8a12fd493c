import { describe, expect, it } from 'vitest';
import {
  DataOptionsError,
  SampleValidationError,
  formatIssue,
  parseSamples,
  readSamples,
  streamSamples,
  validateSample,
  type SampleIssue,
  type VideoSample,
} from '@vrft/data';
import { fixturePath } from './fixture-paths.js';

const BAD_JSONL = fixturePath('bad-samples.jsonl');

const GOOD: VideoSample = {
  problem_id: 7,
  problem: 'Which ball moves fastest?',
  data_type: 'video',
  problem_type: 'multiple choice',
  options: ['A. red', 'B. green', 'C. blue'],
  process: '<think>The blue ball covers the floor in under a second.</think>',
  solution: '<answer>C</answer>',
  path: './clips/7.mp4',
  data_source: 'vrft-synthetic',
};

/** The issues of one record, as `field: message` strings. */
function issuesOf(record: unknown, kind: 'sft' | 'rl' | 'eval' = 'rl', checkAnswers = true): string[] {
  return validateSample(record, { kind, checkAnswers, location: 'line 3' }).map(formatIssue);
}

async function collectIssues(promise: Promise<unknown>): Promise<readonly SampleIssue[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SampleValidationError);
  return (error as SampleValidationError).issues;
}

describe('reading a file with bad records', () => {
  it('fails on the first one, naming the line, the problem_id and the field', async () => {
    await expect(readSamples(BAD_JSONL, { kind: 'rl' })).rejects.toThrow(
      `${BAD_JSONL}: line 3 (problem_id 42): field "problem_type": expected one of "multiple choice", "numerical", "OCR", "free-form", "regression", got "mcq"`,
    );
  });

  it('collects every issue when asked, still yielding the good records', async () => {
    const good: unknown[] = [];
    const issues = await collectIssues(
      (async () => {
        for await (const sample of streamSamples(BAD_JSONL, { kind: 'rl', errors: 'all' }))
          good.push(sample.problem_id);
      })(),
    );
    expect(good).toEqual([1]);
    expect(issues.map((i) => [i.location, i.problemId, i.field])).toEqual([
      ['line 3', 42, 'problem_type'],
      ['line 4', 43, 'solution'],
      ['line 5', 44, 'path'],
      ['line 6', 45, 'path'],
      ['line 7', undefined, undefined],
      ['line 8', undefined, 'problem_id'],
      ['line 8', undefined, 'data_type'],
    ]);
    const text = issues.map(formatIssue);
    expect(text[1]).toBe('line 4 (problem_id 43): field "solution": expected an <answer>…</answer> block, got "a dog"');
    expect(text[2]).toBe(
      'line 5 (problem_id 44): field "path": ".." segments are not allowed, got "./clips/../../etc/passwd"',
    );
    expect(text[3]).toBe(
      'line 6 (problem_id 45): field "path": expected a relative path starting "./", got "/data/d.mp4"',
    );
    expect(text[4]).toMatch(/^line 7: not valid JSON: /);
    expect(text[5]).toBe('line 8: field "problem_id": is required');
    expect(text[6]).toBe('line 8: field "data_type": expected one of "video", "image", got "audio"');
  });

  it('stops collecting at maxIssues', async () => {
    const issues = await collectIssues(readSamples(BAD_JSONL, { kind: 'rl', errors: 'all', maxIssues: 2 }));
    expect(issues).toHaveLength(2);
  });

  it('names the array index in JSON files', () => {
    const text = JSON.stringify([GOOD, { ...GOOD, problem_id: 8, data_source: 3 }]);
    expect(() => parseSamples(text, { kind: 'rl' })).toThrow(
      'text: index 1 (problem_id 8): field "data_source": expected a string, got 3',
    );
  });

  it('holds SFT files to the CoT rule', () => {
    const rl = JSON.stringify({ ...GOOD, process: undefined });
    expect(() => parseSamples(rl, { kind: 'sft' })).toThrow(
      'text: line 1 (problem_id 7): field "process": is required',
    );
    expect(parseSamples(rl, { kind: 'rl' })).toHaveLength(1);
  });
});

describe('the rules, one by one', () => {
  it('accepts a good record under every kind', () => {
    expect(issuesOf(GOOD, 'sft')).toEqual([]);
    expect(issuesOf(GOOD, 'rl')).toEqual([]);
    expect(issuesOf({ ...GOOD, original_question_type: 'speed' }, 'eval')).toEqual([]);
    expect(issuesOf({ ...GOOD, problem_id: 'q-7', options: undefined, weird: { nested: [1] } }, 'rl')).toEqual([]);
  });

  it('requires a record to be an object', () => {
    expect(issuesOf([GOOD])).toEqual(['line 3: expected a JSON object, got a list']);
    expect(issuesOf('text')).toEqual(['line 3: expected a JSON object, got "text"']);
  });

  it('checks problem_id and problem', () => {
    expect(issuesOf({ ...GOOD, problem_id: 1.5 })).toEqual([
      'line 3: field "problem_id": expected an integer or a non-empty string, got 1.5',
    ]);
    expect(issuesOf({ ...GOOD, problem: ' ' })).toEqual([
      'line 3 (problem_id 7): field "problem": expected a non-empty string, got " "',
    ]);
  });

  it('checks options', () => {
    expect(issuesOf({ ...GOOD, options: 'A. red' })).toEqual([
      'line 3 (problem_id 7): field "options": expected a list of strings, got "A. red"',
    ]);
    expect(issuesOf({ ...GOOD, options: ['A. red', 2] })).toEqual([
      'line 3 (problem_id 7): field "options[1]": expected a non-empty string, got 2',
    ]);
  });

  it('checks the <think> block of process', () => {
    expect(issuesOf({ ...GOOD, process: 'the ball is blue' }, 'sft')).toEqual([
      'line 3 (problem_id 7): field "process": expected a <think>…</think> block, got "the ball is blue"',
    ]);
    expect(issuesOf({ ...GOOD, process: '<think> </think>' }, 'sft')).toEqual([
      'line 3 (problem_id 7): field "process": the <think>…</think> block is empty',
    ]);
    // Outside SFT an empty CoT is tolerated, a malformed one is not.
    expect(issuesOf({ ...GOOD, process: '' }, 'rl')).toEqual([]);
    expect(issuesOf({ ...GOOD, process: 'x' }, 'rl')).toHaveLength(1);
  });

  it('checks the <answer> block of solution', () => {
    expect(issuesOf({ ...GOOD, solution: '<answer>  </answer>' })).toEqual([
      'line 3 (problem_id 7): field "solution": the <answer>…</answer> block is empty',
    ]);
    expect(issuesOf({ ...GOOD, solution: 5 })).toEqual([
      'line 3 (problem_id 7): field "solution": expected a string, got 5',
    ]);
  });

  it('checks answers against the problem type unless told not to', () => {
    expect(issuesOf({ ...GOOD, solution: '<answer>E</answer>' })).toEqual([
      'line 3 (problem_id 7): field "solution": expected one of the option letters A, B, C, got "E"',
    ]);
    expect(issuesOf({ ...GOOD, solution: '<answer>blue</answer>' })).toEqual([
      'line 3 (problem_id 7): field "solution": expected a single option letter, got "blue"',
    ]);
    const numerical = { ...GOOD, problem_type: 'numerical', options: [] };
    expect(issuesOf({ ...numerical, solution: '<answer>1,250.5</answer>' })).toEqual([]);
    expect(issuesOf({ ...numerical, solution: '<answer>about 3</answer>' })).toEqual([
      'line 3 (problem_id 7): field "solution": expected a number for a numerical problem, got "about 3"',
    ]);
    expect(issuesOf({ ...numerical, problem_type: 'regression', solution: '<answer>x</answer>' })).toHaveLength(1);
    expect(issuesOf({ ...numerical, solution: '<answer>about 3</answer>' }, 'rl', false)).toEqual([]);
  });

  it('checks path, data_source and original_question_type', () => {
    expect(issuesOf({ ...GOOD, path: './' })).toHaveLength(1);
    expect(issuesOf({ ...GOOD, path: 'clips/7.mp4' })).toEqual([
      'line 3 (problem_id 7): field "path": expected a relative path starting "./", got "clips/7.mp4"',
    ]);
    expect(issuesOf({ ...GOOD, data_source: undefined })).toEqual([
      'line 3 (problem_id 7): field "data_source": is required',
    ]);
    expect(issuesOf({ ...GOOD, original_question_type: 3 }, 'eval')).toEqual([
      'line 3 (problem_id 7): field "original_question_type": expected a string, got 3',
    ]);
  });

  it('lists every broken field of one record', () => {
    const { problem: _p, ...noProblem } = GOOD;
    expect(issuesOf({ ...noProblem, data_type: 'audio', path: '/x' }).length).toBe(3);
  });

  it('checks its options', () => {
    expect(() => validateSample(GOOD, { kind: 'train' as 'rl' })).toThrow(DataOptionsError);
    expect(() => validateSample(GOOD, { kind: 'train' as 'rl' })).toThrow(
      /option "kind": expected one of "sft", "rl", "eval"/,
    );
    expect(() => parseSamples('', { kind: 'rl', maxIssues: 0 })).toThrow(/option "maxIssues"/);
    expect(() => parseSamples('', { kind: 'rl', errors: 'some' as 'all' })).toThrow(/option "errors"/);
  });
});
