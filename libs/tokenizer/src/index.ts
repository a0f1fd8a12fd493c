/**
 * @vrft/tokenizer — byte-level BPE trained by the project, stored as Hugging Face tokenizer.json.
 */
export { type AddedToken } from './added-tokens.js';
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
export { PRE_TOKENIZE_PATTERN } from './split-pattern.js';
export { Tokenizer, type DecodeOptions, type EncodeOptions } from './tokenizer.js';
export { type BpeModelJson, type TokenizerJson } from './tokenizer-json.js';
export { trainBpe } from './train-bpe.js';
