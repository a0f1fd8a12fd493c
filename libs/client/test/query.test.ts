import { FinishReason, ProblemType } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import { ClientOptionsError, parseClientOptions, toAnswer, toQueryMessage } from '@vrft/client';

describe('client options', () => {
  it('fills defaults and names a bad field', () => {
    expect(parseClientOptions({ address: '127.0.0.1:50051' })).toMatchObject({
      inlineLimitBytes: 4 * 1024 * 1024,
      uploadChunkBytes: 1024 * 1024,
    });
    expect(() => parseClientOptions({ address: '' })).toThrow(ClientOptionsError);
    expect(() => parseClientOptions({ address: 'h:1', uploadChunkBytes: 0 })).toThrow(/uploadChunkBytes/);
  });
});

describe('messages', () => {
  it('builds the query with the problem type, sampling and frames', () => {
    const query = toQueryMessage(
      {
        question: 'Which colour?',
        problemType: 'multiple choice',
        options: ['A. red', 'B. blue'],
        frames: 4,
        sampling: { temperature: 0.5, seed: 7, maxNewTokens: 32, stop: ['</answer>'] },
      },
      { case: 'uploadId', value: 'abc' },
    );
    expect(query).toMatchObject({
      problemType: ProblemType.MULTIPLE_CHOICE,
      options: ['A. red', 'B. blue'],
      sampling: { temperature: 0.5, seed: 7n, maxNewTokens: 32, stop: ['</answer>'] },
      video: { source: { case: 'uploadId', value: 'abc' }, sampling: { numFrames: 4 } },
    });
    expect(query.sampling).not.toHaveProperty('topP');
    expect(() => toQueryMessage({ question: 'q', problemType: 'poetry' as never }, undefined)).toThrow(/problemType/);
  });

  it('reads the result into an Answer', () => {
    const answer = toAnswer({
      text: '<think>t</think><answer>B</answer>',
      think: 't',
      answer: 'B',
      finishReason: FinishReason.STOP_SEQUENCE,
      usage: { promptTokens: 10, videoTokens: 4, completionTokens: 3 },
    } as never);
    expect(answer).toMatchObject({ answer: 'B', think: 't', finishReason: 'stop', usage: { completionTokens: 3 } });
    expect(answer.tokenIds).toBeUndefined();
  });
});
