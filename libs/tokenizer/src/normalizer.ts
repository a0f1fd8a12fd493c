/**
 * Text normalisers from the `normalizer` field: the Unicode normal forms, lowercasing, Replace,
 * Strip, Prepend and SentencePiece's Precompiled charsmap, alone or in a Sequence. Files written
 * by this package use none (null).
 */
import { TokenizerFormatError } from './errors.js';
import { readArray, readBoolean, readObject, readString, readType, type JsonObject } from './json-fields.js';
import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import { compilePattern, escapeRegExp } from './split-pattern.js';

/** Rewrites text before pre-tokenisation. */
export type Normalize = (text: string) => string;

const UNICODE_FORMS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const;

// Rust's char::is_whitespace is the Unicode White_Space property.
const LEADING_WHITESPACE = /^\p{White_Space}+/u;
const TRAILING_WHITESPACE = /\p{White_Space}+$/u;

/** A `{ "String": … }` or `{ "Regex": … }` pattern as a global regex. */
export function compileStringOrRegex(value: unknown, field: string): RegExp {
  const pattern = readObject(value, field);
  if (pattern['Regex'] !== undefined)
    return compilePattern(readString(pattern['Regex'], `${field}.Regex`), `${field}.Regex`);
  if (pattern['String'] !== undefined) {
    const literal = readString(pattern['String'], `${field}.String`);
    if (literal === '') throw new TokenizerFormatError(`${field}.String`, 'must not be empty');
    return new RegExp(escapeRegExp(literal), 'gu');
  }
  throw new TokenizerFormatError(field, 'expected a "Regex" or a "String" entry');
}

function compileReplace(config: JsonObject, field: string): Normalize {
  const regex = compileStringOrRegex(config['pattern'], `${field}.pattern`);
  const content = readString(config['content'], `${field}.content`);
  // A function replacement: `$` in content is literal, as in Hugging Face.
  return (text) => text.replace(regex, () => content);
}

function compileStrip(config: JsonObject, field: string): Normalize {
  const left = readBoolean(config['strip_left'], `${field}.strip_left`, true);
  const right = readBoolean(config['strip_right'], `${field}.strip_right`, true);
  return (text) => {
    let out = left ? text.replace(LEADING_WHITESPACE, '') : text;
    if (right) out = out.replace(TRAILING_WHITESPACE, '');
    return out;
  };
}

function compilePrecompiled(config: JsonObject, field: string): Normalize | undefined {
  const charsmap = config['precompiled_charsmap'];
  // An empty (or absent) charsmap is the identity: converters write it for spm models without rules.
  if (charsmap === undefined || charsmap === null || charsmap === '') return undefined;
  const compiled = PrecompiledCharsmap.fromBase64(
    readString(charsmap, `${field}.precompiled_charsmap`),
    `${field}.precompiled_charsmap`,
  );
  return (text) => compiled.normalize(text);
}

/** Builds a normaliser from its config; null means none. */
export function compileNormalizer(value: unknown, field = 'normalizer'): Normalize | undefined {
  if (value === null || value === undefined) return undefined;
  const config = readObject(value, field);
  const type = readType(config, field);
  if ((UNICODE_FORMS as readonly string[]).includes(type)) return (text) => text.normalize(type);
  switch (type) {
    case 'Lowercase':
      return (text) => text.toLowerCase();
    case 'Replace':
      return compileReplace(config, field);
    case 'Strip':
      return compileStrip(config, field);
    case 'Prepend': {
      const prefix = readString(config['prepend'], `${field}.prepend`);
      return (text) => (text.length > 0 ? prefix + text : text);
    }
    case 'Precompiled':
      return compilePrecompiled(config, field);
    case 'Sequence': {
      const parts = readArray(config['normalizers'], `${field}.normalizers`)
        .map((part, i) => compileNormalizer(part, `${field}.normalizers[${i}]`))
        .filter((part): part is Normalize => part !== undefined);
      return (text) => parts.reduce((acc, normalize) => normalize(acc), text);
    }
    default:
      throw new TokenizerFormatError(
        `${field}.type`,
        `unsupported normalizer ${JSON.stringify(type)} (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Strip, Prepend, Precompiled, Sequence)`,
      );
  }
}
