import { describe, expect, it } from 'vitest';
import { BYTE_LEVEL_ALPHABET, byteOfChar, textToByteLevel } from '../src/byte-level.js';
import { learnMerges, type LearnMergesOptions } from '../src/bpe-trainer.js';
import { DEFAULT_SPECIAL_TOKENS, SPECIAL_TOKENS, TokenizerOptionsError, trainBpe } from '../src/index.js';
import { createCorpus, createRandom, randomInt } from './random-text.js';

/** The slow obvious trainer: recount every pair after every merge. */
function learnMergesNaive(words: ReadonlyMap<string, number>, options: LearnMergesOptions) {
  const tokens = [...options.specialTokens, ...BYTE_LEVEL_ALPHABET];
  const base = options.specialTokens.length;
  const entries = [...words].map(([word, count]) => ({
    symbols: Array.from(word, (c) => base + byteOfChar(c.charCodeAt(0))),
    count,
  }));
  const merges: [string, string][] = [];
  const banned = new Set<string>();
  while (tokens.length < options.vocabSize) {
    const counts = new Map<string, number>();
    for (const { symbols, count } of entries) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]},${symbols[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + count);
      }
    }
    let best: [number, number] | undefined;
    let bestCount = 0;
    for (const [key, count] of counts) {
      if (banned.has(key)) continue;
      const [l, r] = key.split(',').map(Number) as [number, number];
      if (count > bestCount || (count === bestCount && best && (l < best[0] || (l === best[0] && r < best[1])))) {
        best = [l, r];
        bestCount = count;
      }
    }
    if (!best || bestCount < options.minFrequency) break;
    const [left, right] = best;
    const text = (tokens[left] as string) + (tokens[right] as string);
    if (options.specialTokens.includes(text)) {
      banned.add(`${left},${right}`);
      continue;
    }
    let merged = tokens.indexOf(text);
    if (merged < 0) merged = tokens.push(text) - 1;
    merges.push([tokens[left] as string, tokens[right] as string]);
    for (const entry of entries) {
      const out: number[] = [];
      for (let i = 0; i < entry.symbols.length; i++) {
        if (entry.symbols[i] === left && entry.symbols[i + 1] === right) {
          out.push(merged);
          i++;
        } else out.push(entry.symbols[i] as number);
      }
      entry.symbols = out;
    }
  }
  return { tokens, merges };
}

function countWords(pieces: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const piece of pieces) counts.set(textToByteLevel(piece), (counts.get(textToByteLevel(piece)) ?? 0) + 1);
  return counts;
}

