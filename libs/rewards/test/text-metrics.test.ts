import { describe, expect, it } from 'vitest';
import { levenshtein, longestCommonSubsequence } from '../src/edit-distance.js';
import { RewardInputError } from '../src/errors.js';
import { meanRelativeAccuracy, relativeError } from '../src/regression.js';
import { rougeScores, wordErrorRate } from '../src/text-metrics.js';
import { splitOcrWords, tokenizeForRouge } from '../src/text-tokens.js';

describe('tokenizers', () => {
  it.each([
    ['Hello,  world!\n', ['Hello,', 'world!']],
    ['東京タワー 333m', ['東', '京', 'タ', 'ワ', 'ー', '333m']],
    ['ab中cd', ['ab', '中', 'cd']],
    ['  ', []],
  ])('OCR words of %j', (text, words) => {
    expect(splitOcrWords(text)).toEqual(words);
  });

  it.each([
    ["It's 3.5 km, isn't it?", ['it', 's', '3', '5', 'km', 'isn', 't', 'it']],
    ['Running horses', ['run', 'hors']],
    ['CAFÉ naïve', ['café', 'naïve']],
    ['I ❤️ NY 👍🏽', ['i', '❤', 'ny', '👍']],
    ['東京で', ['東', '京', 'で']],
  ])('ROUGE tokens of %j', (text, tokens) => {
    expect(tokenizeForRouge(text)).toEqual(tokens);
  });
});

describe('rougeScores', () => {
  it('gives each F-score of a worked example', () => {
    // ref: the cat sat on the mat; cand: the cat on the mat (one deletion).
    // R1: 5 shared; P = 5/5, R = 5/6 → F = 10/11. R2: the-cat, on-the, the-mat shared;
    // P = 3/4, R = 3/5 → F = 2 · (9/20) / (27/20) = 2/3. RL: LCS 5 → 10/11.
    const scores = rougeScores('the cat on the mat', 'the cat sat on the mat');
    expect(scores.rouge1).toBeCloseTo(10 / 11, 12);
    expect(scores.rouge2).toBeCloseTo(2 / 3, 12);
    expect(scores.rougeL).toBeCloseTo(10 / 11, 12);
  });

  it('separates ROUGE-1 from ROUGE-L on reordered words', () => {
    const scores = rougeScores('mat on the cat', 'the cat on the mat');
    // ref 5 tokens, cand 4: R1 overlap mat, on, the, cat = 4; P = 1, R = 4/5 → 8/9.
    // R2: ref bigrams the-cat, cat-on, on-the, the-mat; cand mat-on, on-the, the-cat → 2 shared;
    // P = 2/3, R = 2/4 → F = 4/7. RL: LCS "on the" / "the cat" = 2 → P = 2/4, R = 2/5 → F = 4/9.
    expect(scores.rouge1).toBeCloseTo(8 / 9, 12);
    expect(scores.rouge2).toBeCloseTo(4 / 7, 12);
    expect(scores.rougeL).toBeCloseTo(4 / 9, 12);
  });
});

describe('wordErrorRate', () => {
  it('is edits over reference words and can exceed 1', () => {
    // 1 substitution + 5 insertions over 2 reference words = 3.
    expect(wordErrorRate('a b c d e f', 'hello world')).toBe(3);
    expect(wordErrorRate('', 'hello world')).toBe(1);
  });

  it('rejects an empty reference', () => {
    expect(() => wordErrorRate('x', '  ')).toThrow(RewardInputError);
  });
});

describe('edit distances against the obvious recursive definitions', () => {
  const slowLevenshtein = (a: string, b: string): number => {
    if (a === '') return b.length;
    if (b === '') return a.length;
    const cost = a[0] === b[0] ? 0 : 1;
    return Math.min(
      slowLevenshtein(a.slice(1), b) + 1,
      slowLevenshtein(a, b.slice(1)) + 1,
      slowLevenshtein(a.slice(1), b.slice(1)) + cost,
    );
  };
  const slowLcs = (a: string, b: string): number => {
    if (a === '' || b === '') return 0;
    if (a[0] === b[0]) return 1 + slowLcs(a.slice(1), b.slice(1));
    return Math.max(slowLcs(a.slice(1), b), slowLcs(a, b.slice(1)));
  };

  it('agree on 300 seeded random pairs', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648; // LCG, deterministic
      return seed / 2147483648;
    };
    const word = (): string =>
      Array.from({ length: Math.floor(random() * 7) }, () => 'abc'[Math.floor(random() * 3)] ?? 'a').join('');
    for (let n = 0; n < 300; n++) {
      const a = word();
      const b = word();
      expect(levenshtein([...a], [...b]), `${a} / ${b}`).toBe(slowLevenshtein(a, b));
      expect(longestCommonSubsequence([...a], [...b]), `${a} / ${b}`).toBe(slowLcs(a, b));
    }
  });
});

describe('meanRelativeAccuracy', () => {
  it.each([
    [10, 10, 1], // rel 0 < every 1 − θ
    [12, 10, 0.6], // rel 0.2 < 0.50, 0.45, 0.40, 0.35, 0.30, 0.25 → 6 of 10
    [10.5, 10, 0.9], // rel 0.05 < all but 0.05 → 9 of 10
    [11, 10, 0.8], // rel 0.1: strict, so 0.10 and 0.05 fail → 8 of 10
    [15, 10, 0], // rel 0.5 is not < 0.5
    [20, 10, 0],
    [-12, -10, 0.6], // negative gt: |−12 + 10| / 10 = 0.2, as for 12 vs 10
    [-8, -10, 0.6],
    [0, 0, 1],
    [1, 0, 0],
  ])('pred %d, gt %d → %d', (prediction, groundTruth, expected) => {
    expect(meanRelativeAccuracy(prediction, groundTruth)).toBeCloseTo(expected, 12);
  });

  it('rejects non-finite numbers and a non-positive ε', () => {
    expect(() => relativeError(Number.NaN, 1)).toThrow(/^prediction:/);
    expect(() => relativeError(1, Number.POSITIVE_INFINITY)).toThrow(/^groundTruth:/);
    expect(() => relativeError(1, 1, 0)).toThrow(/^epsilon:/);
  });
});
