/**
 * Text normalisers from the `normalizer` field: the Unicode normal forms and lowercasing, alone or
 * in a Sequence. Files written by this package use none (null).
 */
import { TokenizerFormatError } from './errors.js';
import { readArray, readObject, readType } from './json-fields.js';

/** Rewrites text before pre-tokenisation. */
export type Normalize = (text: string) => string;

const UNICODE_FORMS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const;

/** Builds a normaliser from its config; null means none. */
export function compileNormalizer(value: unknown, field = 'normalizer'): Normalize | undefined {
  if (value === null || value === undefined) return undefined;
  const config = readObject(value, field);
  const type = readType(config, field);
  if ((UNICODE_FORMS as readonly string[]).includes(type)) return (text) => text.normalize(type);
  if (type === 'Lowercase') return (text) => text.toLowerCase();
  if (type === 'Sequence') {
    const parts = readArray(config['normalizers'], `${field}.normalizers`)
      .map((part, i) => compileNormalizer(part, `${field}.normalizers[${i}]`))
      .filter((part): part is Normalize => part !== undefined);
    return (text) => parts.reduce((acc, normalize) => normalize(acc), text);
  }
  throw new TokenizerFormatError(`${field}.type`, `unsupported normalizer ${JSON.stringify(type)}`);
}