describe('learnMerges', () => {
  it('matches the recount-per-merge trainer on random word counts', () => {
    const random = createRandom(3);
    for (let trial = 0; trial < 25; trial++) {
      const pieces = Array.from({ length: randomInt(random, 1, 60) }, () =>
        Array.from({ length: randomInt(random, 1, 9) }, () => 'abcab'[randomInt(random, 0, 4)]).join(''),
      );
      const options = {
        vocabSize: 256 + 2 + randomInt(random, 0, 30),
        minFrequency: randomInt(random, 1, 3),
        specialTokens: ['<s>', 'ab'],
      };
      expect(learnMerges(countWords(pieces), options)).toEqual(learnMergesNaive(countWords(pieces), options));
    }
  });

  it('never learns a token equal to a special token', () => {
    const learned = learnMerges(countWords(['ab', 'ab', 'ab', 'abc', 'abc']), {
      vocabSize: 300,
      minFrequency: 1,
      specialTokens: ['ab'],
    });
    expect(learned.tokens.filter((token) => token === 'ab')).toHaveLength(1);
    // "a b" is the most frequent pair but would spell the special "ab"; "b c" then "a bc" win instead.
    expect(learned.merges).toEqual([
      ['b', 'c'],
      ['a', 'bc'],
    ]);
  });

  it('picks the most frequent pair and breaks ties by the smaller ids', () => {
    // "xy" ×3 beats "ab" ×2; then "ab" and "cd" tie at 2 and "ab" has the smaller left id.
    const learned = learnMerges(countWords(['xy', 'xy', 'xy', 'cd', 'cd', 'ab', 'ab']), {
      vocabSize: 256 + 3,
      minFrequency: 1,
      specialTokens: [],
    });
    expect(learned.merges).toEqual([
      ['x', 'y'],
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(learned.tokens.slice(256)).toEqual(['xy', 'ab', 'cd']);
  });
});

describe('trainBpe', () => {
  const corpus = createCorpus(1, 400);

  it('is deterministic: two runs give byte-identical tokenizer.json', () => {
    const first = trainBpe(corpus, { vocabSize: 600 }).toJSONString();
    const second = trainBpe(createCorpus(1, 400), { vocabSize: 600 }).toJSONString();
    expect(second).toBe(first);
    expect(trainBpe(createCorpus(2, 400), { vocabSize: 600 }).toJSONString()).not.toBe(first);
  });

  it('lays out ids: specials first, then the 256 bytes, then merges up to vocabSize', () => {
    const tokenizer = trainBpe(corpus, { vocabSize: 400 });
    expect(tokenizer.vocabSize).toBe(400);
    DEFAULT_SPECIAL_TOKENS.forEach((token, id) => expect(tokenizer.tokenToId(token)).toBe(id));
    expect(tokenizer.specialIds).toEqual({
      pad: 0,
      bos: 1,
      eos: 2,
      video: 3,
      thinkStart: 4,
      thinkEnd: 5,
      answerStart: 6,
      answerEnd: 7,
    });
    expect(tokenizer.tokenToId('Ġ')).toBe(8 + 0x20);
    expect(tokenizer.idToToken(8 + 0x41)).toBe('A');
    expect(tokenizer.toJSON().model.merges).toHaveLength(400 - 8 - 256);
  });

  it('learns frequent words as single tokens and never learns the special tokens from text', () => {
    const tokenizer = trainBpe(corpus, { vocabSize: 800 });
    expect(tokenizer.encode(' reasoning')).toHaveLength(1);
    // "<" and "think" occur only inside <think>/</think>, which are cut out before counting.
    const learned = Object.keys(tokenizer.toJSON().model.vocab).slice(264);
    expect(learned.length).toBeGreaterThan(100);
    for (const token of learned) expect(token).not.toMatch(/think|</);
  });

  it('stops early when no pair reaches minFrequency', () => {
    // Pairs: a b ×3, Ġ a ×2, Ġ c ×1, c d ×1 → "a b", then Ġ ab ×2, then nothing reaches 2.
    const tokenizer = trainBpe(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 2 });
    expect(tokenizer.toJSON().model.merges).toEqual(['a b', 'Ġ ab']);
    expect(tokenizer.vocabSize).toBe(8 + 256 + 2);
  });

  it('rejects bad options naming the option', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ vocabSize: 100 }, 'vocabSize'],
      [{ vocabSize: 1000.5 }, 'vocabSize'],
      [{ minFrequency: 0 }, 'minFrequency'],
      [{ specialTokens: ['<a>', '<a>'] }, 'specialTokens[1]'],
      [{ specialTokens: [''] }, 'specialTokens[0]'],
      [{ specialTokens: ['<s>', 'a'] }, 'specialTokens[1]'],
      [{ cacheSize: -1 }, 'cacheSize'],
      [{ vocabsize: 1000 }, 'vocabsize'],
    ];
    for (const [options, field] of cases) {
      expect(() => trainBpe(corpus, options)).toThrow(TokenizerOptionsError);
      expect(() => trainBpe(corpus, options)).toThrow(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}:`));
    }
    expect(() => trainBpe([1 as unknown as string])).toThrow('corpus[0]: expected a string');
  });

  it('uses custom special tokens in the given order', () => {
    const tokenizer = trainBpe(corpus, { vocabSize: 400, specialTokens: ['<eos>', '<x>'] });
    expect(tokenizer.tokenToId('<eos>')).toBe(0);
    expect(tokenizer.tokenToId('<x>')).toBe(1);
    expect(tokenizer.specialIds).toEqual({ eos: 0 });
    expect(tokenizer.encode('a<x>b')).toEqual([2 + 0x61, 1, 2 + 0x62]);
    expect(SPECIAL_TOKENS.eos).toBe('<eos>');
  });
});
