/**
 * @vrft/tokenizer — byte-level BPE trained by the project, stored as Hugging Face tokenizer.json;
 * Unigram (SentencePiece) tokenizer.json files of public exports (SigLIP, T5) are read too.
 */
export { type AddedToken } from './added-tokens.js';
export { loadAnyTokenizer, parseAnyTokenizer, type AnyTokenizer } from './any-tokenizer.js';
export {
  MissingSpecialTokenError,
  TokenEncodeError,
  TokenIdError,
  TokenizerFormatError,
  TokenizerOptionsError,
} from './errors.js';
export { loadTokenizer } from './load-tokenizer.js';
export {
  DEFAULT_TOKENIZER_OPTIONS,
  DEFAULT_TRAIN_BPE_OPTIONS,
  parseTokenizerOptions,
  parseTrainBpeOptions,
  type TokenizerOptions,
  type TokenizerOptionsInput,
  type TrainBpeOptions,
} from './options.js';
export {
  DEFAULT_SPECIAL_TOKENS,
  SPECIAL_TOKENS,
  type SpecialTokenNames,
  type SpecialTokenRole,
} from './special-tokens.js';
export { type PaddingSpec, type SequenceTemplate } from './sequence-layout.js';
export { PRE_TOKENIZE_PATTERN } from './split-pattern.js';
export { type DecodeOptions, type TextEncodeOptions, type TextTokenizer } from './text-tokenizer.js';
export { Tokenizer, type EncodeOptions } from './tokenizer.js';
export { type BpeModelJson, type TokenizerJson } from './tokenizer-json.js';
export { trainBpe } from './train-bpe.js';
export { UnigramTokenizer } from './unigram-tokenizer.js';
