import { ProblemType, RewardComponent, ZeroReason } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import { scoreAccuracy, scoreAnswer } from '../src/accuracy.js';
import { RewardInputError } from '../src/errors.js';

const wrap = (answer: string): string => `<think>t</think><answer>${answer}</answer>`;

describe('scoreAccuracy: answer extraction', () => {
  it.each([
    ['no tags at all', 'A', ZeroReason.MISSING_TAGS],
    ['unclosed answer', '<think>t</think><answer>A', ZeroReason.MALFORMED_TAGS],
    ['nested answer', '<answer><answer>A</answer></answer>', ZeroReason.MALFORMED_TAGS],
    ['empty answer', wrap('  '), ZeroReason.EMPTY_ANSWER],
  ])('%s scores 0 (%s)', (_name, completion, reason) => {
    const score = scoreAccuracy(ProblemType.MULTIPLE_CHOICE, completion, 'A');
    expect(score).toMatchObject({ component: RewardComponent.ACCURACY, value: 0, zeroReason: reason });
    expect(score.detail).not.toBe('');
  });

  it('reads the first of repeated answer blocks', () => {
    expect(scoreAccuracy(ProblemType.MULTIPLE_CHOICE, '<answer>A</answer><answer>B</answer>', 'A').value).toBe(1);
    expect(scoreAccuracy(ProblemType.MULTIPLE_CHOICE, '<answer>B</answer><answer>A</answer>', 'A').value).toBe(0);
  });

  it('ignores text outside the tags and accepts a tagged solution', () => {
    expect(
      scoreAccuracy(ProblemType.MULTIPLE_CHOICE, 'So: <answer> C </answer> (final)', '<answer>C</answer>').value,
    ).toBe(1);
  });
});

describe('multiple choice', () => {
  it.each([
    ['B', 'B', 1],
    [' B ', 'B', 1],
    ['b', 'B', 0], // exact match, case included
    ['B.', 'B', 0],
    ['B. a red cube', 'B', 0],
  ])('%j vs %j → %d', (answer, solution, value) => {
    const score = scoreAnswer(ProblemType.MULTIPLE_CHOICE, answer, solution);
    expect(score.value).toBe(value);
    expect(score.zeroReason).toBe(value === 1 ? ZeroReason.UNSPECIFIED : ZeroReason.WRONG_ANSWER);
  });
});

describe('numerical', () => {
  it.each([
    ['42', '42', 1, ZeroReason.UNSPECIFIED],
    ['3.14', '3.14', 1, ZeroReason.UNSPECIFIED],
    ['3.141', '3.14', 1, ZeroReason.UNSPECIFIED], // both round to 3.14
    ['3.149', '3.14', 0, ZeroReason.WRONG_ANSWER], // 3.15 ≠ 3.14
    ['3.00', '3.0', 1, ZeroReason.UNSPECIFIED],
    ['3', '3.0', 0, ZeroReason.WRONG_ANSWER], // only the solution has a '.'
    ['3.0', '3', 0, ZeroReason.WRONG_ANSWER], // only the answer has a '.'
    ['1,000', '1000', 0, ZeroReason.WRONG_ANSWER], // only the answer has a ','
    ['1000', '1,000', 0, ZeroReason.WRONG_ANSWER],
    ['1,000', '1,000', 1, ZeroReason.UNSPECIFIED],
    ['1,000', '1000.0', 1, ZeroReason.UNSPECIFIED], // both have a separator; 1000 = 1000
    ['1,5', '1.5', 0, ZeroReason.WRONG_ANSWER], // commas are thousands separators: 15 ≠ 1.5
    ['-2.5', '-2.50', 1, ZeroReason.UNSPECIFIED],
    ['+7', '7', 1, ZeroReason.UNSPECIFIED],
    ['1e3', '1000', 1, ZeroReason.UNSPECIFIED],
    ['0.004', '0.001', 1, ZeroReason.UNSPECIFIED], // 0.00 = 0.00 at 2 decimals
    ['seven', '7', 0, ZeroReason.UNPARSABLE_NUMBER],
    ['7 apples', '7', 0, ZeroReason.UNPARSABLE_NUMBER],
    ['Infinity', '7', 0, ZeroReason.UNPARSABLE_NUMBER],
    ['1e999', '7', 0, ZeroReason.UNPARSABLE_NUMBER],
  ])('%j vs %j → %d', (answer, solution, value, reason) => {
    const score = scoreAnswer(ProblemType.NUMERICAL, answer, solution);
    expect(score.value).toBe(value);
    expect(score.zeroReason).toBe(reason);
  });

  it('rejects a solution that is not a number', () => {
    expect(() => scoreAnswer(ProblemType.NUMERICAL, '3', 'three')).toThrow(RewardInputError);
    expect(() => scoreAnswer(ProblemType.NUMERICAL, '3', 'three')).toThrow(/^solution: "three" is not a number/);
  });
});

