import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AddedTokenMatcher, type AddedToken } from '../src/added-tokens.js';
import {
  MissingSpecialTokenError,
  TokenEncodeError,
  TokenIdError,
  Tokenizer,
  TokenizerFormatError,
} from '../src/index.js';

// A hand-written file in the shape of the public GPT-2 tokenizer.json: ByteLevel pre-tokenizer
// with the GPT-2 regex, "left right" merges, one special added token at id 20.
const text = readFileSync(new URL('./gpt2-style.json', import.meta.url), 'utf8');
type Json = { [key: string]: unknown };
const fresh = (): Json => JSON.parse(text) as Json;
const modelOf = (json: Json): Json => json['model'] as Json;

describe('loading a GPT-2-style tokenizer.json', () => {
  const tokenizer = Tokenizer.fromJSON(text);

  it('encodes as computed by hand', () => {
    // "Hello": He (rank 3) → ll (4) → Hell (6) → Hello (9)
    // " world": Ġw (0) → or (1) → ld (2) → Ġwor (5) → Ġworld (7)
    // "'s": no merges; " 1212" is one GPT-2 piece: Ġ 1 2 1 2 → Ġ 12 12 (rank 8, leftmost first)
    expect(tokenizer.encode("Hello world's 1212<|endoftext|>")).toEqual([23, 21, 1, 10, 12, 22, 22, 20]);
  });

  it('reads merges given as pairs the same way', () => {
    const json = fresh();
    const model = modelOf(json);
    model['merges'] = (model['merges'] as string[]).map((merge) => merge.split(' '));
    expect(Tokenizer.fromJSON(json).encode("Hello world's 1212")).toEqual([23, 21, 1, 10, 12, 22, 22]);
  });

  it('decodes back, with or without the special token', () => {
    const ids = [23, 21, 1, 10, 12, 22, 22, 20];
    expect(tokenizer.decode(ids)).toBe("Hello world's 1212<|endoftext|>");
    expect(tokenizer.decode(ids, { skipSpecial: true })).toBe("Hello world's 1212");
  });

  it('reports its size, tokens and specials', () => {
    expect(tokenizer.vocabSize).toBe(24);
    expect(tokenizer.tokenToId('Ġworld')).toBe(21);
    expect(tokenizer.idToToken(20)).toBe('<|endoftext|>');
    expect(tokenizer.isSpecial(20)).toBe(true);
    expect(tokenizer.isSpecial(21)).toBe(false);
    expect(tokenizer.specialIds).toEqual({});
    expect(() => tokenizer.encode('Hello', { addEos: true })).toThrow(MissingSpecialTokenError);
    const named = Tokenizer.fromJSON(text, { specialTokenNames: { eos: '<|endoftext|>' } });
    expect(named.encode('Hello', { addEos: true })).toEqual([23, 20]);
  });

  it('honours ignore_merges: a piece in the vocabulary is taken whole', () => {
    const json = fresh();
    const model = modelOf(json);
    model['merges'] = (model['merges'] as string[]).slice(0, 2);
    expect(Tokenizer.fromJSON(json).encode('Hello')).toEqual([4, 6, 7, 7, 8]);
    model['ignore_merges'] = true;
    expect(Tokenizer.fromJSON(json).encode('Hello')).toEqual([23]);
  });

  it('throws a clear error for text with a byte that has no token', () => {
    expect(() => tokenizer.encode('Hex')).toThrow(TokenEncodeError);
    expect(() => tokenizer.encode('Hex')).toThrow('byte 0x78');
  });

  it('rejects ids that are not token ids in decode', () => {
    for (const bad of [24, -1, 1.5, Number.NaN, 2 ** 40]) {
      expect(() => tokenizer.decode([23, bad])).toThrow(TokenIdError);
      expect(() => tokenizer.decode([23, bad])).toThrow(`ids[1] = ${bad} is not a token id`);
    }
  });

  it('writes back a file that loads to the same tokenizer', () => {
    const again = Tokenizer.fromJSON(tokenizer.toJSONString());
    expect(again.toJSONString()).toBe(tokenizer.toJSONString());
    expect(again.encode("Hello world's 1212<|endoftext|>")).toEqual([23, 21, 1, 10, 12, 22, 22, 20]);
    expect(again.toJSON().pre_tokenizer).toEqual(fresh()['pre_tokenizer']);
  });
});

