import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadAnyTokenizer,
  parseAnyTokenizer,
  TokenEncodeError,
  TokenIdError,
  Tokenizer,
  TokenizerFormatError,
  trainBpe,
  UnigramTokenizer,
} from '../src/index.js';
import { PrecompiledCharsmap } from '../src/precompiled-charsmap.js';
import { UnigramModel, UNKNOWN_PENALTY } from '../src/unigram-model.js';
import { buildCharsmap } from './charsmap-builder.js';
import { siglipStyleTokenizerJson } from './siglip-style.js';

/** A bare Unigram file: no normaliser, no pre-tokenizer, no template; the given pieces. */
function bareJson(
  vocab: readonly (readonly [string, number])[],
  model: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: { type: 'Unigram', unk_id: null, vocab, byte_fallback: false, ...model },
    ...rest,
  };
}

function pieces(tokenizer: UnigramTokenizer, ids: readonly number[]): string[] {
  return ids.map((id) => tokenizer.idToToken(id) as string);
}

describe('Unigram Viterbi segmentation', () => {
  // s(a) = s(b) = s(c) = −2, s(ab) = −1.5, s(bc) = −1, s(abc) = −6.
  const vocab: [string, number][] = [
    ['a', -2],
    ['b', -2],
    ['c', -2],
    ['ab', -1.5],
    ['bc', -1],
    ['abc', -6],
  ];
  const model = new UnigramModel(vocab, { unkId: undefined, byteFallback: false, cacheSize: 0 });

  it('finds the best total score where greedy longest-match does not', () => {
    // "abc": abc = −6 (longest match), ab+c = −3.5 (greedy pairs), a+b+c = −6, a+bc = −3 (best).
    // B[1] = −2 (a), B[2] = max(−1.5 ab, −4 a+b) = −1.5, B[3] = max(−6 abc, B[1] − 1 = −3, B[2] − 2 = −3.5).
    expect(model.segment('abc')).toEqual(['a', 'bc']);
    // B[4] = B[3] − 2 = −5, B[5] = max(B[3] − 1.5, B[4] − 2) = −4.5, B[6] = max(B[3] − 6, B[4] − 1, B[5] − 2) = −6.
    expect(model.segment('abcabc')).toEqual(['a', 'bc', 'a', 'bc']);
    expect(model.segment('ab')).toEqual(['ab']);
    expect(model.tokenize('abc')).toEqual([0, 4]);
  });

  it('breaks ties towards the piece that starts first (as Hugging Face)', () => {
    // ab = −4 and a + b = −2 + −2 = −4: the one-piece path came first and stays.
    const tie = new UnigramModel(
      [
        ['a', -2],
        ['b', -2],
        ['ab', -4],
      ],
      { unkId: undefined, byteFallback: false, cacheSize: 0 },
    );
    expect(tie.segment('ab')).toEqual(['ab']);
  });

  it('takes the unknown token at min score − 10 and joins neighbouring unknown characters', () => {
    const withUnk = new UnigramModel([['<unk>', 0], ...vocab], { unkId: 0, byteFallback: false, cacheSize: 0 });
    expect(UNKNOWN_PENALTY).toBe(10);
    expect(withUnk.segment('azzb')).toEqual(['a', 'zz', 'b']);
    expect(withUnk.tokenize('azzb')).toEqual([1, 0, 2]);
    // Astral characters count as one character each.
    expect(withUnk.segment('😀c')).toEqual(['😀', 'c']);
    // A character without its own piece is still covered by a longer piece: x alone would cost
    // 2 × (−6 − 10) = −32 as unknowns, the piece "xy" only −5.
    const longer = new UnigramModel(
      [
        ['<unk>', 0],
        ['xy', -5],
        ['abc', -6],
      ],
      { unkId: 0, byteFallback: false, cacheSize: 0 },
    );
    expect(longer.segment('xy')).toEqual(['xy']);
    expect(longer.segment('xz')).toEqual(['xz']); // both unknown, fused
    expect(longer.tokenize('xz')).toEqual([0]);
  });

  it('without unk_id, an uncovered character is a TokenEncodeError naming it', () => {
    expect(() => model.segment('abd')).toThrow(TokenEncodeError);
    expect(() => model.segment('abd')).toThrow(/U\+0064/);
  });

  it('falls back to <0xXX> byte tokens when asked and all of them exist', () => {
    const bytes = ['<0xE2>', '<0x9C>', '<0x93>'].map((token) => [token, -20] as [string, number]);
    const fallback = new UnigramModel([['<unk>', 0], ...vocab, ...bytes], {
      unkId: 0,
      byteFallback: true,
      cacheSize: 0,
    });
    // ✓ is U+2713, UTF-8 E2 9C 93.
    expect(fallback.tokenize('a✓')).toEqual([1, 7, 8, 9]);
    // é (C3 A9) has no byte tokens here, so it stays unknown.
    expect(fallback.tokenize('aé')).toEqual([1, 0]);
  });
});

