/**
 * Reading any supported tokenizer.json: the `model.type` picks the class (byte-level BPE →
 * Tokenizer, Unigram → UnigramTokenizer); both offer the TextTokenizer surface.
 */
import { TokenizerFormatError } from './errors.js';
import { readObject } from './json-fields.js';
import { type TokenizerOptionsInput } from './options.js';
import { Tokenizer } from './tokenizer.js';
import { readTextFile } from './tokenizer-file.js';
import { readJsonRoot } from './tokenizer-json.js';
import { UnigramTokenizer } from './unigram-tokenizer.js';

/** A tokenizer of either supported model. */
export type AnyTokenizer = Tokenizer | UnigramTokenizer;

/** Builds the tokenizer a tokenizer.json (object or text) describes; a bad file is a TokenizerFormatError naming the field. */
export function parseAnyTokenizer(json: unknown, options?: TokenizerOptionsInput): AnyTokenizer {
  const root = readJsonRoot(json);
  const type = readObject(root['model'], 'model')['type'];
  // Files from old versions of Hugging Face `tokenizers` may leave out the type of a BPE model.
  if (type === undefined || type === 'BPE') return Tokenizer.fromJSON(root, options);
  if (type === 'Unigram') return UnigramTokenizer.fromJSON(root, { cacheSize: options?.cacheSize });
  throw new TokenizerFormatError('model.type', `unsupported model ${JSON.stringify(type)} (supported: BPE, Unigram)`);
}

/** Reads a tokenizer.json file of either model. */
export async function loadAnyTokenizer(path: string, options?: TokenizerOptionsInput): Promise<AnyTokenizer> {
  return parseAnyTokenizer(await readTextFile(path), options);
}
