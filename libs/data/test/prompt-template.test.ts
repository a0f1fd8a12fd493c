import { create } from '@bufbuild/protobuf';
import { ProblemSchema, ProblemType } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMPT_TEMPLATE,
  DataOptionsError,
  ProblemTypeError,
  buildPrompt,
  readSamples,
  toProblem,
  type PromptProblem,
} from '@vrft/data';
import { fixturePath } from './fixture-paths.js';

const INSTRUCTION = DEFAULT_PROMPT_TEMPLATE.instruction;

function problem(problemType: ProblemType, options: string[] = [], question = 'What happens?'): PromptProblem {
  return create(ProblemSchema, { question, problemType, options });
}

describe('buildPrompt', () => {
  it('asks for reasoning in <think> and the answer in <answer>', () => {
    expect(INSTRUCTION).toMatch(/step by step/);
    expect(INSTRUCTION).toMatch(/<think> and <\/think>/);
    expect(INSTRUCTION).toMatch(/<answer> and <\/answer>/);
  });

  it('appends the options and asks for a letter for multiple choice', () => {
    const prompt = buildPrompt(problem(ProblemType.MULTIPLE_CHOICE, ['A. left', 'B. right'], 'Where does it go?'));
    expect(prompt).toBe(
      [
        'Where does it go?',
        'Options:',
        'A. left',
        'B. right',
        INSTRUCTION,
        'Inside <answer> </answer>, put only the letter of the option you choose, such as A or C.',
      ].join('\n'),
    );
  });

  it('does not repeat options already embedded in the question (VideoRFT style)', async () => {
    const [sample] = await readSamples(fixturePath('rl-samples.jsonl'), { kind: 'rl' });
    if (sample === undefined) throw new Error('fixture is empty');
    const embedded = buildPrompt({ ...toProblem(sample, '/m'), options: ['A. the cup', 'B. the ball'] });
    expect(embedded.match(/A\. the cup/g)).toHaveLength(1);
    expect(embedded.startsWith(sample.problem)).toBe(true);
  });

  it('ends with the hint of each problem type', () => {
    const hints: [ProblemType, RegExp][] = [
      [ProblemType.NUMERICAL, /put only the number, such as 42 or 3\.14\.$/],
      [ProblemType.OCR, /put only the text shown in the video, transcribed as written\.$/],
      [ProblemType.FREE_FORM, /put your answer in plain words\.$/],
      [ProblemType.REGRESSION, /put only your estimate as a number, such as 42 or 3\.14\.$/],
    ];
    for (const [type, hint] of hints) {
      const prompt = buildPrompt(problem(type, ['A. ignored for this type']));
      expect(prompt).toMatch(hint);
      expect(prompt).not.toContain('Options:');
      expect(prompt.split('\n')).toEqual(['What happens?', INSTRUCTION, expect.stringMatching(hint)]);
    }
  });

  it('is deterministic and takes a custom template', () => {
    const p = problem(ProblemType.MULTIPLE_CHOICE, ['A. x', 'B. y']);
    expect(buildPrompt(p)).toBe(buildPrompt(structuredClone(p)));
    const custom = { ...DEFAULT_PROMPT_TEMPLATE, optionsHeader: 'Choices:' };
    expect(buildPrompt(p, custom)).toContain('\nChoices:\nA. x\nB. y\n');
  });

  it('refuses an unspecified problem type and a broken template', () => {
    expect(() => buildPrompt(problem(ProblemType.UNSPECIFIED))).toThrow(ProblemTypeError);
    const broken = { ...DEFAULT_PROMPT_TEMPLATE, answerHints: { ...DEFAULT_PROMPT_TEMPLATE.answerHints, OCR: '' } };
    expect(() => buildPrompt(problem(ProblemType.NUMERICAL), broken)).toThrow(DataOptionsError);
    expect(() => buildPrompt(problem(ProblemType.NUMERICAL), broken)).toThrow(/option "answerHints\["OCR"\]"/);
  });
});