describe('malformed tokenizer.json', () => {
  // Each case edits a fresh copy of the valid file, or (returning a value) replaces it outright.
  const cases: [string, (json: Json) => unknown, string][] = [
    ['text that is not JSON', () => '{"version": ', '(root)'],
    ['a root that is an array', () => [], '(root)'],
    ['a missing version', (json) => void delete json['version'], 'version'],
    ['another model type', (json) => void (modelOf(json)['type'] = 'WordPiece'), 'model.type'],
    ['a negative vocab id', (json) => void ((modelOf(json)['vocab'] as Json)['s'] = -1), 'model.vocab["s"]'],
    ['a vocab id used twice', (json) => void ((modelOf(json)['vocab'] as Json)['zz'] = 3), 'model.vocab["zz"]'],
    ['a merge without a space', (json) => void ((modelOf(json)['merges'] as unknown[])[0] = 'Ġw'), 'model.merges[0]'],
    [
      'a merge of an unknown token',
      (json) => void ((modelOf(json)['merges'] as unknown[])[1] = 'o q'),
      'model.merges[1]',
    ],
    [
      'a merge of three',
      (json) => void ((modelOf(json)['merges'] as unknown[])[2] = ['l', 'd', 'x']),
      'model.merges[2]',
    ],
    [
      'a merge whose result is missing',
      (json) => void (modelOf(json)['merges'] as unknown[]).push('d e'),
      'model.merges[10]',
    ],
    ['merges that are not an array', (json) => void (modelOf(json)['merges'] = 'Ġ w'), 'model.merges'],
    [
      'an added token id as a string',
      (json) => void (((json['added_tokens'] as Json[])[0] as Json)['id'] = '20'),
      'added_tokens[0].id',
    ],
    [
      'a non-boolean flag',
      (json) => void (((json['added_tokens'] as Json[])[0] as Json)['special'] = 'yes'),
      'added_tokens[0].special',
    ],
    [
      'an added token on a vocab id',
      (json) => void (((json['added_tokens'] as Json[])[0] as Json)['id'] = 4),
      'added_tokens[0].id',
    ],
    ['another decoder', (json) => void (json['decoder'] = { type: 'WordPiece' }), 'decoder.type'],
    ['a missing pre_tokenizer', (json) => void delete json['pre_tokenizer'], 'pre_tokenizer'],
    ['an unsupported normalizer', (json) => void (json['normalizer'] = { type: 'BertNormalizer' }), 'normalizer.type'],
    ['BPE dropout', (json) => void (modelOf(json)['dropout'] = 0.1), 'model.dropout'],
    ['an unk_token outside the vocab', (json) => void (modelOf(json)['unk_token'] = '<unk>'), 'model.unk_token'],
  ];

  it.each(cases)('rejects %s, naming the field', (_name, mutate, field) => {
    const json = fresh();
    const replaced = mutate(json);
    const input = replaced === undefined ? json : replaced;
    let caught: unknown;
    try {
      Tokenizer.fromJSON(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TokenizerFormatError);
    expect((caught as TokenizerFormatError).field).toBe(field);
    expect((caught as Error).message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('AddedTokenMatcher', () => {
  const token = (id: number, content: string, flags: Partial<AddedToken> = {}): AddedToken => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
    ...flags,
  });

  it('matches leftmost-longest', () => {
    const matcher = new AddedTokenMatcher([token(0, '<a>'), token(1, '<a><b>'), token(2, '<b>')]);
    expect(matcher.split('x<a><b>y<b><a>')).toEqual([{ text: 'x' }, { id: 1 }, { text: 'y' }, { id: 2 }, { id: 0 }]);
  });

  it('takes surrounding whitespace with lstrip / rstrip', () => {
    const matcher = new AddedTokenMatcher([token(0, '[L]', { lstrip: true }), token(1, '[R]', { rstrip: true })]);
    expect(matcher.split('a  [L] b [R]  c')).toEqual([
      { text: 'a' },
      { id: 0 },
      { text: ' b ' },
      { id: 1 },
      { text: 'c' },
    ]);
  });

  it('matches single_word tokens only outside words', () => {
    const matcher = new AddedTokenMatcher([token(0, 'cat', { single_word: true })]);
    expect(matcher.split('cat concat cats cat')).toEqual([{ id: 0 }, { text: ' concat cats ' }, { id: 0 }]);
  });
});
