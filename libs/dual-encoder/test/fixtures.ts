/** Shared test fixtures: a tiny config and tokenizer over synthetic-world descriptions. */
import { trainBpe, type Tokenizer } from '@vrft/tokenizer';
import {
  generateFramePairs,
  MICRO_ENCODER_SIZES,
  parseEncoderConfig,
  type DualEncoderConfig,
  type FramePairs,
} from '@vrft/dual-encoder';

/** Pairs of 6 training clips at 16×16. */
export function createTestPairs(clips = 6, split: 'train' | 'validation' = 'train'): FramePairs {
  return generateFramePairs({ split, clips, framesPerClip: 2, imageSize: 16 });
}

/** A BPE tokenizer trained on the pairs' texts. */
export function createTestTokenizer(pairs: FramePairs = createTestPairs()): Tokenizer {
  return trainBpe(pairs.texts, { vocabSize: 320 });
}

/** A config far smaller than the default, for fast tests. */
export function createTestConfig(tokenizer: Tokenizer): DualEncoderConfig {
  return parseEncoderConfig({
    ...MICRO_ENCODER_SIZES,
    maxTextTokens: 24,
    vocabSize: tokenizer.vocabSize,
    padId: tokenizer.specialId('pad'),
  });
}

/**
 * A tokenizer.json shaped like the public SigLIP exports' (Unigram, `<pad>`/`</s>`/`<unk>` at
 * 0–2, lowercase and Replace normaliser, Metaspace, a template appending `</s>`, fixed padding
 * with `</s>`), its vocabulary made from the words of `texts`: "▁word" at log(count / total),
 * every character at −12 so any text of those characters is covered.
 */
export function createSiglipStyleTokenizerJson(texts: readonly string[], fixedLength: number): Record<string, unknown> {
  const counts = new Map<string, number>();
  const chars = new Set<string>();
  let total = 0;
  for (const text of texts) {
    for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      total += 1;
      for (const char of word) chars.add(char);
    }
  }
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
      strategy: { Fixed: fixedLength },
      direction: 'Right',
      pad_to_multiple_of: null,
      pad_id: 1,
      pad_type_id: 0,
      pad_token: '</s>',
    },
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'Lowercase' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: metaspace,
    model: {
      type: 'Unigram',
      unk_id: 2,
      byte_fallback: false,
      vocab: [
        ['<pad>', 0],
        ['</s>', 0],
        ['<unk>', 0],
        ['▁', -3],
        ...[...counts].map(([word, count]) => [`▁${word}`, Math.log(count / total)]),
        ...[...chars].map((char) => [char, -12]),
      ],
    },
  };
}
