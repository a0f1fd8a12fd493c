/**
 * A small tokenizer.json with the structure of the public SigLIP ONNX exports' (Unigram model,
 * vocabulary as [piece, log-probability] pairs, `<pad>`/`</s>`/`<unk>` at ids 0–2, lowercase +
 * Precompiled charsmap + Replace normaliser, Metaspace pre-tokenizer and decoder, a template that
 * appends `</s>`, fixed padding to 64 with `</s>`), written by the tests, never downloaded.
 */
import { buildCharsmap } from './charsmap-builder.js';

/** The charsmap rules of the fixture (a few of what SentencePiece's nmt_nfkc does). */
export const CHARSMAP_RULES: ReadonlyMap<string, string> = new Map([
  ['\uff41', 'a'], // fullwidth a (the normaliser lowercases first: Ａ → ａ → a)
  ['\ufb01', 'fi'], // the fi ligature
  ['\u00a0', ' '], // no-break space
  ['e\u0301', '\u00e9'], // e + combining acute → é
  ['\u2460', '1'], // circled digit one
]);

/** Pieces with their scores (log-probabilities), after the three specials. */
export const SIGLIP_STYLE_PIECES: readonly (readonly [string, number])[] = [
  ['▁', -2.0],
  ['▁a', -3.0],
  ['▁red', -6.0],
  ['▁circle', -7.0],
  ['▁cir', -9.0],
  ['cle', -8.0],
  ['▁moves', -7.5],
  ['▁move', -7.0],
  ['s', -3.5],
  ['▁left', -7.2],
  ['▁the', -4.0],
  ['▁fi', -8.5],
  ['ne', -6.5],
  ['▁fine', -9.5],
  ['é', -8.0],
  ['▁caf', -10.0],
  ['1', -5.0],
  // Every letter but s (listed above), and two punctuation marks.
  ...[...'abcdefghijklmnopqrtuvwxyz.,'].map((char) => [char, -10.0] as const),
];

/** The tokenizer.json object. */
export function siglipStyleTokenizerJson(): Record<string, unknown> {
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  return {
    version: '1.0',
    truncation: null,
    padding: {
      strategy: { Fixed: 64 },
      direction: 'Right',
      pad_to_multiple_of: null,
      pad_id: 1,
      pad_type_id: 0,
      pad_token: '</s>',
    },
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Lowercase' },
        { type: 'Precompiled', precompiled_charsmap: buildCharsmap(CHARSMAP_RULES) },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: metaspace,
    model: {
      type: 'Unigram',
      unk_id: 2,
      vocab: [['<pad>', 0.0], ['</s>', 0.0], ['<unk>', 0.0], ...SIGLIP_STYLE_PIECES],
      byte_fallback: false,
    },
  };
}
