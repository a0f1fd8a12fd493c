/**
 * Options for loading and training tokenizers, with their defaults and the one function each that
 * validates them (throwing a TokenizerOptionsError that names the bad option).
 */
import { TOKEN_ID_LIMIT } from './bpe-model.js';
import { BYTE_LEVEL_ALPHABET } from './byte-level.js';
import { TokenizerOptionsError } from './errors.js';
import {
  DEFAULT_SPECIAL_TOKENS,
  SPECIAL_TOKENS,
  type SpecialTokenNames,
  type SpecialTokenRole,
} from './special-tokens.js';

/** How a tokenizer behaves once built (from JSON, a file, or training). */
export interface TokenizerOptions {
  /** Pieces (pre-tokenised words) whose ids are cached for reuse; 0 (or 1) turns the cache off. Default 10,000. */
  readonly cacheSize: number;
  /**
   * Added-token content that plays each special role; roles not given keep the names in
   * SPECIAL_TOKENS. A public GPT-2 file would map `eos` to `<|endoftext|>`.
   */
  readonly specialTokenNames: SpecialTokenNames;
}

/** Defaults for TokenizerOptions. */
export const DEFAULT_TOKENIZER_OPTIONS: TokenizerOptions = { cacheSize: 10_000, specialTokenNames: SPECIAL_TOKENS };

/** What callers may pass: any subset, with a partial map of special names. */
export type TokenizerOptionsInput = Partial<Omit<TokenizerOptions, 'specialTokenNames'>> & {
  readonly specialTokenNames?: Partial<SpecialTokenNames>;
};

/** Options of trainBpe. */
export interface TrainBpeOptions {
  /** Final vocabulary size, special and byte tokens included. Default 4096. */
  readonly vocabSize: number;
  /** A pair seen fewer times than this is never merged. Default 2. */
  readonly minFrequency: number;
  /** Special tokens, given ids 0, 1, … in this order. Default DEFAULT_SPECIAL_TOKENS. */
  readonly specialTokens: readonly string[];
  /** Encode cache size of the trained tokenizer (see TokenizerOptions). Default 10,000. */
  readonly cacheSize: number;
}

/** Defaults for TrainBpeOptions. */
export const DEFAULT_TRAIN_BPE_OPTIONS: TrainBpeOptions = {
  vocabSize: 4096,
  minFrequency: 2,
  specialTokens: DEFAULT_SPECIAL_TOKENS,
  cacheSize: DEFAULT_TOKENIZER_OPTIONS.cacheSize,
};

function rejectUnknownKeys(input: object, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw new TokenizerOptionsError(key, `unknown option (known: ${known.join(', ')})`);
  }
}

function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TokenizerOptionsError(field, `expected an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Validates tokenizer options and fills in defaults. */
export function parseTokenizerOptions(input: TokenizerOptionsInput = {}): TokenizerOptions {
  rejectUnknownKeys(input, Object.keys(DEFAULT_TOKENIZER_OPTIONS));
  const cacheSize = checkInteger(input.cacheSize ?? DEFAULT_TOKENIZER_OPTIONS.cacheSize, 'cacheSize', 0, 2 ** 31);
  const names: Record<SpecialTokenRole, string> = { ...SPECIAL_TOKENS };
  for (const [role, content] of Object.entries(input.specialTokenNames ?? {})) {
    if (!(role in SPECIAL_TOKENS)) {
      throw new TokenizerOptionsError(
        `specialTokenNames.${role}`,
        `unknown role (known: ${Object.keys(SPECIAL_TOKENS).join(', ')})`,
      );
    }
    if (typeof content !== 'string' || content.length === 0) {
      throw new TokenizerOptionsError(`specialTokenNames.${role}`, 'expected a non-empty string');
    }
    names[role as SpecialTokenRole] = content;
  }
  return { cacheSize, specialTokenNames: names };
}

/** Validates trainBpe options and fills in defaults. */
export function parseTrainBpeOptions(input: Partial<TrainBpeOptions> = {}): TrainBpeOptions {
  rejectUnknownKeys(input, Object.keys(DEFAULT_TRAIN_BPE_OPTIONS));
  const specialTokens = input.specialTokens ?? DEFAULT_TRAIN_BPE_OPTIONS.specialTokens;
  if (!Array.isArray(specialTokens)) throw new TokenizerOptionsError('specialTokens', 'expected an array of strings');
  const seen = new Set<string>();
  specialTokens.forEach((token: unknown, i) => {
    if (typeof token !== 'string' || token.length === 0) {
      throw new TokenizerOptionsError(`specialTokens[${i}]`, 'expected a non-empty string');
    }
    // A one-character special equal to a byte token would give one string two ids.
    if (BYTE_LEVEL_ALPHABET.includes(token)) {
      throw new TokenizerOptionsError(`specialTokens[${i}]`, `${JSON.stringify(token)} is a byte token`);
    }
    if (seen.has(token))
      throw new TokenizerOptionsError(`specialTokens[${i}]`, `duplicate token ${JSON.stringify(token)}`);
    seen.add(token);
  });
  const minVocab = specialTokens.length + BYTE_LEVEL_ALPHABET.length;
  const vocabSize = checkInteger(
    input.vocabSize ?? DEFAULT_TRAIN_BPE_OPTIONS.vocabSize,
    'vocabSize',
    minVocab,
    TOKEN_ID_LIMIT,
  );
  const minFrequency = checkInteger(
    input.minFrequency ?? DEFAULT_TRAIN_BPE_OPTIONS.minFrequency,
    'minFrequency',
    1,
    2 ** 53 - 1,
  );
  const cacheSize = checkInteger(input.cacheSize ?? DEFAULT_TRAIN_BPE_OPTIONS.cacheSize, 'cacheSize', 0, 2 ** 31);
  return { vocabSize, minFrequency, specialTokens: [...specialTokens], cacheSize };
}