describe('a SigLIP-style tokenizer.json', () => {
  const json = siglipStyleTokenizerJson();
  const tokenizer = UnigramTokenizer.fromJSON(json);
  const id = (token: string): number => tokenizer.tokenToId(token) as number;

  it('reads the file: vocabulary, specials, template and padding', () => {
    expect(tokenizer.modelType).toBe('Unigram');
    expect(tokenizer.vocabSize).toBe(3 + 44);
    expect(tokenizer.template).toEqual({ before: [], after: [1] });
    expect(tokenizer.padding).toEqual({ padId: 1, padToken: '</s>', fixedLength: 64, direction: 'Right' });
    expect(tokenizer.isSpecial(1)).toBe(true);
    expect(tokenizer.isSpecial(id('▁a'))).toBe(false);
    expect(tokenizer.score(id('▁red'))).toBe(-6);
  });

  it('normalises (lowercase, charsmap, repeated spaces), marks words with ▁ and segments them', () => {
    const ids = tokenizer.encode('Ａ\u00a0RED  Circle moves LEFT.');
    expect(pieces(tokenizer, ids)).toEqual(['▁a', '▁red', '▁circle', '▁moves', '▁left', '.']);
    // ﬁ → fi and e + U+0301 → é come from the charsmap; "▁caf" + "é" (−18) beats ▁ c a f é (−40).
    expect(pieces(tokenizer, tokenizer.encode('ﬁne cafe\u0301'))).toEqual(['▁fine', '▁caf', 'é']);
    expect(tokenizer.segment('A red circle')).toEqual(['▁a', '▁red', '▁circle']);
  });

  it('appends </s> with addSpecialTokens, keeps added tokens whole and encodes unknown characters as <unk>', () => {
    expect(tokenizer.encode('a red circle', { addSpecialTokens: true })).toEqual([
      id('▁a'),
      id('▁red'),
      id('▁circle'),
      1,
    ]);
    // Metaspace prepends ▁ to the text after an added token too (prepend_scheme "always").
    expect(pieces(tokenizer, tokenizer.encode('red</s>circle'))).toEqual(['▁red', '</s>', '▁circle']);
    expect(pieces(tokenizer, tokenizer.encode('a ✓✓ zebra'))).toEqual([
      '▁a',
      '▁',
      '<unk>',
      '▁',
      'z',
      'e',
      'b',
      'r',
      'a',
    ]);
  });

  it('decodes back to the normalised text (Metaspace: ▁ → space, the leading one dropped)', () => {
    for (const text of ['a red circle moves left.', 'fine café', 'the circle', 'zebra 1, 1.']) {
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
      const withEos = tokenizer.encode(text, { addSpecialTokens: true });
      expect(tokenizer.decode(withEos, { skipSpecial: true })).toBe(text);
      expect(tokenizer.decode(withEos)).toBe(`${text}</s>`);
    }
    expect(tokenizer.decode(tokenizer.encode('Ａ  RED ①'))).toBe('a red 1');
    expect(() => tokenizer.decode([999])).toThrow(TokenIdError);
  });

  it('is what parseAnyTokenizer and loadAnyTokenizer give for the file; BPE files stay BPE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vrft-unigram-'));
    try {
      await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json, null, 2));
      const loaded = await loadAnyTokenizer(join(dir, 'tokenizer.json'));
      expect(loaded).toBeInstanceOf(UnigramTokenizer);
      expect(loaded.encode('a red circle')).toEqual(tokenizer.encode('a red circle'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const bpe = trainBpe(['a red circle moves left'], { vocabSize: 280 });
    const parsed = parseAnyTokenizer(bpe.toJSONString());
    expect(parsed).toBeInstanceOf(Tokenizer);
    expect(parsed.modelType).toBe('BPE');
    expect(parsed.template).toEqual({ before: [], after: [] }); // ByteLevel post-processor: nothing added
    expect(parsed.encode('red', { addSpecialTokens: true })).toEqual(bpe.encode('red'));
    expect(() => Tokenizer.fromJSON(json)).toThrow(
      /Unigram model is not byte-level BPE: read it with parseAnyTokenizer/,
    );
  });
});

