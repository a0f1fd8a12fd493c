import { describe, expect, it } from 'vitest';
import { SampleValidationError, questionCategory, readSamples, sampleFromEvalRecord } from '@vrft/data';
import { fixturePath } from './fixture-paths.js';

const EVAL_JSON = fixturePath('eval-samples.json.txt');

describe('evaluation records', () => {
  it('reads an evaluation file and keeps original_question_type', async () => {
    const samples = await readSamples(EVAL_JSON, { kind: 'eval' });
    expect(samples.map((s) => s.original_question_type)).toEqual(['object_counting', 'camera_motion']);
    expect(samples.map(questionCategory)).toEqual(['object_counting', 'camera_motion']);
  });

  it('takes one parsed record with original_question_type', () => {
    const record: unknown = JSON.parse(
      '{"problem_id": 9, "problem": "Is the door open?", "data_type": "video", "problem_type": "free-form",' +
        ' "solution": "<answer>yes</answer>", "path": "./e/9.mp4", "data_source": "bench", "original_question_type": "state"}',
    );
    const sample = sampleFromEvalRecord(record);
    expect(sample.original_question_type).toBe('state');
    expect(questionCategory(sample)).toBe('state');
    expect(questionCategory({ ...sample, original_question_type: undefined })).toBe('free-form');
  });

  it('lists every issue of a bad record with its location', () => {
    const record = {
      problem_id: 3,
      problem: 'x',
      data_type: 'video',
      problem_type: 'numerical',
      solution: '<answer>n/a</answer>',
      path: 'e.mp4',
      data_source: 'b',
      original_question_type: ['a'],
    };
    let error: unknown;
    try {
      sampleFromEvalRecord(record, { location: 'index 3' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SampleValidationError);
    expect((error as SampleValidationError).issues.map((i) => i.field)).toEqual([
      'solution',
      'path',
      'original_question_type',
    ]);
    expect((error as Error).message).toContain('index 3 (problem_id 3): field "path"');
    const fixed = { ...record, path: './e.mp4', original_question_type: 'c' };
    expect(() => sampleFromEvalRecord(fixed)).toThrow(/field "solution": expected a number/);
    expect(sampleFromEvalRecord(fixed, { checkAnswers: false }).path).toBe('./e.mp4');
  });
});