describe('OCR: 1 − WER', () => {
  it.each([
    // identical: 0 edits → 1
    ['the quick brown fox', 'the quick brown fox', 1],
    // 1 substitution (quik) + 1 insertion (jumps) over 4 reference words: WER 2/4 → 0.5
    ['the quik brown fox jumps', 'the quick brown fox', 0.5],
    // 1 deletion over 4: WER 1/4 → 0.75
    ['the brown fox', 'the quick brown fox', 0.75],
    // case and punctuation count: "The" ≠ "the", "fox." ≠ "fox": 2/4 → 0.5
    ['The quick brown fox.', 'the quick brown fox', 0.5],
    // 1 substitution + 5 insertions over 2 words: WER 3 → clipped to 0
    ['a b c d e f', 'hello world', 0],
    // accents: NFC makes the decomposed é equal to the composed one → 1
    ['cafe\u0301 crème', 'café crème', 1],
    // a missing accent is a substitution: 1/2 → 0.5
    ['cafe crème', 'café crème', 0.5],
    // CJK characters are words: 你好世界 has 4, one deleted → 0.75
    ['你好世', '你好世界', 0.75],
    // mixed: "价格" "100元" → 价, 格, 100, 元 (4 words); 100 → 200 is 1 substitution → 0.75
    ['价格 200元', '价格 100元', 0.75],
    // emoji are whitespace-separated words: "I" "❤️" "NY", one deleted → 2/3
    ['I NY', 'I ❤️ NY', 2 / 3],
  ])('%j vs %j → %f', (answer, solution, value) => {
    const score = scoreAnswer(ProblemType.OCR, answer, solution);
    expect(score.value).toBeCloseTo(value, 12);
    expect(score.zeroReason).toBe(value === 0 ? ZeroReason.WRONG_ANSWER : ZeroReason.UNSPECIFIED);
  });
});

