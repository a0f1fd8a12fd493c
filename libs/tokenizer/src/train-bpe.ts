/** Training a byte-level BPE tokenizer on the project's own corpus. */
import { AddedTokenMatcher, type AddedToken } from './added-tokens.js';
import { learnMerges } from './bpe-trainer.js';
import { TokenizerOptionsError } from './errors.js';
import { parseTrainBpeOptions, type TrainBpeOptions } from './options.js';
import { compilePreTokenizer, defaultPreTokenizerConfig } from './pre-tokenizer.js';
import { Tokenizer } from './tokenizer.js';
import { type TokenizerJson } from './tokenizer-json.js';

function toSpecialTokens(contents: readonly string[]): AddedToken[] {
  return contents.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

/** Counts the byte-level pieces of a corpus; special tokens in the text are cut out, never learned. */
function countPieces(corpus: Iterable<string>, specialTokens: readonly AddedToken[]): Map<string, number> {
  const matcher = new AddedTokenMatcher(specialTokens);
  const preTokenizer = compilePreTokenizer(defaultPreTokenizerConfig());
  const counts = new Map<string, number>();
  let index = 0;
  for (const text of corpus) {
    if (typeof text !== 'string')
      throw new TokenizerOptionsError(`corpus[${index}]`, `expected a string, got ${typeof text}`);
    for (const segment of matcher.split(text)) {
      if (!('text' in segment)) continue;
      for (const piece of preTokenizer.split(segment.text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
    }
    index++;
  }
  return counts;
}

/**
 * Trains a byte-level BPE tokenizer. Ids: the special tokens first (DEFAULT_SPECIAL_TOKENS unless
 * given), then the 256 bytes by value, then merges in the order learned. Deterministic: the same
 * corpus and options give a byte-identical tokenizer.json (tie rule in bpe-trainer.ts).
 */
export function trainBpe(corpus: Iterable<string>, options?: Partial<TrainBpeOptions>): Tokenizer {
  const { vocabSize, minFrequency, specialTokens, cacheSize } = parseTrainBpeOptions(options);
  const specials = toSpecialTokens(specialTokens);
  const learned = learnMerges(countPieces(corpus, specials), { vocabSize, minFrequency, specialTokens });
  const json: TokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials,
    normalizer: null,
    pre_tokenizer: defaultPreTokenizerConfig(),
    // Ids change only through encode's addBos/addEos; this processor only trims offsets.
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(learned.tokens.map((token, id) => [token, id])),
      merges: learned.merges.map(([left, right]) => `${left} ${right}`),
    },
  };
  // Through the same validating reader as any file, so a trained tokenizer is always loadable.
  return Tokenizer.fromJSON(json, { cacheSize });
}