describe('Metaspace and other pipeline pieces', () => {
  const vocab: [string, number][] = [
    ['<unk>', 0],
    ['</s>', 0],
    ['▁', -1],
    ['a', -2],
    ['b', -2],
    ['▁a', -1.5],
    ['▁b', -1.5],
  ];
  const added = [
    { id: 1, content: '</s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  ];
  const withScheme = (scheme: string, split = true): UnigramTokenizer =>
    UnigramTokenizer.fromJSON(
      bareJson(
        vocab,
        { unk_id: 0 },
        {
          added_tokens: added,
          pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split },
          decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split },
        },
      ),
    );

  it('prepends ▁ always, on the first piece only, or never', () => {
    const text = 'a</s>b a';
    expect(pieces(withScheme('always'), withScheme('always').encode(text))).toEqual(['▁a', '</s>', '▁b', '▁a']);
    expect(pieces(withScheme('first'), withScheme('first').encode(text))).toEqual(['▁a', '</s>', 'b', '▁a']);
    expect(pieces(withScheme('never'), withScheme('never').encode(text))).toEqual(['a', '</s>', 'b', '▁a']);
    // split: false keeps "▁a▁b" as one piece for the model, which cuts it the same way here.
    expect(pieces(withScheme('always', false), withScheme('always', false).encode('a b'))).toEqual(['▁a', '▁b']);
    expect(withScheme('never').decode(withScheme('never').encode('a b'))).toBe('a b');
  });

  it('reads the legacy add_prefix_space, WhitespaceSplit and Llama-style decoders', () => {
    const legacy = UnigramTokenizer.fromJSON(
      bareJson(
        vocab,
        { unk_id: 0, byte_fallback: true },
        {
          pre_tokenizer: {
            type: 'Sequence',
            pretokenizers: [
              { type: 'WhitespaceSplit' },
              { type: 'Metaspace', replacement: '▁', add_prefix_space: true },
            ],
          },
          decoder: {
            type: 'Sequence',
            decoders: [
              { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
              { type: 'ByteFallback' },
              { type: 'Fuse' },
              { type: 'Strip', content: ' ', start: 1, stop: 0 },
            ],
          },
        },
      ),
    );
    expect(pieces(legacy, legacy.encode('  a\t\nb  '))).toEqual(['▁a', '▁b']);
    expect(legacy.decode(legacy.encode('a b'))).toBe('a b');
  });

  it('decodes byte-fallback tokens to their UTF-8 text, invalid runs to U+FFFD', () => {
    const bytes = [0xf0, 0x9f, 0x98, 0x80].map((b) => [`<0x${b.toString(16).toUpperCase()}>`, -20] as [string, number]);
    const fallback = UnigramTokenizer.fromJSON(
      bareJson([...vocab, ...bytes], { unk_id: 0, byte_fallback: true }, { decoder: { type: 'ByteFallback' } }),
    );
    const ids = fallback.encode('a😀');
    expect(pieces(fallback, ids)).toEqual(['a', '<0xF0>', '<0x9F>', '<0x98>', '<0x80>']);
    expect(fallback.decode(ids)).toBe('a😀');
    expect(fallback.decode(ids.slice(0, 3))).toBe('a\ufffd\ufffd');
  });
});

describe('the Precompiled charsmap', () => {
  it('replaces the longest rule at each position and copies the rest', () => {
    const charsmap = PrecompiledCharsmap.fromBase64(
      buildCharsmap(
        new Map([
          ['x', 'y'],
          ['xz', 'w'],
          ['e\u0301', '\u00e9'],
          ['\u00a0', ' '],
        ]),
      ),
      'test',
    );
    expect(charsmap.normalize('xz xa e\u0301 e 😀\u00a0')).toBe('w ya \u00e9 e 😀 ');
    expect(charsmap.normalize('')).toBe('');
  });
});

describe('malformed Unigram files', () => {
  const good = siglipStyleTokenizerJson();
  const model = good['model'] as Record<string, unknown>;
  const normalizer = good['normalizer'] as { normalizers: unknown[] };
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['vocabulary as an object', { ...good, model: { ...model, vocab: { a: 0 } } }, 'model.vocab', /an array/],
    ['entry not a pair', { ...good, model: { ...model, vocab: [['a', -1, 3]] } }, 'model.vocab[0]', /\[piece, score\]/],
    ['score not a number', { ...good, model: { ...model, vocab: [['a', 'x']] } }, 'model.vocab[0][1]', /finite score/],
    [
      'duplicate piece',
      {
        ...good,
        added_tokens: [],
        model: {
          ...model,
          unk_id: 0,
          vocab: [
            ['a', -1],
            ['a', -2],
          ],
        },
      },
      'model.vocab[1][0]',
      /also model.vocab\[0\]/,
    ],
    ['unk_id out of range', { ...good, model: { ...model, unk_id: 5000 } }, 'model.unk_id', /\[0, 47\)/],
    [
      'charsmap not base64',
      {
        ...good,
        normalizer: { ...normalizer, normalizers: [{ type: 'Precompiled', precompiled_charsmap: '%%%' }] },
      },
      'normalizer.normalizers[0].precompiled_charsmap',
      /not base64/,
    ],
    [
      'charsmap trie past its end',
      {
        ...good,
        normalizer: { type: 'Precompiled', precompiled_charsmap: Buffer.from([64, 0, 0, 0, 1, 2]).toString('base64') },
      },
      'normalizer.precompiled_charsmap',
      /trie size 64 does not fit/,
    ],
    ['unknown normaliser', { ...good, normalizer: { type: 'BertNormalizer' } }, 'normalizer.type', /BertNormalizer/],
    [
      'ByteLevel pre-tokenizer',
      { ...good, pre_tokenizer: { type: 'ByteLevel' } },
      'pre_tokenizer',
      /does not go with a Unigram model/,
    ],
    [
      'bad prepend scheme',
      { ...good, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'sometimes' } },
      'pre_tokenizer.prepend_scheme',
      /always, first or never/,
    ],
    ['ByteLevel decoder', { ...good, decoder: { type: 'ByteLevel' } }, 'decoder.type', /for a Unigram model/],
    [
      'template naming a missing special token',
      {
        ...good,
        post_processor: {
          type: 'TemplateProcessing',
          single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<eos>', type_id: 0 } }],
          special_tokens: {},
        },
      },
      'post_processor.single[1]',
      /"<eos>" is not in post_processor.special_tokens/,
    ],
    [
      'padding with a bad strategy',
      { ...good, padding: { strategy: { Fixed: 0 }, pad_id: 1, pad_token: '</s>' } },
      'padding.strategy',
      /Fixed/,
    ],
  ];

  it.each(cases)('%s → TokenizerFormatError naming %s', (_name, json, field, message) => {
    const attempt = (): unknown => parseAnyTokenizer(json);
    expect(attempt).toThrow(TokenizerFormatError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as TokenizerFormatError).field).toBe(field);
    }
  });

  it('names bad JSON, unknown model types and unsupported post-processors', () => {
    expect(() => parseAnyTokenizer('{"version": "1.0", "model": ')).toThrow(/\(root\): not valid JSON/);
    expect(() => parseAnyTokenizer({ version: '1.0', model: { type: 'WordPiece', vocab: {} } })).toThrow(
      /model.type: unsupported model "WordPiece" \(supported: BPE, Unigram\)/,
    );
    const roberta = UnigramTokenizer.fromJSON({ ...good, post_processor: { type: 'RobertaProcessing' } });
    expect(roberta.template).toBeUndefined();
    expect(roberta.encode('a')).toEqual([roberta.tokenToId('▁a')]);
    expect(() => roberta.encode('a', { addSpecialTokens: true })).toThrow(/post_processor "RobertaProcessing"/);
  });
});
