import { RewardComponent, ZeroReason } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import { RewardInputError } from '../src/errors.js';
import { checkFormat, extractAnswer, extractSolution, extractThink, matchesFormat } from '../src/tags.js';

// The method's pattern, applied literally (full match, dot matches newlines).
const FORMAT_REGEX = /^<think>.*?<\/think>\s*<answer>.*?<\/answer>$/s;

describe('checkFormat (R_f)', () => {
  it.each([
    ['<think>look</think><answer>A</answer>', 1, ZeroReason.UNSPECIFIED],
    ['<think>multi\nline\n</think>\n\n<answer>\nA\n</answer>', 1, ZeroReason.UNSPECIFIED],
    ['<think></think><answer></answer>', 1, ZeroReason.UNSPECIFIED],
    // The lazy groups may expand: a second answer block still matches the pattern.
    ['<think>x</think><answer>A</answer><answer>B</answer>', 1, ZeroReason.UNSPECIFIED],
    // `</think>` inside the think text: the first </think>\s*<answer> decides.
    ['<think>a</think> b</think><answer>C</answer>', 1, ZeroReason.UNSPECIFIED],
    ['<think>a</think>b<answer>C</answer>', 0, ZeroReason.MALFORMED_TAGS],
    ['Sure! <think>x</think><answer>A</answer>', 0, ZeroReason.MALFORMED_TAGS],
    ['<think>x</think><answer>A</answer> done', 0, ZeroReason.MALFORMED_TAGS],
    ['<think>x</think><answer>A</answer>\n', 0, ZeroReason.MALFORMED_TAGS],
    ['<answer>A</answer><think>x</think>', 0, ZeroReason.MALFORMED_TAGS],
    ['<think>x</think>', 0, ZeroReason.MISSING_TAGS],
    ['just A', 0, ZeroReason.MISSING_TAGS],
    ['<think>x<answer>A</answer>', 0, ZeroReason.MISSING_TAGS],
  ])('%j → %d', (completion, value, reason) => {
    const score = checkFormat(completion);
    expect(score.component).toBe(RewardComponent.FORMAT);
    expect(score.value).toBe(value);
    expect(score.zeroReason).toBe(reason);
    expect(score.detail === '').toBe(value === 1);
  });

  it('names the missing tags', () => {
    expect(checkFormat('<think>x</think>').detail).toBe('missing <answer>, </answer>');
  });

  // Slow obvious version (the backtracking regex) against the linear decision.
  it.each([
    '<think>a</think><answer>b</answer>',
    '<think></think>  <answer></answer>',
    '<think>a</think><answer>',
    '<think></think><answer>/answer>',
    '<think></think><answer></answer></answer>',
    '<think></think></think><answer>x</answer>',
    '<think>a</think>\t<answer>b</answer></think> <answer>c</answer>',
    '<think><answer></think><answer></answer>',
    '<think></answer></think><answer>',
    '<think>',
    '',
    '<think>a</think>x<answer>b</answer></think><answer>c</answer>',
  ])('agrees with the literal regex on %j', (completion) => {
    expect(matchesFormat(completion)).toBe(FORMAT_REGEX.test(completion));
  });

  it('agrees with the literal regex on 2000 seeded random tag soups', () => {
    const pieces = [
      '<think>',
      '</think>',
      '<answer>',
      '</answer>',
      ' ',
      '\n',
      'a',
      '<',
      '/',
      'answer>',
      '</think> <answer>',
    ];
    let seed = 12345;
    // mulberry32: a tiny seeded generator, so a failure reproduces.
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let matches = 0;
    for (let n = 0; n < 2000; n++) {
      const length = Math.floor(random() * 8);
      let text = random() < 0.7 ? '<think>' : '';
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)] ?? '';
      if (random() < 0.7) text += '</answer>';
      expect(matchesFormat(text), text).toBe(FORMAT_REGEX.test(text));
      if (FORMAT_REGEX.test(text)) matches++;
    }
    expect(matches).toBeGreaterThan(100); // the soup does exercise the matching side
  });
});

describe('extractAnswer / extractThink', () => {
  it.each([
    ['<think>t</think><answer> B </answer>', 'B'],
    ['<answer>A</answer><answer>B</answer>', 'A'], // repeated: the first block
    ['prefix <answer>\n42\n</answer> suffix', '42'], // text outside the tags is ignored
    ['<answer></answer>', ''],
    ['<answer><answer>B</answer></answer>', undefined], // nested: malformed
    ['<answer>B', undefined], // never closed
    ['no tags', undefined],
    ['</answer>A<answer>C</answer>', 'C'],
  ])('answer of %j is %j', (completion, expected) => {
    expect(extractAnswer(completion)).toBe(expected);
  });

  it.each([
    ['<think> look. </think><answer>A</answer>', ' look. '],
    ['<think></think>', ''],
    ['<think>a<think>b</think>', undefined],
    ['<answer>A</answer>', undefined],
  ])('think of %j is %j', (completion, expected) => {
    expect(extractThink(completion)).toBe(expected);
  });
});

describe('extractSolution', () => {
  it.each([
    ['<answer>C</answer>', 'C'],
    ['  3.5 ', '3.5'],
    ['<answer> the red cube </answer>', 'the red cube'],
  ])('%j → %j', (solution, expected) => {
    expect(extractSolution(solution)).toBe(expected);
  });

  it.each(['<answer>C', 'C</answer>', '<answer><answer>C</answer></answer>'])('rejects malformed %j', (solution) => {
    expect(() => extractSolution(solution)).toThrow(RewardInputError);
    expect(() => extractSolution(solution)).toThrow(/^solution: malformed <answer> tags/);
  });
});
