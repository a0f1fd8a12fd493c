import { describe, expect, it } from 'vitest';
import { BYTE_LEVEL_ALPHABET, byteOfChar, textToByteLevel } from '../src/byte-level.js';
import { compilePreTokenizer, defaultPreTokenizerConfig } from '../src/pre-tokenizer.js';
import { compilePattern, GPT2_PATTERN, PRE_TOKENIZE_PATTERN, splitByPattern } from '../src/split-pattern.js';
import { TokenizerFormatError } from '../src/errors.js';
import { createRandom, randomUnicodeString } from './random-text.js';

const ours = compilePattern(PRE_TOKENIZE_PATTERN, 'test');
const split = (text: string): string[] => splitByPattern(text, ours, 'Isolated', false);

describe('byte-level alphabet', () => {
  it('maps the 256 bytes to 256 distinct single characters and back', () => {
    expect(new Set(BYTE_LEVEL_ALPHABET).size).toBe(256);
    BYTE_LEVEL_ALPHABET.forEach((char, byte) => {
      expect(char.length).toBe(1);
      expect(byteOfChar(char.charCodeAt(0))).toBe(byte);
    });
  });

  it('uses the GPT-2 characters for space, newline and printable ASCII', () => {
    expect(textToByteLevel(' ')).toBe('Ġ');
    expect(textToByteLevel('\n')).toBe('Ċ');
    expect(textToByteLevel('\t')).toBe('ĉ');
    expect(textToByteLevel('Hi!')).toBe('Hi!');
    expect(textToByteLevel('é')).toBe('Ã©'); // UTF-8 C3 A9
  });

  it('encodes a lone surrogate as U+FFFD (EF BF BD)', () => {
    expect(textToByteLevel('\ud800')).toBe(textToByteLevel('\ufffd'));
  });
});

describe('pre-tokenisation pattern', () => {
  it('splits words with their leading space, contractions, and punctuation runs', () => {
    expect(split('Hello world, it\'s "fine"!')).toEqual(['Hello', ' world', ',', ' it', "'s", ' "', 'fine', '"!']);
    expect(split("WE'LL see")).toEqual(['WE', "'LL", ' see']);
    expect(split("'sun")).toEqual(["'", 'sun']);
  });

  it('splits numbers digit by digit', () => {
    expect(split('3.14 and 42')).toEqual(['3', '.', '1', '4', ' and', ' 4', '2']);
  });

  it('leaves the last space of a run to the next word', () => {
    expect(split('a   b')).toEqual(['a', '  ', ' b']);
    expect(split('a\n\nb')).toEqual(['a', '\n', '\n', 'b']);
    expect(split('end  ')).toEqual(['end', '  ']);
    expect(split('x\tb')).toEqual(['x', '\t', 'b']);
  });

  it('keeps combining marks with their letters and emoji together', () => {
    expect(split('cafe\u0301 ok')).toEqual(['cafe\u0301', ' ok']);
    expect(split('hi 👋🏽!')).toEqual(['hi', ' 👋🏽!']);
  });

  it('treats Unicode White_Space (not JavaScript \\s) as whitespace', () => {
    expect(split('a\u0085b')).toEqual(['a', '\u0085', 'b']); // NEL is White_Space
    expect(split('a\ufeffb')).toEqual(['a', '\ufeff', 'b']); // BOM is not White_Space: a symbol piece
  });

  it('covers every character: pieces concatenate back to random input', () => {
    const random = createRandom(7);
    for (let i = 0; i < 300; i++) {
      const text = randomUnicodeString(random);
      expect(split(text).join('')).toBe(text);
    }
  });

  it('GPT-2 pattern keeps digit runs and lower-case contractions', () => {
    const gpt2 = compilePattern(GPT2_PATTERN, 'test');
    expect(splitByPattern("It's 2024", gpt2, 'Isolated', false)).toEqual(['It', "'s", ' 2024']);
  });
});

describe('Split behaviours', () => {
  const dash = /-/gu;
  it.each([
    ['Isolated', false, ['a', '-', 'b', '-', '-', 'c']],
    ['Removed', false, ['a', 'b', 'c']],
    ['MergedWithPrevious', false, ['a-', 'b-', '-', 'c']],
    ['MergedWithNext', false, ['a', '-b', '-', '-c']],
    ['Contiguous', false, ['a', '-', 'b', '--', 'c']],
    ['Removed', true, ['-', '-', '-']],
  ] as const)('%s (invert %s)', (behavior, invert, expected) => {
    expect(splitByPattern('a-b--c', dash, behavior, invert)).toEqual(expected);
  });
});

describe('compilePreTokenizer', () => {
  it('the default config yields byte-level pieces', () => {
    const pre = compilePreTokenizer(defaultPreTokenizerConfig());
    expect(pre.split('Hi there\n')).toEqual(['Hi', 'Ġthere', 'Ċ']);
  });

  it('ByteLevel with add_prefix_space prefixes each piece', () => {
    const pre = compilePreTokenizer({ type: 'ByteLevel', add_prefix_space: true, use_regex: true });
    expect(pre.split('Hi there')).toEqual(['ĠHi', 'Ġthere']);
  });

  it.each([
    [null, 'pre_tokenizer'],
    [{ type: 'Whitespace' }, 'pre_tokenizer.type'],
    [
      { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(?i:a)' }, behavior: 'Isolated' }] },
      'pre_tokenizer.pretokenizers[0].pattern.Regex',
    ],
    [
      { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { String: ' ' }, behavior: 'Sideways' }] },
      'pre_tokenizer.pretokenizers[0].behavior',
    ],
    [{ type: 'Split', pattern: { String: ' ' }, behavior: 'Isolated' }, 'pre_tokenizer'],
  ])('rejects %j naming %s', (config, field) => {
    const attempt = (): unknown => compilePreTokenizer(config);
    expect(attempt).toThrow(TokenizerFormatError);
    try {
      attempt();
    } catch (error) {
      expect((error as TokenizerFormatError).field).toBe(field);
    }
  });
});