describe('free-form: mean of ROUGE-1/2/L F-scores', () => {
  it.each([
    // Identical → every F = 1.
    ['a man rides a horse', 'a man rides a horse', 1],
    // ref: the cat sat on the mat (6 tokens, 5 bigrams); cand: the cat lay on the mat.
    // R1: overlap the×2, cat, on, mat = 5 → P = R = 5/6 → F = 5/6.
    // R2: overlap the-cat, on-the, the-mat = 3 of 5 each → F = 3/5.
    // RL: LCS the cat on the mat = 5 → F = 5/6.  Mean = (5/6 + 3/5 + 5/6) / 3 = 34/45.
    ['the cat lay on the mat', 'the cat sat on the mat', 34 / 45],
    // Stemming: ref the/dogs→dog/are/running→run, cand dog/runs→run.
    // R1: overlap dog, run = 2; P = 2/2, R = 2/4 → F = 2/3. R2: no shared bigram → 0.
    // RL: LCS dog run = 2 → F = 2/3. Mean = (2/3 + 0 + 2/3) / 3 = 4/9.
    ['Dog runs!', 'The dogs are running', 4 / 9],
    // A single matching token has no bigram: R1 = RL = 1, R2 = 0 → 2/3.
    ['Paris', 'paris', 2 / 3],
    // Accents kept, not deleted: ref le café est très bon (5), cand le café est bon (4).
    // R1: 4 shared; P = 1, R = 4/5 → F = 8/9. R2: le-café, café-est shared; P = 2/3, R = 2/4 → F = 4/7.
    // RL: LCS 4 → 8/9. Mean = (8/9 + 4/7 + 8/9) / 3 = 148/189.
    ['Le café est bon', 'le café est très bon', 148 / 189],
    // CJK characters are tokens: ref 猫在垫子上 (5), cand 猫在床上 (4).
    // R1: 猫 在 上 = 3; P = 3/4, R = 3/5 → F = 2/3. R2: 猫在 shared; P = 1/3, R = 1/4 → F = 2/7.
    // RL: LCS 猫在上 = 3 → 2/3. Mean = (2/3 + 2/7 + 2/3) / 3 = 34/63.
    ['猫在床上', '猫在垫子上', 34 / 63],
    // Emoji are tokens: ref 🐱 on mat (3), cand 🐶 on mat (3).
    // R1: on, mat = 2 of 3 → 2/3. R2: on-mat 1 of 2 → 1/2. RL: 2 → 2/3. Mean = (2/3 + 1/2 + 2/3) / 3 = 11/18.
    ['🐶 on mat', '🐱 on mat', 11 / 18],
  ])('%j vs %j → %f', (answer, solution, value) => {
    expect(scoreAnswer(ProblemType.FREE_FORM, answer, solution).value).toBeCloseTo(value, 12);
  });

  it('scores no overlap as a wrong answer and punctuation only as empty', () => {
    expect(scoreAnswer(ProblemType.FREE_FORM, 'blue sky', 'red cube')).toMatchObject({
      value: 0,
      zeroReason: ZeroReason.WRONG_ANSWER,
    });
    expect(scoreAnswer(ProblemType.FREE_FORM, '?!…', 'red cube')).toMatchObject({
      value: 0,
      zeroReason: ZeroReason.EMPTY_ANSWER,
    });
  });

  it('rejects a solution without word tokens', () => {
    expect(() => scoreAnswer(ProblemType.FREE_FORM, 'x', '...')).toThrow(/^solution: "..." has no word tokens/);
  });
});

describe('regression: 1 − min(1, |pred − gt| / max(|gt|, ε))', () => {
  it.each([
    ['10', '10', 1],
    ['8', '10', 0.8], // |8 − 10| / 10 = 0.2
    ['12.5', '10', 0.75], // 2.5 / 10
    ['25', '10', 0], // 15 / 10 = 1.5 → clipped to 1
    ['-5', '-4', 0.75], // negative gt: |−5 + 4| / 4 = 0.25
    ['4', '-4', 0], // 8 / 4 = 2 → 1
    ['0', '0', 1], // zero gt, exact answer: 0 / ε = 0
    ['0.5', '0', 0], // zero gt, any miss: 0.5 / 1e-9 → 1
    ['1,200', '1000', 0.8], // commas stripped: 200 / 1000
  ])('%j vs %j → %f', (answer, solution, value) => {
    const score = scoreAnswer(ProblemType.REGRESSION, answer, solution);
    expect(score.value).toBeCloseTo(value, 12);
    expect(score.zeroReason).toBe(value === 0 ? ZeroReason.WRONG_ANSWER : ZeroReason.UNSPECIFIED);
  });

  it('scores an unparsable answer 0 and takes ε from the options', () => {
    expect(scoreAnswer(ProblemType.REGRESSION, 'about 3', '3').zeroReason).toBe(ZeroReason.UNPARSABLE_NUMBER);
    // With ε = 1 a miss of 0.5 on gt = 0 is a relative error of 0.5 / max(0, 1) → 0.5.
    expect(scoreAnswer(ProblemType.REGRESSION, '0.5', '0', { regressionEpsilon: 1 }).value).toBeCloseTo(0.5, 12);
  });
});

describe('bad solutions and problem types', () => {
  it.each([
    [ProblemType.MULTIPLE_CHOICE, '', 'solution'],
    [ProblemType.MULTIPLE_CHOICE, '<answer>  </answer>', 'solution'],
    [ProblemType.REGRESSION, 'n/a', 'solution'],
    [ProblemType.UNSPECIFIED, 'A', 'problemType'],
    [99 as ProblemType, 'A', 'problemType'],
  ])('type %d with solution %j names %s', (type, solution, field) => {
    try {
      scoreAnswer(type, 'A', solution);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(RewardInputError);
      expect((error as RewardInputError).field).toBe(field);
    }
  });
});
