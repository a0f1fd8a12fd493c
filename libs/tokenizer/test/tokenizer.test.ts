import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadTokenizer,
  SPECIAL_TOKENS,
  TokenEncodeError,
  Tokenizer,
  TokenizerOptionsError,
  trainBpe,
} from '../src/index.js';
import { createCorpus, createRandom, randomUnicodeString } from './random-text.js';

describe('a trained tokenizer', () => {
  const corpus = createCorpus(5, 300);
  const tokenizer = trainBpe(corpus, { vocabSize: 520, cacheSize: 64 });
  const uncached = Tokenizer.fromJSON(tokenizer.toJSON(), { cacheSize: 0 });

  it('round-trips arbitrary Unicode: decode(encode(s)) === s', () => {
    const random = createRandom(42);
    for (let i = 0; i < 1500; i++) {
      const text = randomUnicodeString(random);
      const ids = tokenizer.encode(text);
      expect(tokenizer.decode(ids)).toBe(text);
      expect(uncached.encode(text)).toEqual(ids); // the bounded cache never changes a result
    }
  });

  it('round-trips the training corpus, long runs and edge cases', () => {
    const cases = [
      ...corpus.slice(0, 50),
      '',
      '\ufeffstarts with a BOM',
      ' '.repeat(5000),
      '-'.repeat(20_000),
      'a\u0000b\u0007c\u001b[0m',
      '\r\n\r\n\t \u00a0\u3000',
      '👨‍👩‍👧‍👦 family, 🇫🇷 flag, e\u0301\u0302 marks',
      '中文句子，日本語の文、한국어 문장.',
    ];
    for (const text of cases) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('compresses text from the training distribution', () => {
    const sample = corpus[0] as string;
    expect(tokenizer.encode(sample).length).toBeLessThan(new TextEncoder().encode(sample).length / 2);
  });

  it('recognises special tokens as single ids, even inside words', () => {
    const think = tokenizer.specialId('thinkStart');
    expect(tokenizer.encode('<think>')).toEqual([think]);
    const ids = tokenizer.encode('red<think>ball</think><answer>B</answer><video>');
    expect(ids.filter((id) => id === think)).toHaveLength(1);
    expect(ids).toContain(tokenizer.specialId('thinkEnd'));
    expect(ids.slice(-3)).toEqual([
      tokenizer.encode('B')[0],
      tokenizer.specialId('answerEnd'),
      tokenizer.specialId('video'),
    ]);
    expect(tokenizer.decode(ids)).toBe('red<think>ball</think><answer>B</answer><video>');
    // Fragments are ordinary text.
    expect(tokenizer.encode('<think').every((id) => !tokenizer.isSpecial(id))).toBe(true);
    expect(tokenizer.encode('<<think>>').filter((id) => id === think)).toHaveLength(1);
  });

  it('adds bos / eos on request and skips specials on request', () => {
    const ids = tokenizer.encode('<think>the ball</think>', { addBos: true, addEos: true });
    expect(ids[0]).toBe(tokenizer.specialId('bos'));
    expect(ids.at(-1)).toBe(tokenizer.specialId('eos'));
    expect(tokenizer.decode(ids)).toBe('<bos><think>the ball</think><eos>');
    expect(tokenizer.decode(ids, { skipSpecial: true })).toBe('the ball');
  });

  it('decodes a split UTF-8 character to U+FFFD and exposes the raw bytes', () => {
    const ids = tokenizer.encode('é'); // bytes C3 A9
    const first = tokenizer.tokenToId('Ã') as number; // the byte token for 0xC3
    expect(tokenizer.decode([first])).toBe('\ufffd');
    expect([...tokenizer.decodeBytes(ids)]).toEqual([0xc3, 0xa9]);
  });

  it('encodes a lone surrogate as U+FFFD', () => {
    expect(tokenizer.decode(tokenizer.encode('a\ud800b'))).toBe('a\ufffdb');
  });

  it('rejects bad tokenizer options naming the option', () => {
    const json = tokenizer.toJSON();
    expect(() => Tokenizer.fromJSON(json, { cacheSize: -5 })).toThrow(/^cacheSize:/);
    expect(() => Tokenizer.fromJSON(json, { specialTokenNames: { boss: '<b>' } as never })).toThrow(
      /^specialTokenNames\.boss: unknown role/,
    );
    expect(() => Tokenizer.fromJSON(json, { specialTokenNames: { eos: '' } })).toThrow(TokenizerOptionsError);
  });

  it('rejects non-string input', () => {
    expect(() => tokenizer.encode(42 as unknown as string)).toThrow(TokenEncodeError);
  });

  it('rebuilds from toJSON / JSON.stringify with identical text', () => {
    const viaObject = Tokenizer.fromJSON(tokenizer.toJSON());
    const viaStringify = Tokenizer.fromJSON(JSON.stringify(tokenizer));
    expect(viaObject.toJSONString()).toBe(tokenizer.toJSONString());
    expect(viaStringify.toJSONString()).toBe(tokenizer.toJSONString());
  });

  it('writes the Hugging Face field layout', () => {
    const json = JSON.parse(tokenizer.toJSONString()) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'version',
      'truncation',
      'padding',
      'added_tokens',
      'normalizer',
      'pre_tokenizer',
      'post_processor',
      'decoder',
      'model',
    ]);
    expect(json['added_tokens']).toContainEqual({
      id: 4,
      content: SPECIAL_TOKENS.thinkStart,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
    const model = json['model'] as { type: string; vocab: Record<string, number>; merges: string[] };
    expect(model.type).toBe('BPE');
    expect(model.vocab['<think>']).toBe(4);
    for (const merge of model.merges) expect(merge).toMatch(/^\S+ \S+$/);
    // The vocabulary is written in id order even for integer-like tokens.
    const text = tokenizer.toJSONString();
    expect(text.indexOf('"0": 56')).toBeGreaterThan(text.indexOf('"/": 55'));
  });
});

describe('save and load', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vrft-tokenizer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('save → loadTokenizer gives the same ids and the same file', async () => {
    const tokenizer = trainBpe(createCorpus(9, 200), { vocabSize: 450 });
    const path = join(dir, 'tokenizer.json');
    await tokenizer.save(path);
    const loaded = await loadTokenizer(path);
    const random = createRandom(1);
    for (let i = 0; i < 200; i++) {
      const text = randomUnicodeString(random);
      expect(loaded.encode(text)).toEqual(tokenizer.encode(text));
    }
    expect(await readFile(path, 'utf8')).toBe(tokenizer.toJSONString());
    expect(loaded.toJSONString()).toBe(tokenizer.toJSONString());
    expect(loaded.specialIds).toEqual(tokenizer.specialIds);
  });

  it('fails on a missing file with the file system error', async () => {
    await expect(loadTokenizer(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });
});
